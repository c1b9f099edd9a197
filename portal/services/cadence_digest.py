"""The recruiter digest: each recruiter's weekly email of what needs them (candidates waiting
for an answer to their message (promise 8; not for a recruiter who turned message emails off),
candidates our updates cannot reach, interviews owed feedback (promise 7), overdue candidates, pending consents, interested candidates, failed
deliveries), planned at the firm's weekly slot (worker.jobs.plan_firm).

What was planned is in the database: a digest's dedupe key names the recruiter and the firm's
week, so a rerun on another day of that week writes nothing twice. It writes through the
outbox and never commits or sends; it never writes to a candidate. What counts as active,
and the firm's calendar, are portal.services.cadence's (the candidates' side of the cadence).

An item's words (how long a message waited, when feedback is due) are portal.phrases values,
and its stage the Stage itself: each recruiter reads them in their own language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Audience,
    Author,
    Candidacy,
    Candidate,
    Consent,
    ConsentState,
    ConversationMessage,
    Feedback,
    Firm,
    Interest,
    Message,
    MessageState,
    Role,
    Search,
    User,
)
from portal.outbox import EmailRenderer, links, record_many
from portal.phrases import Phrase, When, lazy_ngettext
from portal.phrases import lazy as _l
from portal.services import contact, interview_feedback
from portal.services.cadence import active_candidacy_filter, endpoint_url, with_domains
from portal.services.cadence_clock import cadence_days, weekly_period

DIGEST_ITEMS = 25  # per section in the email; the count is always exact
FAILED_LOOKBACK = timedelta(days=30)


def _owner(*candidates):
    for c in candidates:
        if c is not None:
            return c
    return None


def digest_items(firm: Firm, now: datetime) -> dict[str, list[dict]]:
    """Everything a digest reports, each item with the `owner` (user id or None)."""
    cutoff = now - timedelta(days=cadence_days(firm))
    last_feedback = (
        select(Feedback.candidacy_id, func.max(Feedback.created_at).label("at"))
        .where(Feedback.firm_id == firm.id)
        .group_by(Feedback.candidacy_id)
        .subquery()
    )
    overdue = [
        {
            "owner": _owner(r.search_owner, r.candidate_owner),
            "candidate": r.name,
            "title": r.title,
            "stage": r.stage,  # the template says its label
            "since": r.since,
            "page": ("candidacy", r.id),
        }
        for r in db.session.execute(
            select(
                Candidacy.id,
                Candidate.name,
                Search.title,
                Search.owner_id.label("search_owner"),
                Candidate.owner_id.label("candidate_owner"),
                Candidacy.stage,
                Candidacy.stage_changed_at.label("since"),
            )
            .select_from(Candidacy)
            .join(Search, Search.id == Candidacy.search_id)
            .join(Candidate, Candidate.id == Candidacy.candidate_id)
            .outerjoin(last_feedback, last_feedback.c.candidacy_id == Candidacy.id)
            .where(
                Candidacy.firm_id == firm.id,
                *active_candidacy_filter(),
                Candidacy.stage_changed_at < cutoff,
                or_(last_feedback.c.at.is_(None), last_feedback.c.at < cutoff),
            )
            .order_by(Candidacy.stage_changed_at)
        )
    ]
    consents = [
        {
            "owner": _owner(r.requested_by_id, r.search_owner, r.candidate_owner),
            "candidate": r.name,
            "title": r.role_title,
            "since": r.requested_at,
            "page": ("candidacy", r.candidacy_id),
        }
        for r in db.session.execute(
            select(
                Candidate.name,
                Consent.candidacy_id,
                Consent.role_title,
                Consent.requested_at,
                Consent.requested_by_id,
                Search.owner_id.label("search_owner"),
                Candidate.owner_id.label("candidate_owner"),
            )
            .select_from(Consent)
            .join(Candidacy, Candidacy.id == Consent.candidacy_id)
            .join(Search, Search.id == Candidacy.search_id)
            .join(Candidate, Candidate.id == Candidacy.candidate_id)
            .where(Consent.firm_id == firm.id, Consent.state == ConsentState.REQUESTED)
            .order_by(Consent.requested_at)
        )
    ]
    interests = [
        {
            "owner": _owner(r.search_owner, r.candidate_owner),
            "candidate": r.name,
            "title": r.title,
            "since": r.created_at,
            "page": ("candidate", r.candidate_id),
        }
        for r in db.session.execute(
            select(
                Interest.candidate_id,
                Candidate.name,
                Search.title,
                Interest.created_at,
                Search.owner_id.label("search_owner"),
                Candidate.owner_id.label("candidate_owner"),
            )
            .select_from(Interest)
            .join(Search, Search.id == Interest.search_id)
            .join(Candidate, Candidate.id == Interest.candidate_id)
            .where(Interest.firm_id == firm.id, Interest.handled_at.is_(None), Candidate.deleted_at.is_(None))
            .order_by(Interest.created_at)
        )
    ]
    failed = [
        {
            "owner": _owner(r.candidate_owner, r.search_owner),
            "candidate": r.name or r.to_name or r.to_email,
            "title": r.subject,
            "reason": r.last_error,
            "since": r.created_at,
            "id": r.id,
            "page": ("message", r.id),
        }
        for r in db.session.execute(
            select(
                Message.id,
                Message.subject,
                Message.last_error,
                Message.created_at,
                Message.to_name,
                Message.to_email,
                Candidate.name,
                Candidate.owner_id.label("candidate_owner"),
                Search.owner_id.label("search_owner"),
            )
            .select_from(Message)
            .outerjoin(Candidate, Candidate.id == Message.candidate_id)
            .outerjoin(Candidacy, Candidacy.id == Message.candidacy_id)
            .outerjoin(Search, Search.id == Candidacy.search_id)
            .where(
                Message.firm_id == firm.id,
                Message.state == MessageState.FAILED,
                Message.audience == Audience.CANDIDATE,
                Message.created_at > now - FAILED_LOOKBACK,
            )
            .order_by(Message.created_at.desc())
        )
    ]
    return {
        "messages": waiting_message_items(firm, now),
        "unreachable": unreachable_items(firm),
        "interview_feedback": interview_feedback_items(firm, now),
        "overdue": overdue,
        "consents": consents,
        "interests": interests,
        "failed": failed,
    }


def waited_words(now: datetime, since: datetime, overdue: bool) -> Phrase:
    """How long a candidate has waited for an answer: "waiting 3 days (overdue)", "waiting 5
    hours", "waiting a few minutes" (whole phrases, in the reader's language when printed)."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds >= 86400:
        days = int(seconds // 86400)
        if overdue:
            # Translators: how long a candidate's message has waited for a recruiter's answer, in a
            # recruiter's list; "overdue": past the firm's promised reply time
            return lazy_ngettext("waiting %(num)d day (overdue)", "waiting %(num)d days (overdue)", days)
        # Translators: how long a candidate's message has waited for a recruiter's answer, in a recruiter's list
        return lazy_ngettext("waiting %(num)d day", "waiting %(num)d days", days)
    if seconds >= 3600:
        hours = int(seconds // 3600)
        if overdue:
            return lazy_ngettext("waiting %(num)d hour (overdue)", "waiting %(num)d hours (overdue)", hours)
        return lazy_ngettext("waiting %(num)d hour", "waiting %(num)d hours", hours)
    return _l("waiting a few minutes (overdue)") if overdue else _l("waiting a few minutes")


def waiting_message_items(firm: Firm, now: datetime) -> list[dict]:
    """Candidate messages with no answer yet (promise 8), oldest first, for the owner of the
    search they are about, else the candidate's recruiter; how long each has waited."""
    searches = aliased(Search)
    rows = db.session.execute(
        select(
            ConversationMessage.id,
            ConversationMessage.candidate_id,
            ConversationMessage.created_at,
            ConversationMessage.reply_due_at,
            ConversationMessage.body,
            Candidate.name,
            Candidate.owner_id,
            searches.owner_id.label("search_owner"),
        )
        .select_from(ConversationMessage)
        .join(Candidate, Candidate.id == ConversationMessage.candidate_id)
        .outerjoin(Candidacy, Candidacy.id == ConversationMessage.candidacy_id)
        .outerjoin(searches, searches.id == Candidacy.search_id)
        .where(
            ConversationMessage.firm_id == firm.id,
            ConversationMessage.author == Author.CANDIDATE,
            ConversationMessage.answered_at.is_(None),
            Candidate.deleted_at.is_(None),
        )
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
    )
    return [
        {
            "owner": _owner(r.search_owner, r.owner_id),
            "candidate": r.name,
            # Translators: instead of the start of a candidate's message that is only a file
            "title": " ".join((r.body or "").split())[:80] or _l("(a file)"),
            "reason": waited_words(now, r.created_at, r.reply_due_at is not None and r.reply_due_at < now),
            "since": r.created_at,
            "page": ("candidate", r.candidate_id),
        }
        for r in rows
    ]


def interview_feedback_items(firm: Firm, now: datetime) -> list[dict]:
    """Interviews owed feedback (promise 7), most overdue first, for whoever should write it."""
    return [
        {
            "owner": o.owner_id,
            "candidate": o.candidate_name,
            "title": o.search_title,
            "reason": (
                lazy_ngettext("overdue %(num)d business day", "overdue %(num)d business days", o.days)
                if o.overdue
                # Translators: when an interview's feedback is due, in a recruiter's list: "due by May 12, 2:30 PM"
                else _l("due by %(when)s", when=When(o.deadline, firm.zone.key, "day_time"))
            ),
            "since": o.ended_at,
            "page": ("candidacy", o.candidacy_id),
        }
        for o in interview_feedback.owed(firm, now)
    ]


def unreachable_items(firm: Firm) -> list[dict]:
    """Candidates our updates cannot reach (see portal.services.contact), first in the
    digest: one item for their owner and for each recruiter whose search they are in."""
    rows = db.session.execute(
        select(
            Candidate.id,
            Candidate.name,
            Candidate.email,
            Candidate.email_suppressed,
            Candidate.unreachable_since,
            Candidate.owner_id,
            Search.owner_id.label("search_owner"),
        )
        .outerjoin(Candidacy, Candidacy.candidate_id == Candidate.id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .where(Candidate.firm_id == firm.id, Candidate.unreachable_since.is_not(None), Candidate.deleted_at.is_(None))
        .order_by(Candidate.unreachable_since, Candidate.id)
    ).all()
    missed = contact.last_undelivered(r.id for r in rows)
    owners: dict[int, list] = {}
    for r in rows:
        entry = owners.setdefault(r.id, [r, []])
        for owner in (r.owner_id, r.search_owner):
            if owner is not None and owner not in entry[1]:
                entry[1].append(owner)
    out = []
    for r, who in owners.values():
        reason = contact.unreachable_reason(r, missed.get(r.id))
        for owner in who or [None]:
            out.append(
                {
                    "owner": owner,
                    "candidate": r.name,
                    "title": reason,
                    "since": r.unreachable_since,
                    "page": ("candidate", r.id),
                }
            )
    return out


_PAGES = {
    "candidacy": links.recruiter_candidacy,
    "candidate": links.recruiter_candidate,
    "message": links.recruiter_message,
}


def _page_url(firm: Firm, page: tuple[str, int] | None) -> str | None:
    """The recruiter page of one digest item (its candidacy, candidate or failed message)."""
    if page is None or page[1] is None:
        return None
    return _PAGES[page[0]](firm, page[1])


def plan_recruiter_digests(firm: Firm, now: datetime) -> int:
    """Each recruiter's digest: candidates our updates cannot reach (first), their overdue candidates (no stage move or feedback within
    the cadence), pending consents, interested candidates, failed deliveries. Items with
    no owner go to the firm's admins. Nothing to report, no email. Idempotent per firm week
    (a rerun on another day of the week, after Redis lost the slot marker, sends nothing)."""
    staff = list(
        db.session.scalars(
            select(User)
            .where(User.firm_id == firm.id, User.role.in_([Role.RECRUITER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.id)
        )
    )
    if not staff:
        return 0
    staff_ids = {u.id for u in staff}
    sections = digest_items(firm, now)
    per_user: dict[int | None, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name, items in sections.items():
        for item in items:
            owner = item["owner"] if item["owner"] in staff_ids else None
            per_user[owner][name].append(item)
    with_domains(firm)
    renderer = EmailRenderer(firm, "recruiter_digest")
    links = {
        "dashboard_url": endpoint_url(firm, "recruiter.dashboard"),
        "messages_url": endpoint_url(firm, "recruiter.messages"),
    }
    week = weekly_period(firm, now)
    out = []
    for user in staff:
        mine = dict(per_user.get(user.id, {}))
        if user.role == Role.ADMIN:
            for name, items in per_user.get(None, {}).items():
                mine[name] = list(mine.get(name, [])) + items
        if user.message_notifications == "off":  # their choice: Needs attention only
            mine.pop("messages", None)
        counts = {name: len(mine.get(name, [])) for name in sections}
        if not any(counts.values()):
            continue
        shown = {name: mine.get(name, [])[:DIGEST_ITEMS] for name in sections}
        for item in (item for items in shown.values() for item in items):
            item.setdefault("url", _page_url(firm, item.get("page")))
        subject, text, html = renderer.render(
            language=user.language,
            user=user,
            to_name=user.name,
            counts=counts,
            items=shown,
            cadence_days=cadence_days(firm),
            **links,
        )
        out.append(
            {
                "dedupe_key": f"digest:{user.id}:{week}",
                "to_email": user.email,
                "to_name": user.name,
                "recipient_user_id": user.id,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    return len(record_many(firm, out, kind="recruiter_digest", audience=Audience.RECRUITER, show_in_portal=False))
