"""Webhook delivery: claim, sign, POST, log, back off, disable an endpoint that keeps failing.

- A delivery is claimed with a conditional UPDATE (pending -> sending, when due), committed
  before the request: a second job for it finds nothing to claim. Every attempt of one event
  carries the same `webhook-id`, so a receiver drops a repeat it already processed.
- 2xx is delivered; anything else (a network error, a timeout, a redirect, another status)
  is retried after RETRY_SCHEDULE (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then failed;
  an admin can replay it. Each attempt is logged (WebhookAttempt).
- An endpoint is disabled after PORTAL_WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a
  row or PORTAL_WEBHOOK_DISABLE_AFTER_DAYS days of failures only; its admins get an email.
- `relay_webhooks()` (every 30 s) enqueues due deliveries nobody enqueued (Redis down at
  commit, a lost job, a retry whose time came) and frees claims lost with a worker.
A webhook failure never touches the change that caused the event (committed long before).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import requests
from flask import current_app
from sqlalchemy import Table, or_, select, update

from portal import transaction
from portal.extensions import db
from portal.models import DeliveryState, Firm, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow
from portal.outbox.webhooks import enqueue_deliveries
from portal.services import webhook_endpoints, webhooks
from portal.tenancy import all_firms, bind_firm
from worker.app import job

log = logging.getLogger(__name__)
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 36000)  # seconds after failed attempt 1, 2, ...
LEASE = timedelta(minutes=10)  # a claim older than this was lost with its worker
RELAY_BATCH = 5000
MAX_ERROR = 500


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after `attempts` failed attempts, or None: no more retries."""
    return timedelta(seconds=RETRY_SCHEDULE[attempts - 1]) if attempts <= len(RETRY_SCHEDULE) else None


@job
def deliver_webhook(delivery_id: int) -> str:
    """Claim a due delivery, send it once, record what came of it."""
    now = utcnow()
    table = WebhookDelivery.__table__
    assert isinstance(table, Table)
    with all_firms():  # a job gets an id only; the delivery's firm is bound below
        claimed = (
            db.session.execute(
                update(table)
                .where(
                    table.c.id == delivery_id,
                    table.c.state == DeliveryState.PENDING.value,
                    table.c.next_attempt_at <= now,
                )
                .values(state=DeliveryState.SENDING.value, claimed_at=now)
                .returning(table.c.firm_id)
            )
            .scalars()
            .first()
        )
    if claimed is None:
        transaction.rollback()
        return "nothing to do"
    # The claim is committed before the request: a second job must find nothing to claim.
    transaction.checkpoint()
    bind_firm(claimed)
    delivery = db.session.get_one(WebhookDelivery, delivery_id)
    endpoint = db.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    event = db.session.get_one(WebhookEvent, delivery.event_id)
    status: int | None
    error: str | None
    if not endpoint.enabled:  # logged, so the admin can replay it once the endpoint is enabled
        status, error, millis = None, "not sent: the endpoint is disabled", 0
    else:
        body = webhooks.body_for(event, endpoint)
        status, error, millis = _post(endpoint.url, body, webhooks.headers_for(endpoint, event, body, now))
    ok = status is not None and 200 <= status < 300
    delivery.attempts += 1
    db.session.add(
        WebhookAttempt(
            firm_id=claimed,
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            attempt=delivery.attempts,
            ok=ok,
            status_code=status,
            error=error,
            duration_ms=millis,
            created_at=now,
        )
    )
    delivery.last_status, delivery.last_error = status, error
    if ok:
        delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, utcnow()
        endpoint.consecutive_failures, endpoint.failing_since, endpoint.last_success_at = 0, None, now
        return "delivered"
    if not endpoint.enabled:
        delivery.state = DeliveryState.FAILED
        return "endpoint disabled"
    wait = retry_delay(delivery.attempts)
    delivery.state = DeliveryState.PENDING if wait is not None else DeliveryState.FAILED
    delivery.next_attempt_at = now + wait if wait is not None else delivery.next_attempt_at
    delivery.enqueued_at = None  # the relay enqueues it when its time comes
    _count_failure(endpoint, now)
    return "retry" if wait is not None else "failed"


def _count_failure(endpoint: WebhookEndpoint, now) -> None:
    """One more failure for the endpoint (counted in SQL: two workers failing at once both
    count); disabled when it has failed for too long or too often."""
    row = (
        db.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint.id)
            .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
            .returning(WebhookEndpoint.consecutive_failures)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .one()
    )
    endpoint.consecutive_failures = row
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    db.session.flush()
    reason = webhook_endpoints.disable_reason(endpoint, now)
    if reason:
        firm = db.session.get_one(Firm, endpoint.firm_id)
        webhook_endpoints.disable_for_failures(firm, endpoint, reason)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None, int]:
    """POST once: (status, error, milliseconds). Never follows a redirect; never raises."""
    started = time.monotonic()
    if not current_app.config.get("WEBHOOK_ALLOW_LOCAL"):
        host = requests.utils.urlparse(url).hostname or ""
        refusal = webhook_endpoints.host_refusal(host, resolve=True)
        if refusal:
            return None, f"not sent: {refusal}", 0
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT", 10))
    try:
        with requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True) as r:
            status = r.status_code
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR], int((time.monotonic() - started) * 1000)
    millis = int((time.monotonic() - started) * 1000)
    return status, (None if 200 <= status < 300 else f"the receiver answered {status}"), millis


@job
def relay_webhooks() -> int:
    """Enqueue deliveries that are due and not (recently) enqueued; free lost claims."""
    now = utcnow()
    again = timedelta(seconds=current_app.config.get("RELAY_REENQUEUE_SECONDS", 300))
    with all_firms():
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.state == DeliveryState.SENDING, WebhookDelivery.claimed_at < now - LEASE)
            .values(state=DeliveryState.PENDING, enqueued_at=None, last_error="the worker stopped during the attempt")
            .execution_options(synchronize_session=False)
        )
        ids = list(
            db.session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.state == DeliveryState.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.enqueued_at.is_(None), WebhookDelivery.enqueued_at < now - again),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(RELAY_BATCH)
            )
        )
        for i in range(0, len(ids), 500):
            db.session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids[i : i + 500]))
                .values(enqueued_at=now)
                .execution_options(synchronize_session=False)
            )
    # Committed before the ids are enqueued: a worker may claim one at once.
    transaction.checkpoint()
    return enqueue_deliveries(ids)
