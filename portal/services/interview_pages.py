"""Read models of the interview pages: the candidate's preparation page (the company unless it is
a confidential client they were not told, the role and its pay, who they meet, how to join, what
to prepare, the rounds so far and to come, and the stages), the candidate's list on a search page,
and the recruiter's "Interviews" section of a candidacy. A fixed number of queries whatever the
number of interviews; never writes; internal notes are read only by the recruiter's models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, Firm, Search
from portal.models.interview import Interview, InterviewState
from portal.services import candidate_portal, interview_choices, interviews
from portal.services.interview_messages import (
    CANDIDATE_STATE_WORDS,
    KIND_LABELS,
    KIND_WORDS,
    STATE_WORDS,
    Facts,
    facts,
    told,
    when_text,
)
from portal.services.interview_times import reader_zone


@dataclass
class Round:
    """One interview of the candidacy as a step of the process, for the candidate."""

    interview_id: int
    what: str
    when: str
    state: str
    this: bool
    past: bool


@dataclass
class Preparation:
    interview: Interview
    facts: Facts
    search: Search | None
    slots: list[tuple[int, str]] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    steps: list = field(default_factory=list)
    can_pick: bool = False
    can_reschedule: bool = False
    can_decline: bool = False
    has_invitation: bool = False
    state_words: str = ""


def _kind_and_round(r: Interview) -> str:
    """ "Video call", or "Video call (round 2)" from the second round on."""
    if r.round > 1:
        # Translators: an interview's kind and its round, e.g. "Video call (round 2)".
        return _("%(kind)s (round %(round)d)", kind=KIND_WORDS[r.kind], round=r.round)
    return str(KIND_WORDS[r.kind])


def _rounds(candidacy_id: int, this_id: int, zone_name: str, now: datetime) -> list[Round]:
    rows = db.session.scalars(
        select(Interview)
        .where(Interview.candidacy_id == candidacy_id, Interview.state != InterviewState.CANCELLED)
        .order_by(Interview.starts_at.is_(None), Interview.starts_at, Interview.round, Interview.id)
    ).all()
    return [
        Round(
            interview_id=r.id,
            what=_kind_and_round(r),
            when=when_text(r.starts_at, zone_name) if r.starts_at else _("Time to be agreed"),
            state=str(CANDIDATE_STATE_WORDS[r.state]),
            this=r.id == this_id,
            past=bool(r.ends_at and r.ends_at < now),
        )
        for r in rows
    ]


def preparation(firm: Firm, candidate: Candidate, interview_id: int) -> Preparation:
    """The candidate's preparation page of their own interview (NotFound for any other)."""
    from portal.models import utcnow

    interview = interview_choices.for_candidate(candidate, interview_id)
    candidacy = interview.candidacy
    was_told = told(interview)
    f = facts(firm, interview, was_told)
    now = utcnow()
    state = interview.state
    upcoming = interview.starts_at is None or interview.starts_at > now
    prep = Preparation(
        interview=interview,
        facts=f,
        search=candidacy.search if candidacy is not None else None,
        can_pick=state == InterviewState.PROPOSED,
        can_reschedule=state == InterviewState.SCHEDULED and upcoming,
        can_decline=state in interviews.OPEN_STATES and upcoming,
        has_invitation=state == InterviewState.SCHEDULED,
        state_words=str(CANDIDATE_STATE_WORDS[state]),
    )
    if prep.can_pick:
        prep.slots = [
            (s.id, when_text(s.starts_at, f.zone, interview.duration_minutes))
            for s in interview.slots
            if s.starts_at > now
        ]
    if candidacy is not None:
        prep.rounds = _rounds(candidacy.id, interview.id, f.zone, now)
        prep.steps = candidate_portal.steps_for(candidacy.stage)
    return prep


@dataclass
class CandidateRow:
    interview_id: int
    what: str
    when: str
    state: str


def for_candidate_candidacy(firm: Firm, candidate: Candidate, candidacy_id: int) -> list[CandidateRow]:
    """The candidate's interviews in one search (one query), soonest first."""
    zone_name = reader_zone(candidate.timezone, firm.timezone)
    rows = db.session.scalars(
        select(Interview)
        .where(
            Interview.candidacy_id == candidacy_id,
            Interview.candidate_id == candidate.id,
            Interview.state != InterviewState.CANCELLED,
        )
        .order_by(Interview.starts_at.is_(None), Interview.starts_at, Interview.id)
    ).all()
    return [
        CandidateRow(
            r.id,
            _kind_and_round(r),
            when_text(r.starts_at, zone_name, r.duration_minutes) if r.starts_at else _("Time to be agreed"),
            str(CANDIDATE_STATE_WORDS[r.state]),
        )
        for r in rows
    ]


@dataclass
class RecruiterRow:
    interview: Interview
    kind: str
    state: str
    answer_waiting: bool


def for_candidacy(candidacy: Candidacy) -> list[RecruiterRow]:
    """The recruiter's list of a candidacy's interviews with their slots (two queries)."""
    rows = db.session.scalars(
        select(Interview)
        .where(Interview.candidacy_id == candidacy.id)
        .options(selectinload(Interview.slots))
        .order_by(Interview.created_at.desc(), Interview.id.desc())
    ).all()
    return [
        RecruiterRow(
            r,
            _("%(kind)s, round %(round)d", kind=KIND_LABELS[r.kind], round=r.round)
            if r.round > 1
            else str(KIND_LABELS[r.kind]),
            str(STATE_WORDS[r.state]),
            r.candidate_answered_at is not None and r.answer_seen_at is None,
        )
        for r in rows
    ]
