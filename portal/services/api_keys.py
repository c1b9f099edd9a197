"""API keys: an admin creates, rotates and revokes them; the API authenticates a request's
bearer token with them. The secret exists in clear once, in the answer to create/rotate: only
its SHA-256 is stored. Every change is in the audit log. Flushes, never commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import ApiKey, Firm, User, utcnow
from portal.services import DomainError, NotFound, audit
from portal.services.text import clean_line

# Each resource has a read and a write scope (write includes read). Notes and CVs have their
# own, so a key can sync candidates without ever seeing an internal note or a CV.
RESOURCES: dict[str, Any] = {  # resource: what it covers, as the admin page says it (lazy)
    "candidates": _l("Candidates (profile, skills, tags, availability)"),
    "cvs": _l("CV files (upload and download)"),
    "clients": _l("Clients"),
    "searches": _l("Searches"),
    "candidacies": _l("Candidacies (add to a search, move, close)"),
    "feedback": _l("Feedback the candidate reads"),
    "notes": _l("Internal notes"),
    "consents": _l("Presentation consents"),
    "messages": _l("Messages and their delivery"),
    "interviews": _l("Interviews"),
    "applications": _l("Applications from the careers site"),
}
READ_ONLY = {"messages", "interviews", "applications"}
SCOPES: tuple[str, ...] = tuple(
    f"{res}:{level}" for res in RESOURCES for level in ("read", "write") if not (level == "write" and res in READ_ONLY)
)
PREFIX = "pk"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass
class IssuedKey:
    """A key and its token, which exists in clear only here (shown once)."""

    key: ApiKey
    token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _hash(secret)


def _token(public_id: str, secret: str) -> str:
    return f"{PREFIX}_{public_id}_{secret}"


def clean_scopes(scopes) -> list[str]:
    chosen = sorted({str(s) for s in scopes or ()})
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise DomainError(_("Scopes: unknown scope “%(scope)s”.", scope=unknown[0][:60]))
    if not chosen:
        raise DomainError(_("Scopes: choose at least one."))
    return chosen


def allows(key: ApiKey, resource: str, write: bool = False) -> bool:
    """Whether the key may read (or write) the resource: a write scope includes reading."""
    have = set(key.scopes or ())
    return f"{resource}:write" in have or (not write and f"{resource}:read" in have)


def create(firm: Firm, actor: User, name: str, scopes) -> IssuedKey:
    name = clean_line(name, _("Name"), 80, required=True)
    chosen = clean_scopes(scopes)
    secret, digest = _new_secret()
    key = ApiKey(
        firm_id=firm.id,
        name=name,
        public_id=secrets.token_hex(6),
        secret_hash=digest,
        scopes=chosen,
        created_by_id=actor.id,
    )
    db.session.add(key)
    db.session.flush()
    audit.record(firm, actor, "api_key.created", target=name, details={"scopes": " ".join(chosen)})
    return IssuedKey(key, _token(key.public_id, secret))


def get(key_id: int) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(_("No such key."))
    return key


def rotate(firm: Firm, actor: User, key: ApiKey) -> IssuedKey:
    """A new secret for the key; the old one stops working at once."""
    if not key.active:
        raise DomainError(_("This key is revoked; create a new one."))
    secret, digest = _new_secret()
    key.secret_hash = digest
    key.rotated_at = utcnow()
    db.session.flush()
    audit.record(firm, actor, "api_key.rotated", target=key.name)
    return IssuedKey(key, _token(key.public_id, secret))


def revoke(firm: Firm, actor: User, key: ApiKey) -> ApiKey:
    if not key.active:
        raise DomainError(_("This key is already revoked."))
    key.revoked_at = utcnow()
    db.session.flush()
    audit.record(firm, actor, "api_key.revoked", target=key.name)
    return key


def keys(firm: Firm) -> list[ApiKey]:
    """The firm's keys, active first, newest first."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))


def authenticate(token: str | None) -> ApiKey | None:
    """The active key of the bound firm this token belongs to, or None (a key of another firm
    is not found: the tenant filter hides it)."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2] or len(parts[1]) > 24:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.public_id == parts[1]))
    if key is None or not key.active or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        return None
    return key


def acting_user(key: ApiKey) -> User | None:
    """Whom the key's writes are recorded as: the admin who created it, while active."""
    user = db.session.get(User, key.created_by_id) if key.created_by_id else None
    return user if user is not None and user.active and user.is_staff else None


def needs_touch(key: ApiKey) -> bool:
    return key.last_used_at is None or utcnow() - key.last_used_at >= TOUCH_EVERY


def touch(session, key_id: int) -> None:
    """Record the key's use, at most once a minute (a conditional UPDATE, on the caller's session)."""
    now = utcnow()
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
