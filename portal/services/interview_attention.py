"""The recruiter's needs-attention sections after interviews: debriefs the candidates sent
(until seen) and interviews owed feedback under promise 7 (due, then overdue; most overdue
first). One capped walk per list (run with the other lists by
portal/services/dashboard_query.py); it never writes (a debrief is marked seen by
services/debriefs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Candidacy, Candidate, Debrief, Firm, Interview, Search, utcnow
from portal.services import debriefs as debrief_service
from portal.services import interview_feedback
from portal.services.dashboard_query import ASC, Found, Walk


@dataclass
class DebriefRow:
    debrief: Debrief
    interview: Interview
    candidacy_id: int
    candidate_name: str
    search_title: str


def debriefs_walk(me, mine: bool, limit: int) -> Walk:
    """Debriefs not seen yet, oldest first; `me`: the recruiter's id."""
    q = (
        select(
            Debrief.id.label("item_id"),
            Interview.id.label("interview_id"),
            Candidacy.id.label("candidacy_id"),
            Search.id.label("search_id"),
            Candidate.id.label("candidate_id"),
        )
        .select_from(Debrief)
        .join(Interview, Interview.id == Debrief.interview_id)
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Debrief.candidate_id)
        .where(Debrief.seen_at.is_(None), Candidate.deleted_at.is_(None))
    )
    if mine:
        q = q.where(or_(Interview.recruiter_id == me, Search.owner_id == me, Candidate.owner_id == me))
    return Walk("debriefs", q, ((Debrief.created_at, ASC), (Debrief.id, ASC)), limit)


def debrief_rows(found: list[Found]) -> list[DebriefRow]:
    return [DebriefRow(f.item, f.interview, f.candidacy.id, f.candidate.name, f.search.title) for f in found]


def feedback_walk(me, mine: bool, now, limit: int) -> Walk:
    """Held interviews without feedback, the earliest `limit` (promise 7); `me` (the
    recruiter's id) and `now` may be bound parameters."""
    q = interview_feedback.owed_select(
        now,
        me if mine else None,
        Interview.id.label("interview_id"),
        Candidacy.id.label("candidacy_id"),
        Search.id.label("search_id"),
        Candidate.id.label("candidate_id"),
    )
    return Walk("interview_feedback", q, tuple((c, ASC) for c in interview_feedback.OWED_ORDER), limit)


def feedback_rows(firm: Firm, found: list[Found], now: datetime) -> list[interview_feedback.Owed]:
    """The walk's interviews that have ended, most overdue first."""
    out = []
    for f in found:
        row = interview_feedback.owed_row(
            firm,
            now,
            f.interview,
            f.candidacy.id,
            f.candidate.id,
            f.candidate.name,
            f.search.title,
            f.search.owner_id,
            f.candidate.owner_id,
        )
        if row is not None:
            out.append(row)
    out.sort(key=lambda o: (o.deadline, o.interview.id))
    return out


@dataclass
class FollowupRow:
    """One held interview on the candidacy page: the debrief, the outcome, the feedback."""

    interview: Interview
    debrief: Debrief | None
    feedback: list
    owed: bool
    deadline: datetime | None
    overdue: bool
    days: int


def for_candidacy(firm: Firm, candidacy: Candidacy, now: datetime) -> list[FollowupRow]:
    """The candidacy's held interviews, latest first, each with its debrief and feedback
    (three statements whatever the number of interviews)."""
    interviews = [
        iv
        for iv in db.session.scalars(
            select(Interview)
            .where(Interview.candidacy_id == candidacy.id, *interview_feedback.held_conditions(now))
            .order_by(Interview.starts_at.desc(), Interview.id.desc())
        )
        if interview_feedback.is_held(iv, now)
    ]
    ids = [iv.id for iv in interviews]
    debriefs_by = debrief_service.for_interviews(ids)
    feedback_by = interview_feedback.feedback_for(ids)
    return [_row(firm, iv, candidacy, debriefs_by.get(iv.id), feedback_by[iv.id], now) for iv in interviews]


def _row(firm: Firm, iv: Interview, candidacy: Candidacy, debrief, feedback: list, now: datetime) -> FollowupRow:
    owed = interview_feedback.owes_feedback(iv, candidacy, now)
    deadline, overdue, days = interview_feedback.status_of(firm, iv, now) if owed else (None, False, 0)
    return FollowupRow(iv, debrief, feedback, owed, deadline, overdue, days)


def followup_row(firm: Firm, interview: Interview, now: datetime | None = None) -> FollowupRow:
    """One interview's follow-up (the page where the recruiter writes its feedback)."""
    assert interview.candidacy is not None
    return _row(
        firm,
        interview,
        interview.candidacy,
        debrief_service.for_interviews([interview.id]).get(interview.id),
        interview_feedback.feedback_for([interview.id])[interview.id],
        now or utcnow(),
    )
