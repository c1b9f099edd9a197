"""Jobs take ids, never objects, and are idempotent: running one twice changes nothing more."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portal import mailer
from portal.extensions import db
from portal.models import Audience, Candidate, Firm, Message, MessageState, utcnow
from portal.outbox import enqueue_delivery
from portal.tenancy import all_firms, bind_firm
from worker.app import job

log = logging.getLogger(__name__)
MAX_TRANSIENT_ATTEMPTS = 8
SENDING_LEASE = timedelta(minutes=10)  # longer than the job timeout (120 s)
RELAY_BATCH = 5000
SUPPRESS_AFTER = 3


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, capped at an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def delivery_blocked(msg: Message, candidate: Candidate | None) -> str | None:
    """Why this message must not be emailed now (checked at send time), or None."""
    if not msg.to_email:
        return "no email address"
    if candidate is not None and msg.audience == Audience.CANDIDATE:
        if candidate.deleted_at is not None:
            return "the candidate deleted their account"
        if candidate.email_suppressed:
            return "email suppressed after repeated permanent failures"
        if msg.stream and candidate.unsubscribed_all:
            return "the candidate unsubscribed from optional emails"
    return None


def _claim(message_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(Message)
        .where(Message.id == message_id, Message.state == MessageState.PENDING, Message.due_at <= now)
        .values(state=MessageState.SENDING, claimed_at=now, attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def headers_for(firm: Firm, msg: Message, candidate: Candidate | None) -> dict[str, str]:
    return {}


@job
def deliver_message(message_id: int) -> str:
    """Claim (pending -> sending), send, mark sent. A second run finds nothing to claim."""
    with all_firms():
        firm_id = db.session.scalar(select(Message.firm_id).where(Message.id == message_id))
    if firm_id is None:
        return "missing"
    bind_firm(firm_id)
    if not _claim(message_id):
        return "not claimable"
    msg = db.session.get(Message, message_id)
    firm = db.session.get(Firm, firm_id)
    candidate = db.session.get(Candidate, msg.candidate_id) if msg.candidate_id else None
    blocked = delivery_blocked(msg, candidate)
    if blocked:
        msg.state = MessageState.SKIPPED
        msg.last_error = blocked
        return "skipped"
    email = mailer.build_email(firm, msg, headers_for(firm, msg, candidate))
    try:
        mailer.send(email)
    except mailer.TransientError as exc:
        msg.last_error = str(exc)[:1000]
        if msg.attempts >= MAX_TRANSIENT_ATTEMPTS:
            msg.state = MessageState.FAILED
            msg.last_error = f"gave up after {msg.attempts} attempts: {exc}"[:1000]
            return "failed"
        msg.state = MessageState.PENDING
        msg.due_at = utcnow() + backoff(msg.attempts)
        return "retry"
    except mailer.PermanentError as exc:
        msg.state = MessageState.FAILED
        msg.last_error = str(exc)[:1000]
        if candidate is not None and msg.audience == Audience.CANDIDATE and candidate.email == msg.to_email:
            candidate.email_failures += 1
            if candidate.email_failures >= SUPPRESS_AFTER:
                candidate.email_suppressed = True
        return "failed"
    msg.state = MessageState.SENT
    msg.sent_at = utcnow()
    msg.last_error = None
    return "sent"


@job
def relay() -> int:
    """Re-enqueue messages that are due and unsent; recover sends lost with a worker.

    Covers a lost job, a flushed Redis and a Redis outage at commit time.
    """
    now = utcnow()
    with all_firms():
        db.session.execute(
            update(Message)
            .where(Message.state == MessageState.SENDING, Message.claimed_at < now - SENDING_LEASE)
            .values(state=MessageState.PENDING, last_error="the worker stopped during the send; retrying")
            .execution_options(synchronize_session=False)
        )
        grace = timedelta(seconds=current_app.config.get("RELAY_MIN_AGE_SECONDS", 20))
        ids = db.session.scalars(
            select(Message.id)
            .where(
                Message.state == MessageState.PENDING,
                Message.due_at <= now - grace,
                or_(Message.enqueued_at.is_(None), Message.enqueued_at < now - timedelta(minutes=5)),
            )
            .order_by(Message.due_at)
            .limit(RELAY_BATCH)
        ).all()
        if ids:
            db.session.execute(
                update(Message).where(Message.id.in_(ids)).values(enqueued_at=now)
                .execution_options(synchronize_session=False)
            )
    db.session.commit()
    return enqueue_delivery(ids)
