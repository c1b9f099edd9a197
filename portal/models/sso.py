"""Single sign-on through OpenID Connect: a firm's provider settings (one row per firm) and the
link between a staff account and the identity that last signed it in. Tables only: never
imports a service, never talks to the provider, never commits.

The client secret is a credential of the firm's: it is written by the admin form and read only
to call the provider's token endpoint; no page ever shows it back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class SingleSignOn(FirmOwned, Model):
    """A firm's OpenID provider: where it is (issuer), who we are to it (client id and secret),
    whether a first sign-in may create a recruiter (for the allowed email domains), and
    whether staff must sign in through it (passwords then refused for staff)."""

    __tablename__ = "single_sign_ons"
    __table_args__ = (UniqueConstraint("firm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_name: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(500))
    auto_create: Mapped[bool] = mapped_column(Boolean, default=False)
    allowed_domains: Mapped[str] = mapped_column(String(500), default="")  # space-separated
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def domains(self) -> list[str]:
        return [d for d in (self.allowed_domains or "").split() if d]


class SsoLink(FirmOwned, Model):
    """The identity (issuer and subject) a staff account last signed in with, and when."""

    __tablename__ = "sso_links"
    __table_args__ = (UniqueConstraint("firm_id", "user_id"), UniqueConstraint("firm_id", "issuer", "subject"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
