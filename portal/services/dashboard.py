""""Needs attention": the recruiter's home. Who is overdue for contact, consent requests
waiting, interested candidates, candidate updates and availability changes, failed messages.

Each list is one query (plus one for its related rows) and is capped, so the page costs
the same however big the firm is. Scope "mine" is the recruiter's own searches and
candidates; "firm" is everyone's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.models import (
    OPEN_STAGES, Candidacy, Candidate, CandidateUpdate, Consent, ConsentState, Firm, Interest, Message,
    MessageState, Search, SearchState, Stage, UpdateKind, User, utcnow,
)
from portal.services import DomainError
from portal.services import pipeline

LIMIT = 50
AVAILABILITY_DAYS = 14
FAILED_DAYS = 30
# Stages at which the candidate knows they are in the search and is owed regular updates.
ACTIVE_STAGES = tuple(s for s in pipeline.CANDIDATE_KNOWS if s.is_open)


@dataclass
class OverdueRow:
    candidate: Candidate
    days: int | None  # None: never contacted
    candidacies: list[Candidacy]


@dataclass
class ConsentRow:
    consent: Consent
    candidacy: Candidacy
    days: int


@dataclass
class Section:
    rows: list
    more: bool = False


@dataclass
class Attention:
    scope: str
    cadence_days: int
    overdue: Section = field(default_factory=lambda: Section([]))
    consents: Section = field(default_factory=lambda: Section([]))
    interests: Section = field(default_factory=lambda: Section([]))
    updates: Section = field(default_factory=lambda: Section([]))
    availability: Section = field(default_factory=lambda: Section([]))
    failed: Section = field(default_factory=lambda: Section([]))

    @property
    def empty(self) -> bool:
        return not any(s.rows for s in (self.overdue, self.consents, self.interests, self.updates,
                                        self.availability, self.failed))


def _cap(rows: list) -> Section:
    return Section(rows[:LIMIT], len(rows) > LIMIT)


def _days(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max((now - then).days, 0)


def needs_attention(firm: Firm, user: User, scope: str = "mine") -> Attention:
    mine = scope != "firm"
    now = utcnow()
    out = Attention(scope="mine" if mine else "firm", cadence_days=firm.cadence_days)
    out.overdue = _overdue(firm, user, mine, now)
    out.consents = _consents(user, mine, now)
    out.interests = _interests(user, mine)
    out.updates = _updates(user, mine)
    out.availability = _availability(user, mine, now)
    out.failed = _failed(user, mine, now)
    return out


def _active_candidacies(user: User, mine: bool):
    q = (select(Candidacy.candidate_id).join(Search, Search.id == Candidacy.search_id)
         .where(Search.state == SearchState.OPEN, Candidacy.stage.in_(ACTIVE_STAGES)))
    if mine:
        q = q.join(Candidate, Candidate.id == Candidacy.candidate_id).where(
            or_(Search.owner_id == user.id, Candidate.owner_id == user.id))
    return q


def _overdue(firm: Firm, user: User, mine: bool, now: datetime) -> Section:
    cutoff = now - timedelta(days=firm.cadence_days)
    people = list(db.session.scalars(
        select(Candidate)
        .where(Candidate.id.in_(_active_candidacies(user, mine)), Candidate.deleted_at.is_(None),
               or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at < cutoff))
        .order_by(Candidate.last_contacted_at.asc().nulls_first(), Candidate.id)
        .limit(LIMIT + 1)
    ))
    by_id: dict[int, list[Candidacy]] = {c.id: [] for c in people}
    if people:
        for cy in db.session.scalars(
            select(Candidacy).join(Search, Search.id == Candidacy.search_id)
            .where(Candidacy.candidate_id.in_(by_id), Search.state == SearchState.OPEN,
                   Candidacy.stage.in_(ACTIVE_STAGES))
            .options(contains_eager(Candidacy.search).joinedload(Search.client))
            .order_by(Candidacy.stage_changed_at)
        ).unique():
            by_id[cy.candidate_id].append(cy)
    return _cap([OverdueRow(c, _days(now, c.last_contacted_at), by_id[c.id]) for c in people])


def _consents(user: User, mine: bool, now: datetime) -> Section:
    q = (select(Consent, Candidacy)
         .join(Candidacy, Candidacy.id == Consent.candidacy_id)
         .join(Search, Search.id == Candidacy.search_id)
         .join(Candidate, Candidate.id == Candidacy.candidate_id)
         .where(Consent.state == ConsentState.REQUESTED, Candidacy.stage.in_(OPEN_STAGES))
         .options(contains_eager(Candidacy.search), contains_eager(Candidacy.candidate))
         .order_by(Consent.requested_at, Consent.id).limit(LIMIT + 1))
    if mine:
        q = q.where(or_(Search.owner_id == user.id, Candidate.owner_id == user.id))
    rows = [ConsentRow(consent, cy, _days(now, consent.requested_at) or 0)
            for consent, cy in db.session.execute(q).unique()]
    return _cap(rows)


def _interests(user: User, mine: bool) -> Section:
    q = (select(Interest).join(Interest.candidate).join(Interest.search)
         .where(Interest.handled_at.is_(None), Candidate.deleted_at.is_(None))
         .options(contains_eager(Interest.candidate), contains_eager(Interest.search).joinedload(Search.client))
         .order_by(Interest.created_at, Interest.id).limit(LIMIT + 1))
    if mine:
        q = q.where(or_(Search.owner_id == user.id, Candidate.owner_id == user.id))
    return _cap(list(db.session.scalars(q).unique()))


def _updates(user: User, mine: bool) -> Section:
    q = (select(CandidateUpdate).join(CandidateUpdate.candidate)
         .where(CandidateUpdate.handled_at.is_(None))
         .options(contains_eager(CandidateUpdate.candidate))
         .order_by(CandidateUpdate.created_at, CandidateUpdate.id).limit(LIMIT + 1))
    if mine:
        q = q.where(or_(Candidate.owner_id == user.id,
                        CandidateUpdate.search_id.in_(select(Search.id).where(Search.owner_id == user.id))))
    return _cap(list(db.session.scalars(q).unique()))


def _availability(user: User, mine: bool, now: datetime) -> Section:
    """Candidates who changed their availability lately and whose change nobody handled yet
    (an unhandled availability update is listed under updates instead)."""
    handled_or_listed = exists().where(
        CandidateUpdate.candidate_id == Candidate.id, CandidateUpdate.kind == UpdateKind.AVAILABILITY,
        or_(CandidateUpdate.handled_at.is_(None), CandidateUpdate.handled_at >= Candidate.availability_changed_at),
    )
    q = (select(Candidate)
         .where(Candidate.availability_changed_at >= now - timedelta(days=AVAILABILITY_DAYS),
                Candidate.deleted_at.is_(None), ~handled_or_listed)
         .order_by(Candidate.availability_changed_at.desc(), Candidate.id).limit(LIMIT + 1))
    if mine:
        q = q.where(Candidate.owner_id == user.id)
    return _cap(list(db.session.scalars(q)))


def _failed(user: User, mine: bool, now: datetime) -> Section:
    q = (select(Message, Candidate).outerjoin(Candidate, Candidate.id == Message.candidate_id)
         .where(Message.state == MessageState.FAILED, Message.created_at >= now - timedelta(days=FAILED_DAYS))
         .order_by(Message.created_at.desc(), Message.id.desc()).limit(LIMIT + 1))
    if mine:
        q = q.where(or_(Candidate.owner_id == user.id, Message.recipient_user_id == user.id))
    return _cap([(m, c) for m, c in db.session.execute(q)])


# ------------------------------------------------------------------ one-click actions

def mark_interest_handled(firm: Firm, actor: User, interest: Interest) -> None:
    if interest.handled_at is None:
        interest.handled_at = utcnow()
    db.session.flush()


def add_interested_to_search(firm: Firm, actor: User, interest: Interest) -> Candidacy:
    """The candidate said "I'm interested": put them in the search's pipeline (contacted)."""
    existing = db.session.scalar(select(Candidacy).where(
        Candidacy.search_id == interest.search_id, Candidacy.candidate_id == interest.candidate_id))
    if existing is not None:
        interest.handled_at = interest.handled_at or utcnow()
        db.session.flush()
        return existing
    candidacy = pipeline.add_to_search(firm, actor, interest.search, interest.candidate, Stage.CONTACTED)
    interest.handled_at = utcnow()
    db.session.flush()
    return candidacy


def mark_update_handled(firm: Firm, actor: User, update: CandidateUpdate) -> None:
    if update.handled_at is None:
        update.handled_at = utcnow()
    db.session.flush()


def retry_message(firm: Firm, actor: User, message: Message) -> Message:
    """Send a failed message again, to the candidate's current address if it changed."""
    if message.state != MessageState.FAILED:
        raise DomainError("Only a failed message can be sent again.")
    candidate = db.session.get(Candidate, message.candidate_id) if message.candidate_id else None
    if candidate is not None and candidate.deleted_at is not None:
        raise DomainError("This candidate deleted their account.")
    if candidate is not None and candidate.email and candidate.email != message.to_email:
        message.to_email = candidate.email
        candidate.email_failures = 0
        candidate.email_suppressed = False
    if not message.to_email:
        raise DomainError("There is no email address to send it to. Add one to the candidate first.")
    message.state = MessageState.PENDING
    message.attempts = 0
    message.last_error = None
    message.due_at = utcnow()
    message.enqueued_at = None
    db.session.flush()
    # Enqueued after commit, like any new message of the outbox.
    db.session.info.setdefault("outbox_ids", set()).add(message.id)
    return message
