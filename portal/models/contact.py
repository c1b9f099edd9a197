"""Contact a recruiter recorded outside email (a call, a meeting ...): it counts as contact.
Tables only: what counts is decided in portal/services/contact.py, never here."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow


class ContactKind(str, enum.Enum):
    CALL = "call"
    MEETING = "meeting"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"call": "Phone or video call", "meeting": "Meeting in person", "other": "Another way"}[self.value]


class ContactRecord(FirmOwned, Model):
    """ "I told them another way": recorded by a recruiter, audited, part of the candidate's
    history; the candidate's last contact is the latest message on its way or sent, or the
    latest of these."""

    __tablename__ = "contact_records"
    __table_args__ = (Index("ix_contact_records_firm_candidate_at", "firm_id", "candidate_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[ContactKind] = mapped_column(enum_type(ContactKind))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ContactRecord {self.id} {self.kind.value}>"
