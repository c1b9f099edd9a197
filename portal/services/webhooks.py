"""Webhook events: the catalogue of event types, `emit` (an event and one delivery per subscribed
endpoint, written in the caller's transaction and enqueued after its commit), and the Standard
Webhooks body and signature the worker sends (webhook-id, webhook-timestamp, webhook-signature:
HMAC-SHA256 over "id.timestamp.body", base64, "v1," prefix; during a secret rotation both
secrets sign).

Services call `emit(firm_id, "candidacy.moved", data)` once where the change happens; a webhook
failure can never roll that change back (delivery is the worker's, after the commit). It never
sends, never commits, and never imports the services that call it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy as _l
from portal.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow
from portal.outbox.webhooks import enqueue_after_commit

# The catalogue: what an admin may subscribe to, in the order the form shows it.
EVENT_TYPES: dict[str, Any] = {  # each event and what it means, as the admin page says it (lazy)
    "candidacy.moved": _l("A candidacy moved to another stage (or a move was undone)"),
    "candidacy.closed": _l("A candidacy was closed, with the reason the candidate is told"),
    "consent.answered": _l("A candidate approved or declined being presented to a client"),
    "feedback.posted": _l("A recruiter posted feedback for a candidate"),
    "candidate.created": _l("A candidate was added to the talent pool"),
    "candidate.updated": _l("A recruiter changed a candidate's profile"),
    "message.failed": _l("An email could not be delivered"),
    "interview.scheduled": _l("An interview was scheduled"),
    "interview.changed": _l("An interview was moved, changed or cancelled"),
    "application.received": _l("Someone applied through the careers site"),
}
SECRET_PREFIX = "whsec_"
_CACHE_KEY = "webhook_endpoints"  # per transaction: {firm_id: [(endpoint id, event types)]}


# ---------------------------------------------------------------- recording


def emit(
    firm_id: int,
    event_type: str,
    data: dict | Callable[[], dict],
    *,
    key: str | None = None,
    notes: list[str] | None = None,
) -> WebhookEvent | None:
    """Record an event for every enabled endpoint of the firm subscribed to `event_type`, in
    the caller's transaction; the deliveries are enqueued after its commit. Nothing is written
    when nobody subscribed. `data` may be a function (called only when someone subscribed).
    `key` makes the call idempotent (the same key never gives a second event id); `notes`
    are internal notes, delivered only to endpoints with the notes scope."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoint_ids = [eid for eid, types in _subscribers(firm_id) if event_type in types]
    if not endpoint_ids:
        return None
    session = db.session
    if key is not None:
        key = f"{event_type}:{key}"[:200]
        existing = session.scalar(
            select(WebhookEvent).where(WebhookEvent.firm_id == firm_id, WebhookEvent.dedupe_key == key)
        )
        if existing is not None:
            return existing
    payload = data() if callable(data) else data
    payload = plain(dict(payload))
    notes = list(notes or []) + list(payload.pop("internal_notes", None) or [])  # never in `data`
    now = utcnow()
    uid = new_event_id()
    event = WebhookEvent(
        firm_id=firm_id,
        uid=uid,
        type=event_type,
        dedupe_key=key or f"{event_type}:{uid}",
        data=payload,
        notes=[str(n) for n in notes] or None,
        created_at=now,
    )
    session.add(event)
    session.flush()
    deliveries = [
        WebhookDelivery(
            firm_id=firm_id, event_id=event.id, endpoint_id=eid, next_attempt_at=now, enqueued_at=now, created_at=now
        )
        for eid in endpoint_ids
    ]
    session.add_all(deliveries)
    session.flush()
    enqueue_after_commit([d.id for d in deliveries])
    return event


def _subscribers(firm_id: int) -> list[tuple[int, list]]:
    """The firm's enabled endpoints and their event types: one query per transaction."""
    cache = db.session.info.setdefault(_CACHE_KEY, {})
    if firm_id not in cache:
        rows = db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
                WebhookEndpoint.firm_id == firm_id, WebhookEndpoint.enabled.is_(True)
            )
        ).all()
        cache[firm_id] = [(r.id, list(r.event_types or [])) for r in rows]
    return cache[firm_id]


def forget_subscribers() -> None:
    """After an endpoint changed in this transaction, the next emit reads them again."""
    db.session.info.pop(_CACHE_KEY, None)


def new_event_id() -> str:
    """msg_ + 12 hex digits of milliseconds (sortable) + 16 random hex digits."""
    return f"msg_{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def plain(value: Any) -> Any:
    """A JSON-ready copy: datetimes as ISO 8601 (UTC), enums as their values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- secrets and signatures


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes it: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(raw + "==")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """v1,<base64 HMAC-SHA256 of "msg_id.timestamp.body">."""
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during the overlap."""
    out = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        out.append(endpoint.previous_secret)
    return out


def body_for(event: WebhookEvent, endpoint: WebhookEndpoint) -> bytes:
    """The JSON body an endpoint receives: the same bytes on every attempt (internal notes
    only with the notes scope)."""
    data = dict(event.data or {})
    if endpoint.notes_scope and event.notes:
        data["internal_notes"] = list(event.notes)
    doc = {"type": event.type, "timestamp": plain(event.created_at), "data": data}
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def headers_for(endpoint: WebhookEndpoint, event: WebhookEvent, body: bytes, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt (the timestamp is the attempt's)."""
    ts = int(now.timestamp())
    signatures = " ".join(sign(s, event.uid, ts, body) for s in signing_secrets(endpoint, now))
    return {
        "content-type": "application/json",
        "user-agent": "Portal-Webhooks/1",
        "webhook-id": event.uid,
        "webhook-timestamp": str(ts),
        "webhook-signature": signatures,
    }
