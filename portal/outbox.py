"""The outbox: a message is a row written in the caller's transaction; its id is enqueued
on RQ only after commit. If Redis is down the request still succeeds and the relay
(worker/schedule.py) enqueues it later. Nothing the candidate should hear is lost.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Audience, Candidate, Firm, Message, MessageState, utcnow
from portal.redis_conn import MESSAGES, get_queue
from portal.templating import render_email

log = logging.getLogger(__name__)
DELIVER = "worker.jobs.deliver_message"


def record(
    firm: Firm,
    *,
    kind: str,
    dedupe_key: str,
    audience: Audience,
    to_email: str | None,
    to_name: str | None = None,
    context: dict | None = None,
    candidate: Candidate | None = None,
    candidacy_id: int | None = None,
    recipient_user_id: int | None = None,
    stream: str | None = None,
    grace: bool = False,
    coalesce_key: str | None = None,
    show_in_portal: bool = True,
) -> Message:
    """Write a message (rendered now, sent later). Idempotent on `dedupe_key`.

    `grace=True` holds it for the firm's grace window so an undo can cancel it; a later
    message with the same `coalesce_key` inside the window replaces the earlier one.
    """
    session = db.session
    existing = session.scalar(select(Message).where(Message.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    now = utcnow()
    due = now
    if grace:
        due = now + timedelta(seconds=current_app.config["GRACE_SECONDS"])
    if coalesce_key and grace:
        earlier = session.scalars(
            select(Message).where(
                Message.coalesce_key == coalesce_key,
                Message.state == MessageState.PENDING,
                Message.due_at > now,
            )
        ).all()
        for old in earlier:
            old.state = MessageState.CANCELLED
            old.last_error = "replaced by a later change within the grace window"
            due = min(due, old.due_at)
    subject, text, html = render_email(
        firm, kind, candidate=candidate, to_name=to_name, **(context or {})
    )
    msg = Message(
        firm_id=firm.id,
        kind=kind,
        audience=audience,
        stream=stream,
        recipient_user_id=recipient_user_id,
        candidate_id=candidate.id if candidate is not None else None,
        candidacy_id=candidacy_id,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        body_text=text,
        body_html=html,
        dedupe_key=dedupe_key[:200],
        coalesce_key=coalesce_key,
        due_at=due,
        show_in_portal=show_in_portal,
    )
    session.add(msg)
    if candidate is not None and audience == Audience.CANDIDATE:
        candidate.last_contacted_at = now
    session.flush()
    if due <= now:
        session.info.setdefault("outbox_ids", set()).add(msg.id)
    return msg


def cancel_pending(coalesce_key: str) -> int:
    """Undo within the grace window: cancel messages for this key not yet sent."""
    result = db.session.execute(
        update(Message)
        .where(Message.coalesce_key == coalesce_key, Message.state == MessageState.PENDING,
               Message.due_at > utcnow())
        .values(state=MessageState.CANCELLED, last_error="undone within the grace window")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def enqueue_delivery(message_ids, app: Flask | None = None) -> int:
    """Put delivery jobs on the queue; a Redis outage is logged, never raised."""
    ids = sorted(set(message_ids))
    if not ids:
        return 0
    app = app or current_app._get_current_object()
    try:
        queue = get_queue(MESSAGES, app)
        queue.enqueue_many([
            Queue.prepare_data(DELIVER, args=(mid,), timeout=120, result_ttl=300, failure_ttl=86400)
            for mid in ids
        ])
        return len(ids)
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %d message(s), the relay will retry: %s", len(ids), exc)
        return 0


def _after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_ids", None)
    if ids and has_app_context():
        enqueue_delivery(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_ids", None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
