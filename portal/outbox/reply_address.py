"""Reply addresses: a candidate-facing email says Reply-To: reply+<token>@<reply domain>, so a
candidate's answer by email threads into their conversation (portal.services.inbound_mail).

The token is unguessable (128 random bits), lowercase hex (mail systems that fold the case of an
address keep it), minted when the message is recorded and stored on it (`Message.reply_token`);
it names the message, hence the firm and the candidate. The reply domain is the firm's own
(`Firm.reply_domain`) or the installation's (PORTAL_REPLY_DOMAIN); with neither, emails keep
the firm's reply-to address and replies do not reach Portal. A token works for
PORTAL_REPLY_TOKEN_DAYS after its email was sent.

Bounces (opt-in, PORTAL_BOUNCE_TO_REPLY_DOMAIN): the same token names the message in the
envelope sender bounce+<token>@<reply domain> (VERP), where delivery reports go; the From and
Reply-To headers do not change."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app

PREFIX = "reply+"
BOUNCE_PREFIX = "bounce+"  # the envelope sender (VERP) with PORTAL_BOUNCE_TO_REPLY_DOMAIN
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_token() -> str:
    return secrets.token_hex(16)


def platform_domain() -> str | None:
    return current_app.config.get("REPLY_DOMAIN") or None


def reply_domain(firm) -> str | None:
    """Where this firm's replies go: its own reply domain, else the installation's."""
    return getattr(firm, "reply_domain", None) or platform_domain()


def reply_address(firm, token: str | None) -> str | None:
    """reply+<token>@<domain>, or None (no token, or no reply domain: keep the firm's Reply-To)."""
    domain = reply_domain(firm)
    if not token or not domain:
        return None
    return f"{PREFIX}{token}@{domain}"


def bounce_address(firm, token: str | None) -> str | None:
    """bounce+<token>@<reply domain>, the envelope sender of a message with a reply token when
    the installation sends bounces to the reply domain; else None (the firm's sender stays)."""
    if not current_app.config.get("BOUNCE_TO_REPLY_DOMAIN"):
        return None
    domain = reply_domain(firm)
    if not token or not domain:
        return None
    return f"{BOUNCE_PREFIX}{token}@{domain}"


def _parts(address: str, prefix: str) -> tuple[str, str] | None:
    address = (address or "").strip().strip("<>").lower()
    local, at, domain = address.rpartition("@")
    if not at or not local.startswith(prefix) or not domain:
        return None
    return local[len(prefix) :], domain.rstrip(".")


def split(address: str) -> tuple[str, str] | None:
    """(token, domain) of a reply+ address, lower-cased; None for anything else. The token may
    be malformed (a forged address): the caller decides what that means."""
    return _parts(address, PREFIX)


def split_bounce(address: str) -> tuple[str, str] | None:
    """(token, domain) of a bounce+ address, lower-cased; None for anything else."""
    return _parts(address, BOUNCE_PREFIX)


def expires_at(sent_at: datetime | None, created_at: datetime) -> datetime:
    """When a reply token stops working: PORTAL_REPLY_TOKEN_DAYS after its email was sent
    (or written, if it never was)."""
    return (sent_at or created_at) + timedelta(days=int(current_app.config.get("REPLY_TOKEN_DAYS", 180)))
