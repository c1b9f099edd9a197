"""Job alerts of the careers site: a visitor's (or a signed-in candidate's) saved criteria for
new advertised jobs, and which jobs each alert has already sent (never the same job twice).
Tables only: the rules (double opt-in, matching, the weekly digest) live in
portal/services/job_alerts.py and job_alert_digest.py."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow
from portal.models.candidate import RemotePreference


def new_alert_token() -> str:
    return secrets.token_urlsafe(24)


class JobAlert(FirmOwned, Model):
    """One subscription. A visitor's is active only once confirmed (double opt-in: the emailed
    link's token is stored as a hash); a candidate's saved search (candidate_id) is confirmed at
    once. An unsubscribe keeps the row (unsubscribed_at) so a repeated one-click POST still works."""

    __tablename__ = "job_alerts"
    __table_args__ = (
        UniqueConstraint("firm_id", "unsubscribe_token"),
        Index("ix_job_alerts_firm_email", "firm_id", "email"),
        Index("ix_job_alerts_firm_candidate", "firm_id", "candidate_id"),
        Index("ix_job_alerts_firm_confirm_hash", "firm_id", "confirm_token_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    keywords: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    # A RemotePreference value ("remote", "hybrid", "onsite"), or "" for any.
    remote: Mapped[str] = mapped_column(String(20), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sha256 of the single-use confirmation token (the link exists in clear only in the email).
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64))
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribe_token: Mapped[str] = mapped_column(String(40), default=new_alert_token)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def criteria(self) -> str:
        """The criteria in plain words ("python, in Berlin, remote"), for pages and emails."""
        parts = [self.keywords] if self.keywords else []
        if self.location:
            parts.append(f"in {self.location}")
        if self.remote:
            parts.append(RemotePreference(self.remote).label.lower())
        return ", ".join(parts) or "every new job"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class JobAlertSent(FirmOwned, Model):
    """A job (search) one alert has sent: the digest never lists it again."""

    __tablename__ = "job_alert_sent"
    __table_args__ = (UniqueConstraint("firm_id", "alert_id", "search_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("job_alerts.id", ondelete="CASCADE"), index=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
