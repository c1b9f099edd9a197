"""The promises as numbers an operator can watch (the /metrics gauges): how many people the
installation is letting down right now, across every firm. Read-only, a few grouped statements
whatever the data size; each counts what the promise's own rule counts elsewhere."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, distinct, func, or_, select

from portal.extensions import db
from portal.models import (
    Author,
    Candidacy,
    Candidate,
    ConversationMessage,
    Firm,
    Interview,
    Message,
    MessageState,
    Search,
    Stage,
)
from portal.services.cadence import active_candidacy_filter
from portal.services.interview_feedback import owed_conditions

SPAN = {"all_firms": True}  # operator figures: every firm of the installation, never shown to a firm


def active_past_cadence(now: datetime) -> int:
    """Promise 1: active candidates whose last update is older than their firm's cadence (one
    statement per distinct cadence length in use, usually one or two)."""
    total = 0
    lengths = db.session.scalars(select(Firm.cadence_days).where(Firm.disabled.is_(False)).distinct())
    for days in list(lengths):
        cutoff = now - timedelta(days=days)
        total += (
            db.session.scalar(
                select(func.count(distinct(Candidacy.candidate_id)))
                .join(Search, Search.id == Candidacy.search_id)
                .join(Candidate, Candidate.id == Candidacy.candidate_id)
                .join(Firm, Firm.id == Candidacy.firm_id)
                .where(
                    Firm.cadence_days == days,
                    Firm.disabled.is_(False),
                    *active_candidacy_filter(),
                    or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at < cutoff),
                )
                .execution_options(**SPAN)
            )
            or 0
        )
    return total


def closed_without_close_the_loop() -> int:
    """Promise 2: closed candidacies with no close-the-loop message written for them."""
    told = select(Message.id).where(Message.candidacy_id == Candidacy.id, Message.kind == "candidacy_closed").exists()
    return (
        db.session.scalar(
            select(func.count(Candidacy.id)).where(Candidacy.stage == Stage.CLOSED, ~told).execution_options(**SPAN)
        )
        or 0
    )


def interviews_owed_feedback(now: datetime) -> tuple[int, int]:
    """Promise 7: held interviews with no candidate-facing feedback yet, and how many of them are
    past their window (the candidate was told the firm is still waiting)."""
    owed, overdue = db.session.execute(
        select(func.count(Interview.id), func.count(Interview.waiting_notice_at))
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .where(*owed_conditions(now))
        .execution_options(**SPAN)
    ).one()
    return int(owed or 0), int(overdue or 0)


def candidate_messages_unanswered(now: datetime) -> tuple[int, int]:
    """Promise 8: candidate messages with no answer yet (neither replied to nor marked "no reply
    needed"), and how many of them are past their reply window."""
    waiting, overdue = db.session.execute(
        select(
            func.count(ConversationMessage.id),
            func.count(ConversationMessage.id).filter(ConversationMessage.reply_due_at < now),
        )
        .join(Candidate, Candidate.id == ConversationMessage.candidate_id)
        .join(Firm, Firm.id == ConversationMessage.firm_id)
        .where(
            ConversationMessage.author == Author.CANDIDATE,
            ConversationMessage.answered_at.is_(None),
            Candidate.deleted_at.is_(None),
            Firm.disabled.is_(False),
        )
        .execution_options(**SPAN)
    ).one()
    return int(waiting or 0), int(overdue or 0)


def outbox_backlog(now: datetime) -> tuple[int, float]:
    """Messages due and not yet sent (pending or being sent), and the age of the oldest, in seconds."""
    waiting = and_(Message.state.in_((MessageState.PENDING, MessageState.SENDING)), Message.due_at <= now)
    count, oldest = db.session.execute(
        select(func.count(Message.id), func.min(Message.due_at)).where(waiting).execution_options(**SPAN)
    ).one()
    oldest_at: datetime | None = oldest  # UTC-aware: min() keeps the column's type
    return int(count or 0), (now - oldest_at).total_seconds() if oldest_at is not None else 0.0


def messages_by_state(since: datetime) -> dict[str, int]:
    """Deliveries by outcome: messages created since `since`, by state."""
    rows = db.session.execute(
        select(Message.state, func.count(Message.id))
        .where(Message.created_at >= since)
        .group_by(Message.state)
        .execution_options(**SPAN)
    )
    counts = {state.value: 0 for state in MessageState}
    for state, n in rows:
        counts[MessageState(state).value] = n
    return counts
