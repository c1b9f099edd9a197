"""Webhook endpoints as a firm's admin keeps them: register (a checked URL, the event types, the
notes scope), change, rotate the secret with an overlap, disable and enable, replay a delivery,
read the delivery log; and the automatic disabling of an endpoint that keeps failing, with an
email to the firm's admins through the outbox. Every change is in the audit log.

The URL rule: https only, and no loopback, private or link-local address (a host name that
resolves to one is refused when the worker sends), unless PORTAL_WEBHOOK_ALLOW_LOCAL is on
(development and testing). Flushes, never commits; never sends. The reasons kept on an endpoint
(why it was disabled) are in the language of the page that acted (the worker writes English)."""

from __future__ import annotations

import ipaddress
import socket
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    Audience,
    DeliveryState,
    Firm,
    Role,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from portal.outbox.webhooks import enqueue_after_commit
from portal.phrases import Phrase, lazy_ngettext
from portal.services import DomainError, audit, webhooks
from portal.services.text import clean_line
from portal.web.templating import external_url

MAX_URL = 2000
LOG_SIZE = 100
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


class BadUrl(DomainError):
    field = "url"


# ---------------------------------------------------------------- the URL rule


def allow_local() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_LOCAL"))


def check_url(value: str | None) -> str:
    """The endpoint URL, checked: http(s) with a host, no credentials in it, https and a public
    address unless local addresses are allowed. Refusals say what to fix."""
    url = (value or "").strip()
    if not url:
        raise BadUrl(_("URL: this is required."))
    if len(url) > MAX_URL:
        raise BadUrl(_("URL: use at most %(num)d characters.", num=MAX_URL))
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise BadUrl(_("URL: spaces and control characters are not allowed."))
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise BadUrl(_("URL: this is not a valid address.")) from None
    if parts.scheme not in ("https", "http") or not host:
        raise BadUrl(_("URL: give a full https:// address, such as https://example.com/portal-webhooks."))
    if parts.username or parts.password:
        raise BadUrl(_("URL: leave user names and passwords out of the address; verify the signature instead."))
    if parts.fragment:
        raise BadUrl(_("URL: remove the part after “#”."))
    try:
        host.encode("idna")
    except UnicodeError:
        raise BadUrl(_("URL: the host name is not valid.")) from None
    if not allow_local():
        if parts.scheme != "https":
            raise BadUrl(_("URL: use https:// (the events carry personal data)."))
        reason = host_refusal(host, resolve=False)
        if reason:
            raise BadUrl(_("URL: %(reason)s", reason=reason))
    return url


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def host_refusal(host: str, *, resolve: bool) -> str | None:
    """Why this host must not receive webhooks (loopback, private, link-local, reserved), or
    None. With `resolve`, a name is looked up and every address it gives is checked (the
    worker does this just before each attempt)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return _("local host names cannot receive webhooks; use the receiver's public address.")
    ip = _ip(host)
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address | None] = [ip] if ip is not None else []
    if ip is None and resolve:
        try:
            addresses = [_ip(str(info[4][0]).split("%")[0]) for info in socket.getaddrinfo(host, None)]
        except OSError:
            return _("the host name could not be resolved.")
    for addr in addresses:
        if addr is None or not addr.is_global or addr.is_multicast:
            return _("this address is private, loopback or link-local; use the receiver's public address.")
    return None


# ---------------------------------------------------------------- admin actions


def _event_types(values) -> list[str]:
    chosen = [v for v in (values or []) if v in webhooks.EVENT_TYPES]
    if not chosen:
        raise DomainError(_("Events: choose at least one event to send."))
    return [t for t in webhooks.EVENT_TYPES if t in chosen]


def list_endpoints(firm: Firm) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.firm_id == firm.id).order_by(WebhookEndpoint.id)
        )
    )


def create_endpoint(
    firm: Firm, actor: User, url: str, description: str | None, event_types, notes_scope: bool
) -> WebhookEndpoint:
    now = utcnow()
    endpoint = WebhookEndpoint(
        firm_id=firm.id,
        url=check_url(url),
        description=clean_line(description, _("Description"), 200),
        event_types=_event_types(event_types),
        notes_scope=bool(notes_scope),
        secret=webhooks.new_secret(),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(endpoint)
    db.session.flush()
    webhooks.forget_subscribers()
    audit.record(
        firm,
        actor,
        "webhook.created",
        endpoint.url,
        {"events": endpoint.event_types, "notes_scope": endpoint.notes_scope},
    )
    return endpoint


def update_endpoint(
    firm: Firm,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str,
    description: str | None,
    event_types,
    notes_scope: bool,
) -> bool:
    """Change the URL, description, events or notes scope; True when something changed."""
    new = {
        "url": check_url(url),
        "description": clean_line(description, _("Description"), 200),
        "event_types": _event_types(event_types),
        "notes_scope": bool(notes_scope),
    }
    changed = {k: {"old": audit.short(getattr(endpoint, k)), "new": audit.short(v)} for k, v in new.items()}
    changed = {k: v for k, v in changed.items() if getattr(endpoint, k) != new[k]}
    if not changed:
        return False
    for key, value in new.items():
        setattr(endpoint, key, value)
    endpoint.updated_at = utcnow()
    db.session.flush()
    webhooks.forget_subscribers()
    audit.record(firm, actor, "webhook.changed", endpoint.url, changed)
    return True


def rotate_secret(firm: Firm, actor: User, endpoint: WebhookEndpoint) -> datetime:
    """A new secret signs from now on; the old one signs beside it for the overlap
    (PORTAL_WEBHOOK_SECRET_OVERLAP_HOURS), then goes. Returns when the old one stops."""
    now = utcnow()
    until = now + timedelta(hours=current_app.config.get("WEBHOOK_SECRET_OVERLAP_HOURS", 24))
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = until
    endpoint.secret = webhooks.new_secret()
    endpoint.updated_at = now
    db.session.flush()
    audit.record(firm, actor, "webhook.secret_rotated", endpoint.url, {"old_secret_signs_until": until.isoformat()})
    return until


def set_enabled(firm: Firm, actor: User | None, endpoint: WebhookEndpoint, enabled: bool, reason: str = "") -> bool:
    if endpoint.enabled == enabled:
        return False
    now = utcnow()
    endpoint.enabled = enabled
    endpoint.disabled_at = None if enabled else now
    endpoint.disabled_reason = None if enabled else (reason or _("Disabled by an admin."))[:300]
    if enabled:
        endpoint.consecutive_failures = 0
        endpoint.failing_since = None
    endpoint.updated_at = now
    db.session.flush()
    webhooks.forget_subscribers()
    action = "webhook.enabled" if enabled else "webhook.disabled"
    audit.record(firm, actor, action, endpoint.url, {"reason": reason} if reason else None)
    return True


def delete_endpoint(firm: Firm, actor: User, endpoint: WebhookEndpoint) -> None:
    audit.record(firm, actor, "webhook.deleted", endpoint.url)
    db.session.delete(endpoint)
    db.session.flush()
    webhooks.forget_subscribers()


def replay(firm: Firm, actor: User, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """A new attempt of the same event (the same webhook-id) for this endpoint, now."""
    delivery = db.session.scalar(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id)
    )
    if delivery is None:
        raise DomainError(_("No such delivery for this endpoint."))
    if not endpoint.enabled:
        raise DomainError(_("Enable the endpoint first; a disabled endpoint receives nothing."))
    if delivery.state == DeliveryState.SENDING:
        raise DomainError(_("This event is being delivered right now; look again in a moment."))
    now = utcnow()
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.enqueued_at = now
    db.session.flush()
    enqueue_after_commit([delivery.id])
    event_uid = db.session.scalar(select(WebhookEvent.uid).where(WebhookEvent.id == delivery.event_id))
    audit.record(firm, actor, "webhook.replayed", endpoint.url, {"event": event_uid})
    return delivery


def delivery_log(endpoint: WebhookEndpoint, limit: int = LOG_SIZE) -> list:
    """The endpoint's last attempts, newest first, with their event and delivery (one query)."""
    return list(
        db.session.execute(
            select(
                WebhookAttempt,
                WebhookEvent.uid,
                WebhookEvent.type,
                WebhookDelivery.id.label("delivery_id"),
                WebhookDelivery.state,
            )
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookAttempt.endpoint_id == endpoint.id)
            .order_by(WebhookAttempt.created_at.desc(), WebhookAttempt.id.desc())
            .limit(limit)
        ).all()
    )


# ---------------------------------------------------------------- automatic disabling (the worker)


def disable_reason(endpoint: WebhookEndpoint, now: datetime) -> Phrase | None:
    """Why an endpoint that just failed must be disabled now, or None (a sentence kept as data:
    the admins' email says it in each reader's language)."""
    cfg = current_app.config
    after = int(cfg.get("WEBHOOK_DISABLE_AFTER_FAILURES", 50))
    days = int(cfg.get("WEBHOOK_DISABLE_AFTER_DAYS", 5))
    if after > 0 and endpoint.consecutive_failures >= after:
        return lazy_ngettext(
            "%(num)d delivery attempt in a row failed.",
            "%(num)d delivery attempts in a row failed.",
            endpoint.consecutive_failures,
        )
    if days > 0 and endpoint.failing_since is not None and now - endpoint.failing_since >= timedelta(days=days):
        # Translators: why a webhook endpoint was disabled, after "Why:"
        return lazy_ngettext(
            "every delivery attempt failed for %(num)d day.", "every delivery attempt failed for %(num)d days.", days
        )
    return None


def disable_for_failures(firm: Firm, endpoint: WebhookEndpoint, reason: Phrase | str) -> None:
    """Disable a failing endpoint (audited, no actor) and email the firm's admins (outbox)."""
    if not set_enabled(firm, None, endpoint, False, _("Disabled automatically: %(reason)s", reason=reason)):
        return
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id))
    link = external_url(firm, "admin.webhook", endpoint_id=endpoint.id)
    stamp = int((endpoint.disabled_at or utcnow()).timestamp())
    for admin in admins:
        outbox.record(
            firm,
            kind="webhook_disabled",
            dedupe_key=f"webhook-disabled:{endpoint.id}:{stamp}:{admin.id}",
            audience=Audience.RECRUITER,
            to_email=admin.email,
            to_name=admin.name,
            recipient_user_id=admin.id,
            show_in_portal=False,
            context={"endpoint": endpoint, "reason": reason, "link": link},
        )
