"""Applications through the public careers site: a person applied to an advertised search, or
joined the talent pool without a role, or came through a candidate's referral link. One row per
application, kept for the recruiter ("referred by ...") and for counting applications by
source. Tables only: never imports a service or commits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow
from portal.models.candidate import Candidate
from portal.models.search import Search


class ApplicationSource(str, enum.Enum):
    CAREERS = "careers"  # the careers site, directly
    REFERRAL = "referral"  # through a candidate's personal referral link

    @property
    def label(self) -> str:
        return {"careers": "Careers site", "referral": "Referral"}[self.value]


class Application(FirmOwned, Model):
    """One application: who, to which search (None: the talent pool), how they came, and the
    privacy notice they accepted (when, and the hash of the exact text they were shown)."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_firm_created", "firm_id", "created_at"),
        Index("ix_applications_firm_candidate", "firm_id", "candidate_id", "search_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    search_id: Mapped[int | None] = mapped_column(ForeignKey("searches.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[ApplicationSource] = mapped_column(enum_type(ApplicationSource), default=ApplicationSource.CAREERS)
    referred_by_candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # sha256 of the privacy notice text the applicant was shown and accepted.
    privacy_notice_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship(foreign_keys=[candidate_id])
    search: Mapped[Search | None] = relationship()
    referred_by: Mapped[Candidate | None] = relationship(foreign_keys=[referred_by_candidate_id])
