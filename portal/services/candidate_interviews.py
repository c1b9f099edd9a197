"""Interviews as the candidate sees them on their home and in each search's timeline: the next
interview first, in their own time zone, in plain words in their language ("Your interview on
Tuesday, May 12 at 10:00 AM"). One statement per list whatever the number of interviews. Read-only; internal notes
and outcomes are never read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, select

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import Candidacy, Candidate, Debrief, Firm, Interview, InterviewKind, InterviewState, Search
from portal.services import interview_words

# What each kind of interview is, as the candidate reads it on their home and in a search's timeline.
KIND_WORDS = {
    # Translators: a kind of interview, as the candidate reads it: a screening call with the recruiter.
    InterviewKind.RECRUITER_SCREEN: _l("Conversation with your recruiter"),
    # Translators: a kind of interview, as the candidate reads it.
    InterviewKind.CLIENT: _l("Interview with the client"),
    # Translators: a kind of interview, as the candidate reads it: a test or exercise.
    InterviewKind.ASSESSMENT: _l("Assessment"),
    # Translators: a kind of interview, as the candidate reads it (any other kind).
    InterviewKind.OTHER: _l("Interview"),
    # Translators: a kind of interview, as the candidate reads it: a booked office-hours call.
    InterviewKind.OFFICE_HOURS: _l("Call with your recruiter"),
}
INTERVIEW = KIND_WORDS[InterviewKind.OTHER]
# An interview lasts at most this long (the list reads back this far, then checks `ends_at`).
_LONGEST = timedelta(hours=24)
FORMAT_WORDS = {
    # Translators: how an interview takes place (after its kind and the role: "Interview · Data Engineer · by phone").
    "phone": _l("by phone"),
    # Translators: how an interview takes place (after its kind and the role: "Interview · Data Engineer · by video").
    "video": _l("by video"),
    # Translators: how an interview takes place (after its kind and the role: "Interview · Data Engineer · on site").
    "on_site": _l("on site"),
}


def day_and_time(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Tuesday, May 12 at 10:00 AM" in `zone`, in the page's language (portal/i18n.py)."""
    local = starts_at.astimezone(zone)
    # Translators: when an interview is: %(day)s is "Tuesday, May 12", %(time)s is "10:00 AM".
    return _("%(day)s at %(time)s", day=i18n.day(local.date(), "weekday_long"), time=_time(starts_at, zone))


def interview_sentence(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Your interview on Tuesday, May 12 at 10:00 AM" (the candidate's home)."""
    local = starts_at.astimezone(zone)
    # Translators: %(day)s is "Tuesday, May 12", %(time)s is "10:00 AM".
    return _(
        "Your interview on %(day)s at %(time)s", day=i18n.day(local.date(), "weekday_long"), time=_time(starts_at, zone)
    )


def _time(starts_at: datetime, zone: ZoneInfo) -> str:
    return i18n.when(starts_at, format="time", zone=getattr(zone, "key", None) or str(zone))


@dataclass
class UpcomingInterview:
    id: int
    sentence: str  # "Your interview on Tuesday, May 12 at 10:00 AM" (the reader's language)
    what: str  # "Interview with the client"
    how: str  # "by video"
    title: str | None  # the search's title (None for office hours)
    starts_at: datetime
    candidacy_id: int | None = None


# The candidate's home reads these on every visit: built once (building a statement and its
# cache key per request cost more than running it; docs/PERFORMANCE.md, candidate pages).


@lru_cache(maxsize=8)
def _upcoming_statement(limit: int) -> Select:
    return (
        select(Interview, Search.title)
        .outerjoin(Candidacy, Candidacy.id == Interview.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .where(
            Interview.candidate_id == bindparam("candidate_id"),
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at.is_not(None),
            # started up to a working day ago: still "today's interview" until it ends
            Interview.starts_at > bindparam("after"),
        )
        .order_by(Interview.starts_at, Interview.id)
        .limit(limit + 10)
    )


@lru_cache(maxsize=1)
def _timeline_statement() -> Select:
    return (
        select(Interview)
        .where(
            Interview.candidacy_id.in_(bindparam("ids", expanding=True)),
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at.is_not(None),
        )
        .order_by(Interview.starts_at, Interview.id)
    )


def upcoming(firm: Firm, candidate: Candidate, now: datetime, limit: int = 5) -> list[UpcomingInterview]:
    """The candidate's scheduled interviews that have not ended yet, the next first."""
    rows = db.session.execute(_upcoming_statement(limit), {"candidate_id": candidate.id, "after": now - _LONGEST}).all()
    zone = interview_words.candidate_zone(candidate, firm)
    out = []
    for iv, title in rows:
        if iv.starts_at is None or iv.ends_at is None or iv.ends_at <= now:
            continue
        out.append(
            UpcomingInterview(
                iv.id,
                interview_sentence(iv.starts_at, zone),
                str(KIND_WORDS.get(iv.kind, INTERVIEW)),
                str(FORMAT_WORDS.get(iv.format.value, "")),
                title,
                iv.starts_at,
                iv.candidacy_id,
            )
        )
    return out[:limit]


def next_by_candidacy(firm: Firm, now: datetime) -> dict[int, datetime]:
    """When each candidacy's next scheduled interview starts, for the check-ins: one statement
    over the firm's upcoming interviews (few), not a lookup per candidate."""
    rows = db.session.execute(
        select(Interview.candidacy_id, func.min(Interview.starts_at))
        .where(
            Interview.firm_id == firm.id,
            Interview.candidacy_id.is_not(None),
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at > now,
        )
        .group_by(Interview.candidacy_id)
    ).all()
    return {cid: at for cid, at in rows if cid is not None and at is not None}


def timeline(firm: Firm, candidate: Candidate, candidacy_ids: list[int], now: datetime) -> dict[int, list[tuple]]:
    """(when, label, detail) entries of each candidacy's scheduled interviews, for its timeline."""
    out: dict[int, list[tuple]] = {}
    if not candidacy_ids:
        return out
    zone = interview_words.candidate_zone(candidate, firm)
    for iv in db.session.scalars(_timeline_statement(), {"ids": list(candidacy_ids)}):
        assert iv.starts_at is not None and iv.candidacy_id is not None
        what = KIND_WORDS.get(iv.kind, INTERVIEW)
        # Translators: a search's timeline: an interview still to come, e.g. "Interview with the client (coming up)".
        label = _("%(what)s (coming up)", what=what) if iv.starts_at > now else str(what)
        out.setdefault(iv.candidacy_id, []).append((iv.starts_at, label, day_and_time(iv.starts_at, zone)))
    return out


def export(firm: Firm, candidate: Candidate) -> list[dict]:
    """The candidate's interviews and their debriefs for their data export: what they were told
    and what they wrote (never internal notes, never the recruiter's recorded outcome)."""
    rows = db.session.execute(
        select(Interview, Search.title, Debrief)
        .outerjoin(Candidacy, Candidacy.id == Interview.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .outerjoin(Debrief, Debrief.interview_id == Interview.id)
        .where(Interview.candidate_id == candidate.id)
        .order_by(Interview.created_at, Interview.id)
    ).all()
    zone = interview_words.candidate_zone(candidate, firm)
    out = []
    for iv, title, debrief in rows:
        out.append(
            {
                "role": title,
                "what": str(KIND_WORDS.get(iv.kind, INTERVIEW)),
                "round": iv.round,
                "format": str(FORMAT_WORDS.get(iv.format.value, iv.format.value)),
                "where_or_how_to_join": iv.location,
                "starts_at": iv.starts_at.isoformat() if iv.starts_at else None,
                "when": day_and_time(iv.starts_at, zone) if iv.starts_at else None,
                "duration_minutes": iv.duration_minutes,
                "time_zone": iv.timezone,
                "who_you_meet": [
                    {"name": a.get("name"), "title": a.get("title")}
                    for a in (iv.attendees or [])
                    if isinstance(a, dict)
                ],
                "notes_for_you": iv.candidate_notes_md or None,
                "status": iv.state.value,
                "your_reason": iv.candidate_reason,
                "your_availability": iv.candidate_availability,
                "slots_offered": [s.starts_at.isoformat() for s in iv.slots],
                "your_debrief": _debrief(debrief),
            }
        )
    return out


def _debrief(debrief: Debrief | None) -> dict | None:
    if debrief is None:
        return None
    return {
        "sent_at": debrief.created_at.isoformat(),
        "how_it_went": debrief.how_it_went,
        "interest_1_to_5": debrief.interest,
        "questions_or_concerns": debrief.questions or None,
    }
