"""The webhook half of the outbox: a delivery row is written in the caller's transaction
(portal.services.webhooks.emit); its id is enqueued on RQ only after that transaction commits,
never before (a worker must not look for a row that is not committed) and never after a
rollback. If Redis is down the change still succeeds: enqueued_at is cleared and the webhook
relay (worker/webhooks.py, scheduled in worker/schedule.py) enqueues it later. It never sends.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import WEBHOOKS, db
from portal.models import DeliveryState, WebhookDelivery
from portal.outbox.queueing import enqueue_or_forget

log = logging.getLogger(__name__)
DELIVER = "worker.webhooks.deliver_webhook"
JOB_TIMEOUT = 120  # one HTTP attempt: PORTAL_WEBHOOK_TIMEOUT is at most 30 s
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
    return enqueue_or_forget(
        app, WEBHOOKS, jobs, WebhookDelivery.__table__, ids, DeliveryState.PENDING.value, "webhook deliveries"
    )


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
