"""Private calendar feeds (issue 17, part 3): each candidate and each recruiter subscribes their
calendar (webcal://…, or https://…) to their own interviews.

The URL's token is derived, never stored: an HMAC of the secret key over the firm, the user and
User.calendar_feed_version, so "new link" (the version goes up) stops the old URL at once and no
row or staff page holds a working link (DESIGN 12). A token is checked in constant time and only
within the firm whose host was asked (another firm's token there is simply not found).
A candidate's feed shows only what the candidate may read (portal/services/interview_words.py:
no internal notes, no untold confidential client); a recruiter's feed shows the interviews they
organise and the office-hours bookings made with them, without internal notes (a calendar is
often synced to a third party). Reads and one flush; never commits, never emails."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, Firm, Search, User, utcnow
from portal.models.interview import Interview, InterviewKind, InterviewState
from portal.outbox import links
from portal.services import interview_words
from portal.services.calendar import CalendarEvent, feed
from portal.services.candidate_portal import candidate_for_user
from portal.web.templating import external_url

PAST_DAYS = 90  # how far back a feed reaches (calendars keep what they already have)
LIMIT = 500


def token(firm: Firm, user: User) -> str:
    """The feed token of this user at their current version: "<user id>-<mac>"."""
    message = f"calendar-feed:{firm.id}:{user.id}:{user.calendar_feed_version}".encode()
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return f"{user.id}-{base64.urlsafe_b64encode(mac[:24]).decode().rstrip('=')}"


def urls(firm: Firm, user: User) -> dict[str, str]:
    """The feed's https:// address and its webcal:// twin (what "Add to calendar" opens)."""
    https = external_url(firm, "calendar_feed.feed", token=token(firm, user))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def user_for(firm: Firm, presented: str) -> User | None:
    """The active user of this firm whose current token this is, or None."""
    user_id, _, _mac = (presented or "").partition("-")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.scalar(select(User).where(User.firm_id == firm.id, User.id == int(user_id)))
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(token(firm, user).encode(), presented.encode()) else None


def new_link(firm: Firm, actor: User) -> None:
    """Stop the current feed URL and make a new one."""
    actor.calendar_feed_version = (actor.calendar_feed_version or 0) + 1
    db.session.flush()


def _interviews(*where) -> list[Interview]:
    since = utcnow() - timedelta(days=PAST_DAYS)
    return list(
        db.session.scalars(
            select(Interview)
            .where(*where, Interview.starts_at.is_not(None), Interview.starts_at >= since)
            .options(
                selectinload(Interview.candidate),
                selectinload(Interview.candidacy).selectinload(Candidacy.search).selectinload(Search.client),
            )
            .order_by(Interview.starts_at, Interview.id)
            .limit(LIMIT)
        )
    )


def _candidate_events(firm: Firm, candidate: Candidate | None) -> list[CalendarEvent]:
    if candidate is None:
        return []
    interviews = _interviews(Interview.candidate_id == candidate.id)
    told = interview_words.told(interviews)
    names = interview_words.recruiter_names(interviews)
    events = []
    for i in interviews:
        assert i.starts_at is not None and i.ends_at is not None
        office_hours = i.kind == InterviewKind.OFFICE_HOURS
        link = links.office_hours(firm) if office_hours else links.interview(firm, i.id)
        recruiter = names.get(i.recruiter_id) if i.recruiter_id is not None else None
        lines = [interview_words.join_text(i, told)]
        if recruiter:
            lines.append(_("With: %(name)s", name=recruiter))
        lines.append(_("Details: %(link)s", link=link))
        events.append(
            CalendarEvent(
                uid=i.uid,
                sequence=i.sequence,
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                summary=interview_words.title(i, told, recruiter),
                description="\n".join(lines),
                location=interview_words.location(i, told) or None,
                url=link,
                cancelled=i.state != InterviewState.SCHEDULED,
            )
        )
    return events


def _recruiter_events(firm: Firm, user: User) -> list[CalendarEvent]:
    events = []
    for i in _interviews(Interview.recruiter_id == user.id):
        assert i.starts_at is not None and i.ends_at is not None
        kind = interview_words.KIND_WORDS[i.kind]
        if i.candidacy is not None:
            summary = _(
                "%(kind)s: %(name)s (%(title)s, %(client)s)",
                kind=kind,
                name=i.candidate.name,
                title=i.candidacy.search.title,
                client=i.candidacy.search.client.name,
            )
            link = links.recruiter_candidacy(firm, i.candidacy.id)
        else:
            summary = _("%(kind)s: %(name)s", kind=kind, name=i.candidate.name)
            if i.kind == InterviewKind.OFFICE_HOURS:
                link = links.recruiter_office_hours(firm)
            else:
                link = links.recruiter_candidate(firm, i.candidate_id)
        where = (i.location or "").strip()
        events.append(
            CalendarEvent(
                uid=i.uid,
                sequence=i.sequence,
                starts_at=i.starts_at,
                ends_at=i.ends_at,
                summary=summary,
                description="\n".join(x for x in (str(interview_words.FORMAT_WORDS[i.format]), where, link) if x),
                location=where or None,
                url=link,
                cancelled=i.state != InterviewState.SCHEDULED,
            )
        )
    return events


def document(firm: Firm, user: User) -> str:
    """The feed (iCalendar text) of this user: a candidate's interviews, or a recruiter's, in
    their own language (a calendar app asks without them: no session, its own Accept-Language)."""
    if user.is_candidate:
        candidate = candidate_for_user(user)
        chosen = (candidate.language if candidate is not None else None) or user.language
        with i18n.force_locale(i18n.email_language(firm, chosen)):
            return feed(_candidate_events(firm, candidate), _("%(firm)s: your interviews", firm=firm.name))
    with i18n.force_locale(i18n.email_language(firm, user.language)):
        return feed(_recruiter_events(firm, user), _("%(firm)s: interviews and office hours", firm=firm.name))
