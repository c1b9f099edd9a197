""" "Interview answers" on the recruiter's needs-attention list: a candidate asked to reschedule,
declined, or found no proposed time that suits, and the recruiter has not handled it yet
(`Interview.answer_seen_at`). One query, capped, oldest answer first; "mine" is the interviews
the recruiter organises, their candidates' and their searches'. Reads only (the "handled" mark is
services/interviews.mark_answer_seen)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Load

from portal.extensions import db
from portal.models import Candidacy, Candidate, Search, User
from portal.models.interview import Interview, InterviewState

# The answers that wait for the recruiter (a declined interview is an answer too).
ANSWER_STATES = (InterviewState.NEEDS_NEW_TIME, InterviewState.DECLINED)


@dataclass
class AnswerRow:
    interview: Interview
    candidate: Candidate
    search: Search | None


def interview_answers(user: User, mine: bool, limit: int) -> tuple[list[AnswerRow], bool]:
    """The candidates' unhandled answers (up to `limit`) and whether there are more."""
    q = (
        select(Interview, Candidate, Search)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Candidacy, Candidacy.id == Interview.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .options(
            Load(Candidate).load_only(Candidate.name, Candidate.owner_id, raiseload=True),
            Load(Search).load_only(Search.title, Search.owner_id, raiseload=True),
            Load(Interview).raiseload("*"),
        )
        .where(
            Interview.candidate_answered_at.is_not(None),
            Interview.answer_seen_at.is_(None),
            Interview.state.in_(ANSWER_STATES),
            Candidate.deleted_at.is_(None),
        )
        .order_by(Interview.candidate_answered_at, Interview.id)
        .limit(limit + 1)
    )
    if mine:
        q = q.where(or_(Interview.recruiter_id == user.id, Candidate.owner_id == user.id, Search.owner_id == user.id))
    rows = [AnswerRow(i, c, s) for i, c, s in db.session.execute(q)]
    return rows[:limit], len(rows) > limit
