"""The firm (tenant), its brand and contact rules, the domains it is served on, and its audit log.
Tables only: never imports a service or commits."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class Firm(Model):
    __tablename__ = "firms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    primary_color: Mapped[str] = mapped_column(String(7), default="#1f4e79")
    accent_color: Mapped[str] = mapped_column(String(7), default="#b5461a")
    # The logo is a file of the storage (portal/storage.py) under this key; its type (None: no logo,
    # the default one is shown) and its version (in the URL, so a new logo is a new URL).
    logo_key: Mapped[str | None] = mapped_column(String(300))
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    logo_version: Mapped[int] = mapped_column(Integer, default=0)
    sender_name: Mapped[str | None] = mapped_column(String(120))
    sender_email: Mapped[str | None] = mapped_column(String(254))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    support_email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(String(300))
    welcome_md: Mapped[str | None] = mapped_column(Text)
    welcome_html: Mapped[str | None] = mapped_column(Text)
    cadence_days: Mapped[int] = mapped_column(Integer, default=7)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    checkin_weekday: Mapped[int] = mapped_column(Integer, default=4)  # Monday=0 ... Friday=4
    checkin_hour: Mapped[int] = mapped_column(Integer, default=14)
    nurture_weeks: Mapped[int] = mapped_column(Integer, default=8)
    # Interviews: reminders this many hours before (0 = none), and the feedback promise's window
    # in business days (Monday to Friday in the firm's time zone).
    reminder_first_hours: Mapped[int] = mapped_column(Integer, default=24, server_default=text("24"))
    reminder_second_hours: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    feedback_window_days: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    availability_prompt_weeks: Mapped[int] = mapped_column(Integer, default=12)
    stage_labels: Mapped[dict | None] = mapped_column(JSON)  # {stage: {"label":..,"explanation":..}}
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The public careers site (job board, applications, job alerts); the admin can turn it off.
    careers_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # The privacy notice applicants accept, and how long the firm keeps an applicant's data.
    privacy_notice_md: Mapped[str | None] = mapped_column(Text)
    privacy_notice_html: Mapped[str | None] = mapped_column(Text)
    retention_months: Mapped[int] = mapped_column(Integer, default=24, server_default=text("24"))
    # Every recruiter and admin must sign in with a second factor (portal.services.two_factor).
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Conversations (promise 8): a candidate's message is answered within this many business
    # days; replies by email go to reply+<token>@reply_domain (none: the platform's setting).
    reply_window_days: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    reply_domain: Mapped[str | None] = mapped_column(String(253), unique=True)  # one firm per reply domain
    # Insight: show the firm's promise figures and survey score on its careers site and login page.
    public_figures: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Languages (portal/i18n.py): the firm's default, the ones it offers (None: every shipped
    # language), and its own texts per language: {"de": {"welcome_md": .., "welcome_html": ..,
    # "privacy_notice_md": .., "privacy_notice_html": .., "stage_labels": {stage: {...}}}}; a text
    # missing in a language falls back to the firm's default-language text (the plain columns).
    default_language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    languages: Mapped[list | None] = mapped_column(JSON)
    texts: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    domains: Mapped[list[FirmDomain]] = relationship(back_populates="firm", cascade="all, delete-orphan")

    @property
    def from_name(self) -> str:
        return self.sender_name or self.name

    @property
    def zone(self) -> ZoneInfo:
        """The firm's time zone (UTC when unset or unknown): its calendar days and weeks."""
        try:
            return ZoneInfo(self.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def __repr__(self) -> str:
        return f"<Firm {self.slug}>"


class FirmDomain(FirmOwned, Model):
    """A custom domain (e.g. careers.acme.com) that serves this firm's portal once a DNS TXT
    record proves the firm controls it (`verified_at`). Until then it is pending and serves
    nothing, so no firm can block a domain's owner by claiming it first: several firms may
    hold a pending claim; only one may hold it verified."""

    __tablename__ = "firm_domains"
    __table_args__ = (
        UniqueConstraint("firm_id", "domain"),
        Index(
            "uq_firm_domains_verified_domain",
            "domain",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    # The value the firm publishes in DNS (public by design: it proves control, it grants nothing).
    verification_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(24))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last check did not verify it, in words an admin can act on.
    last_check_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    firm: Mapped[Firm] = relationship(back_populates="domains")


class AuditEntry(FirmOwned, Model):
    """Who changed what in the firm's settings, and when."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
