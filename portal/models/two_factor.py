"""Staff second factors: a TOTP authenticator per user and its single-use recovery codes.
Tables only: never imports a service or commits. Recovery codes are stored hashed; the TOTP
secret is kept as the authenticator needs it (it is never shown again after enrolment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class TwoFactor(FirmOwned, Model):
    """A confirmed TOTP authenticator. `last_step` is the last 30-second time step whose code
    was accepted: a code of that step or an earlier one is refused (no replay)."""

    __tablename__ = "two_factors"
    __table_args__ = (UniqueConstraint("firm_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(64))
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(FirmOwned, Model):
    """One single-use recovery code (its SHA-256 only); `used_at` is set when it is spent."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("firm_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
