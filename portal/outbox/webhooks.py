"""The webhook half of the outbox: a delivery row is written in the caller's transaction
(portal.services.webhooks.emit); its id is enqueued on RQ only after that transaction commits,
never before (a worker must not look for a row that is not committed) and never after a
rollback. If Redis is down the change still succeeds: enqueued_at is cleared and the webhook
relay (worker/webhooks.py, scheduled in worker/schedule.py) enqueues it later. It never sends.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from portal.extensions import WEBHOOKS, db, get_queue
from portal.models import DeliveryState, WebhookDelivery

log = logging.getLogger(__name__)
DELIVER = "worker.webhooks.deliver_webhook"
JOB_TIMEOUT = 120  # one HTTP attempt: PORTAL_WEBHOOK_TIMEOUT is at most 30 s
IN_CHUNK = 500
_PENDING_KEY = "webhook_delivery_ids"


def enqueue_after_commit(delivery_ids, session: Session | None = None) -> None:
    """Enqueue these deliveries once the caller's transaction commits; a rollback forgets them."""
    (session or db.session()).info.setdefault(_PENDING_KEY, set()).update(delivery_ids)


def enqueue_deliveries(delivery_ids, app: Flask | None = None) -> int:
    """One job per delivery on the webhooks queue. A Redis outage is logged, never raised;
    the deliveries' enqueued_at is cleared so the relay retries on its next run."""
    ids = sorted(set(delivery_ids))
    if not ids:
        return 0
    app = app or current_app._get_current_object()
    jobs = [
        Queue.prepare_data(DELIVER, args=(did,), timeout=JOB_TIMEOUT, result_ttl=300, failure_ttl=86400) for did in ids
    ]
    try:
        queue = get_queue(WEBHOOKS, app)
        for i in range(0, len(jobs), 1000):
            queue.enqueue_many(jobs[i : i + 1000])
        return len(ids)
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %d webhook deliveries, the relay will retry: %s", len(ids), exc)
        _forget_enqueued(app, ids)
        return 0


def _forget_enqueued(app: Flask, ids: list[int]) -> None:
    """Clear enqueued_at (own short transaction) so the next relay run enqueues them."""
    try:
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execution_options(all_firms=True)  # delivery ids of any firm (the relay's too)
                table = WebhookDelivery.__table__
                for i in range(0, len(ids), IN_CHUNK):
                    conn.execute(
                        update(table)
                        .where(table.c.id.in_(ids[i : i + IN_CHUNK]), table.c.state == DeliveryState.PENDING.value)
                        .values(enqueued_at=None)
                    )
    except Exception as exc:  # noqa: BLE001 - the relay re-enqueues after RELAY_REENQUEUE_SECONDS anyway
        log.warning("could not clear enqueued_at for %d webhook deliveries: %s", len(ids), exc)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    session.info.pop("webhook_endpoints", None)
    if ids and has_app_context():
        enqueue_deliveries(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop("webhook_endpoints", None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
