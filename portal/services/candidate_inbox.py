"""What the firm asked and told one candidate, as the candidate's own pages read it: the consent
requests made to them (to answer before a CV goes to a client) and the messages sent to them in
the portal. Read-only and scoped to the candidate: it must never return another candidate's
rows, a message meant for a recruiter, a cancelled one or one kept out of the portal, and
never writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Audience, Candidacy, Candidate, Consent, ConsentState, Message, MessageState, Search, Stage
from portal.services import NotFound

MESSAGES_PER_PAGE = 25


# ---------------------------------------------------------------- consent


def consents(candidate: Candidate) -> Sequence[Consent]:
    """Every consent request made to this candidate, newest first (candidacy and search loaded)."""
    return (
        db.session.scalars(
            select(Consent)
            .join(Candidacy, Candidacy.id == Consent.candidacy_id)
            .join(Search, Search.id == Candidacy.search_id)
            .options(contains_eager(Consent.candidacy).contains_eager(Candidacy.search))
            .where(Candidacy.candidate_id == candidate.id)
            .order_by(Consent.requested_at.desc(), Consent.id.desc())
        )
        .unique()
        .all()
    )


@dataclass(frozen=True, slots=True)
class ConsentLine:
    """A consent request as the candidate's consents page lists it (read as columns)."""

    id: int
    state: ConsentState
    requested_at: datetime
    answered_at: datetime | None
    cv_sent_at: datetime | None
    client_name: str
    role_title: str
    is_open: bool  # the candidacy is still open (a waiting request can still be answered)


@lru_cache(maxsize=1)
def _consent_lines_statement() -> Select:
    return (
        select(
            Consent.id,
            Consent.state,
            Consent.requested_at,
            Consent.answered_at,
            Consent.cv_sent_at,
            Consent.client_name,
            Consent.role_title,
            Candidacy.stage,
        )
        .join(Candidacy, Candidacy.id == Consent.candidacy_id)
        .where(Candidacy.candidate_id == bindparam("candidate_id"))
        .order_by(Consent.requested_at.desc(), Consent.id.desc())
    )


def consent_lines(candidate: Candidate) -> list[ConsentLine]:
    """consents() for the consents page: the same requests in the same order, as columns (the
    page needs no candidacy nor search object; its statement is built once)."""
    return [
        ConsentLine(
            r.id, r.state, r.requested_at, r.answered_at, r.cv_sent_at, r.client_name, r.role_title, r.stage.is_open
        )
        for r in db.session.execute(_consent_lines_statement(), {"candidate_id": candidate.id})
    ]


def consent_for(candidate: Candidate, consent_id: int) -> Consent:
    row = db.session.scalar(
        select(Consent)
        .join(Candidacy, Candidacy.id == Consent.candidacy_id)
        .options(contains_eager(Consent.candidacy).joinedload(Candidacy.search))
        .where(Consent.id == consent_id, Candidacy.candidate_id == candidate.id)
    )
    if row is None:
        raise NotFound(_("No such consent request."))
    return row


def open_consent_count(candidate: Candidate) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Consent)
            .join(Candidacy, Candidacy.id == Consent.candidacy_id)
            .where(
                Candidacy.candidate_id == candidate.id,
                Consent.state == ConsentState.REQUESTED,
                Candidacy.stage.not_in((Stage.CLOSED, Stage.PLACED)),
            )
        )
        or 0
    )


# ---------------------------------------------------------------- messages


def _messages_stmt(candidate: Candidate):
    return select(Message).where(
        Message.candidate_id == candidate.id,
        Message.audience == Audience.CANDIDATE,
        Message.show_in_portal.is_(True),
        Message.state != MessageState.CANCELLED,
    )


def messages(candidate: Candidate, page: int = 1, per_page: int = MESSAGES_PER_PAGE) -> tuple[list[Message], bool]:
    """A page of the messages the firm sent this candidate, newest first; and whether more follow."""
    page = max(1, min(page, 10_000))
    rows = db.session.scalars(
        _messages_stmt(candidate)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return list(rows[:per_page]), len(rows) > per_page


def message_for(candidate: Candidate, message_id: int) -> Message:
    row = db.session.scalar(_messages_stmt(candidate).where(Message.id == message_id))
    if row is None:
        raise NotFound(_("No such message."))
    return row
