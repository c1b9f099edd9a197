"""API keys of a firm (the REST API's credentials) and the stored answers of idempotent POSTs.
Tables only: never imports a service or commits. A key's secret is never stored: only the
SHA-256 of the token, found by its short public id (the token's prefix)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class ApiKey(FirmOwned, Model):
    """A named credential with scopes ("candidates:read", "notes:write"...). Rotating gives a
    new secret (the old one stops at once); revoking ends the key for good."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # The token is "pk_<public_id>_<secret>"; the public id finds the row, the hash proves it.
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Updated at most once a minute (never a write per request).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.name}>"


class IdempotentRequest(FirmOwned, Model):
    """The first answer to a POST sent with an `Idempotency-Key`: a repeat (same API key, same
    Idempotency-Key) gets this answer again instead of a second object. Kept 24 hours."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (
        UniqueConstraint("firm_id", "api_key_id", "key"),
        Index("ix_idempotent_requests_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
