""" "Interview answers" on the recruiter's needs-attention list: a candidate asked to reschedule,
declined, or found no proposed time that suits, and the recruiter has not handled it yet
(`Interview.answer_seen_at`). One capped walk (run with the other lists by
portal/services/dashboard_query.py), oldest answer first; "mine" is the interviews the recruiter
organises, their candidates' and their searches'. Reads only (the "handled" mark is
services/interviews.mark_answer_seen)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from portal.models import Candidacy, Candidate, Search
from portal.models.interview import Interview, InterviewState
from portal.services.dashboard_query import ASC, Found, Walk

# The answers that wait for the recruiter (a declined interview is an answer too).
ANSWER_STATES = (InterviewState.NEEDS_NEW_TIME, InterviewState.DECLINED)


@dataclass
class AnswerRow:
    interview: Interview
    candidate: Candidate
    search: Search | None


def answers_walk(me, mine: bool, limit: int) -> Walk:
    """The candidates' unhandled answers, oldest first (up to `limit`); `me`: the recruiter's id."""
    q = (
        select(
            Interview.id.label("interview_id"),
            Candidate.id.label("candidate_id"),
            Candidacy.id.label("candidacy_id"),
            Search.id.label("search_id"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Candidacy, Candidacy.id == Interview.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .where(
            Interview.candidate_answered_at.is_not(None),
            Interview.answer_seen_at.is_(None),
            Interview.state.in_(ANSWER_STATES),
            Candidate.deleted_at.is_(None),
        )
    )
    if mine:
        q = q.where(or_(Interview.recruiter_id == me, Candidate.owner_id == me, Search.owner_id == me))
    return Walk("interview-answers", q, ((Interview.candidate_answered_at, ASC), (Interview.id, ASC)), limit)


def answer_rows(found: list[Found]) -> list[AnswerRow]:
    return [AnswerRow(f.interview, f.candidate, f.search) for f in found]
