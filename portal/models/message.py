"""The outbox: every message the firm sends, written in the same transaction as its cause.
Tables only: nothing here sends or enqueues (the worker claims and sends)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow


class MessageState(str, enum.Enum):
    PENDING = "pending"  # waiting to be sent (possibly until `due_at`)
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # permanent failure; the reason is in last_error
    CANCELLED = "cancelled"  # undone within the grace window, or merged into another
    SKIPPED = "skipped"  # not emailed (opted out, suppressed); still in the portal inbox


class Audience(str, enum.Enum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"


class Message(FirmOwned, Model):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("firm_id", "dedupe_key"),
        Index("ix_messages_state_due", "state", "due_at"),
        Index("ix_messages_firm_candidate_created", "firm_id", "candidate_id", "created_at"),
        Index("ix_messages_firm_coalesce", "firm_id", "coalesce_key"),
        Index("ix_messages_firm_state_created", "firm_id", "state", "created_at"),
        # The dashboard's failed messages, newest first, and whose they are: read from the index
        # alone, not from each message skipped as someone else's (issue 24).
        Index(
            "ix_messages_firm_failed",
            "firm_id",
            "created_at",
            "id",
            "candidate_id",
            "recipient_user_id",
            sqlite_where=text("state = 'failed'"),
            postgresql_where=text("state = 'failed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    audience: Mapped[Audience] = mapped_column(enum_type(Audience))
    # Optional streams (nurture, availability prompts...) can be refused; None = transactional.
    stream: Mapped[str | None] = mapped_column(String(30))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="SET NULL"), index=True)
    # The interview an invitation or reminder is about (moved or cancelled: its reminders are
    # cancelled), and the iCalendar document (RFC 5546) the email carries as text/calendar.
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), index=True)
    calendar: Mapped[str | None] = mapped_column(Text)
    to_email: Mapped[str | None] = mapped_column(String(254))
    to_name: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    coalesce_key: Mapped[str | None] = mapped_column(String(120))
    state: Mapped[MessageState] = mapped_column(enum_type(MessageState), default=MessageState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    show_in_portal: Mapped[bool] = mapped_column(Boolean, default=True)
    # The live credential this email carries (a TokenPurpose value: "invitation", "reset"),
    # for `recipient_user_id`. The stored bodies hold only outbox.CREDENTIAL_LINK where the
    # link goes: the worker mints the token when it sends (portal.services.accounts).
    credential: Mapped[str | None] = mapped_column(String(20))
    # Where the credential link lands once used (a local path; sign-in links only): the worker
    # stores it with the token it mints (AuthToken.next_path), the link itself never carries it.
    credential_next: Mapped[str | None] = mapped_column(String(500))
    # The one-click unsubscribe link (RFC 8058) of an email whose list is not the candidate's
    # own optional emails (a job alert's digest): worker/compose.py puts it in the headers.
    list_unsubscribe: Mapped[str | None] = mapped_column(String(500))
    # The unguessable part of this email's Reply-To (reply+<token>@<reply domain>), minted for a
    # candidate-facing message: a reply to it threads into the candidate's conversation.
    reply_token: Mapped[str | None] = mapped_column(String(40), unique=True)

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.kind} {self.state.value}>"
