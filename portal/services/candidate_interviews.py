"""Interviews as the candidate sees them on their home and in each search's timeline: the next
interview first, in their own time zone, in plain words ("Your interview on Tuesday 12 May at
10:00"). One statement per list whatever the number of interviews. Read-only; internal notes
and outcomes are never read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidacy, Candidate, Firm, Interview, InterviewKind, InterviewState, Search
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
        if iv.ends_at is None or iv.ends_at <= now:
            continue
        out.append(
            UpcomingInterview(
                iv.id,
                interview_words.interview_sentence(iv.starts_at, zone),
                KIND_WORDS.get(iv.kind, "Interview"),
                FORMAT_WORDS.get(iv.format.value, ""),
                title,
                iv.starts_at,
            )
        )
    return out[:limit]


def next_by_candidacy(firm: Firm, now: datetime) -> dict[int, datetime]:
    """When each candidacy's next scheduled interview starts, for the check-ins: one statement
    over the firm's upcoming interviews (few), not a lookup per candidate."""
    return dict(
        db.session.execute(
            select(Interview.candidacy_id, func.min(Interview.starts_at))
            .where(
                Interview.firm_id == firm.id,
                Interview.candidacy_id.is_not(None),
                Interview.state == InterviewState.SCHEDULED,
                Interview.starts_at > now,
            )
            .group_by(Interview.candidacy_id)
        ).all()
    )


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
        out.setdefault(iv.candidacy_id, []).append((iv.starts_at, label, interview_words.when_text(iv.starts_at, zone)))
    return out

