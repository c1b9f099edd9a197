"""Interviews as the candidate sees them on their home and in each search's timeline: the next
interview first, in their own time zone, in plain words ("Your interview on Tuesday 12 May at
10:00"). One statement per list whatever the number of interviews. Read-only; internal notes
and outcomes are never read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidacy, Candidate, Debrief, Firm, Interview, InterviewKind, InterviewState, Search
from portal.services import interview_words

KIND_WORDS = {
    InterviewKind.RECRUITER_SCREEN: "Conversation with your recruiter",
    InterviewKind.CLIENT: "Interview with the client",
    InterviewKind.ASSESSMENT: "Assessment",
    InterviewKind.OTHER: "Interview",
    InterviewKind.OFFICE_HOURS: "Call with your recruiter",
}
# An interview lasts at most this long (the list reads back this far, then checks `ends_at`).
_LONGEST = timedelta(hours=24)
FORMAT_WORDS = {"phone": "by phone", "video": "by video", "on_site": "on site"}


@dataclass
class UpcomingInterview:
    id: int
    sentence: str  # "Your interview on Tuesday 12 May at 10:00"
    what: str  # "Interview with the client"
    how: str  # "by video"
    title: str | None  # the search's title (None for office hours)
    starts_at: datetime
    candidacy_id: int | None = None


def upcoming(firm: Firm, candidate: Candidate, now: datetime, limit: int = 5) -> list[UpcomingInterview]:
    """The candidate's scheduled interviews that have not ended yet, the next first."""
    rows = db.session.execute(
        select(Interview, Search.title)
        .outerjoin(Candidacy, Candidacy.id == Interview.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .where(
            Interview.candidate_id == candidate.id,
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at.is_not(None),
            # started up to a working day ago: still "today's interview" until it ends
            Interview.starts_at > now - _LONGEST,
        )
        .order_by(Interview.starts_at, Interview.id)
        .limit(limit + 10)
    ).all()
    zone = interview_words.candidate_zone(candidate, firm)
    out = []
    for iv, title in rows:
        if iv.starts_at is None or iv.ends_at is None or iv.ends_at <= now:
            continue
        out.append(
            UpcomingInterview(
                iv.id,
                interview_words.interview_sentence(iv.starts_at, zone),
                KIND_WORDS.get(iv.kind, "Interview"),
                FORMAT_WORDS.get(iv.format.value, ""),
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
    for iv in db.session.scalars(
        select(Interview)
        .where(
            Interview.candidacy_id.in_(candidacy_ids),
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at.is_not(None),
        )
        .order_by(Interview.starts_at, Interview.id)
    ):
        assert iv.starts_at is not None and iv.candidacy_id is not None
        what = KIND_WORDS.get(iv.kind, "Interview")
        label = f"{what} (coming up)" if iv.starts_at > now else what
        out.setdefault(iv.candidacy_id, []).append(
            (iv.starts_at, label, interview_words.short_when(iv.starts_at, zone))
        )
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
                "what": KIND_WORDS.get(iv.kind, "Interview"),
                "round": iv.round,
                "format": FORMAT_WORDS.get(iv.format.value, iv.format.value),
                "where_or_how_to_join": iv.location,
                "starts_at": iv.starts_at.isoformat() if iv.starts_at else None,
                "when": interview_words.short_when(iv.starts_at, zone) if iv.starts_at else None,
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
