"""Conversations: what a candidate writes to the firm and what recruiters answer, in the portal
or by email (promise 8: every candidate message is answered within the firm's reply window).
The firm's own outgoing messages stay in `messages` (the outbox); a conversation is both read
in order. Tables only: the rules live in portal/services/conversations.py."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow


class Author(str, enum.Enum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"


class PostSource(str, enum.Enum):
    PORTAL = "portal"
    EMAIL = "email"


class ConversationMessage(FirmOwned, Model):
    """One message of a conversation, written by the candidate or by a recruiter.

    A candidate's message carries its reply deadline (`reply_due_at`, the firm's reply window
    in business days) until a recruiter answers it (`answered_at`) or marks it as needing no
    reply (`no_reply_reason`). A recruiter's reply is also sent as an outbox message
    (`outbox_message_id`) so it reaches the candidate's inbox like every other message."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        UniqueConstraint("firm_id", "email_message_id"),
        Index("ix_conversation_messages_open", "firm_id", "author", "answered_at", "reply_due_at"),
        Index("ix_conversation_messages_candidate", "firm_id", "candidate_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="SET NULL"), index=True)
    author: Mapped[Author] = mapped_column(enum_type(Author))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[PostSource] = mapped_column(enum_type(PostSource), default=PostSource.PORTAL)
    body: Mapped[str] = mapped_column(Text, default="")
    # What it answers: a firm message (the email or portal message the candidate replied to) ...
    in_reply_to_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    # ... or, for a recruiter's reply, the candidate's message.
    in_reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="SET NULL"), index=True
    )
    # The outbox message that carried a recruiter's reply to the candidate.
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # The Message-ID header of a reply that came by email (a re-delivered mail is posted once).
    email_message_id: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Promise 8, for a candidate's message only.
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_reply_reason: Mapped[str | None] = mapped_column(String(300))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the candidate first read a recruiter's reply in the portal.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[ConversationAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="ConversationAttachment.id"
    )


class ConversationAttachment(FirmOwned, Model):
    """A file sent with a conversation message; the bytes live in portal/storage.py."""

    __tablename__ = "conversation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_message_id: Mapped[int] = mapped_column(
        ForeignKey("conversation_messages.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HeldMail(FirmOwned, Model):
    """An inbound email not posted to any conversation (unknown or expired reply token, or a
    sender that is not the candidate's address), kept for a recruiter to post or discard."""

    __tablename__ = "held_mails"
    __table_args__ = (Index("ix_held_mails_open", "firm_id", "resolved_at", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(40))  # unknown_token, expired_token, wrong_sender, bounce_address
    mail_from: Mapped[str] = mapped_column(String(254), default="")
    rcpt_to: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(250), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    email_message_id: Mapped[str | None] = mapped_column(String(300))
    # The candidate and message the token named, when it named one (never trusted until checked).
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    in_reply_to_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    raw_key: Mapped[str | None] = mapped_column(String(300))  # the raw MIME in storage
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(20))  # posted, discarded
