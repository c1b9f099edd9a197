"""Conversations (promise 8): what a candidate writes to the firm, in the portal or by email,
and the recruiters' replies. A candidate's message is due an answer within the firm's reply
window (business days, Monday to Friday in the firm's time zone); it stays on the overdue
lists until a recruiter replies or marks it as needing no reply.

This module holds the one way a candidate's message enters Portal (`post_from_candidate`),
used by the portal's form and by inbound email alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from portal import storage
from portal.extensions import db
from portal.models import Author, Candidate, ConversationAttachment, ConversationMessage, Firm, PostSource, utcnow
from portal.services import DomainError
from portal.services.interview_feedback import _midnight_after, add_business_days

MAX_BODY = 10_000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    """A file to keep with a message (already checked by the caller's rules)."""

    filename: str
    content_type: str
    data: bytes


def reply_due(firm: Firm, written_at: datetime) -> datetime:
    """When the answer to a message written at `written_at` is due: midnight after the last
    business day of the firm's reply window, in the firm's zone (one business day: a message
    written on Friday afternoon is due by the end of Monday)."""
    local_day = written_at.astimezone(firm.zone).date()
    return _midnight_after(firm, add_business_days(local_day, max(firm.reply_window_days or 1, 1)))


def clean_body(text: str | None) -> str:
    """The text as kept: control characters (NUL included) dropped, trailing space trimmed."""
    text = "".join(ch for ch in (text or "") if ch in "\n\t" or ch >= " ").replace("\r", "")
    return text.strip()


def post_from_candidate(
    firm: Firm,
    candidate: Candidate,
    body: str,
    *,
    source: PostSource = PostSource.PORTAL,
    candidacy_id: int | None = None,
    in_reply_to_message_id: int | None = None,
    email_message_id: str | None = None,
    attachments: Iterable[Attachment] = (),
    at: datetime | None = None,
) -> ConversationMessage:
    """Record a message the candidate wrote, due an answer within the reply window; its files
    are written to the storage before the commit that references them."""
    body = clean_body(body)
    files = list(attachments)
    if not body and not files:
        raise DomainError("Please write a message.")
    if len(body) > MAX_BODY:
        raise DomainError(f"Please keep your message under {MAX_BODY:,} characters.")
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(f"Please attach at most {MAX_ATTACHMENTS} files.")
    now = at or utcnow()
    post = ConversationMessage(
        firm_id=firm.id,
        candidate_id=candidate.id,
        candidacy_id=candidacy_id,
        author=Author.CANDIDATE,
        source=source,
        body=body,
        in_reply_to_message_id=in_reply_to_message_id,
        email_message_id=email_message_id,
        created_at=now,
        reply_due_at=reply_due(firm, now),
    )
    db.session.add(post)
    db.session.flush()
    for number, item in enumerate(files, start=1):
        key = storage.file_key(firm.id, "attachments", f"{post.id}-{number}")
        storage.save(key, item.data, item.content_type)
        post.attachments.append(
            ConversationAttachment(
                firm_id=firm.id,
                storage_key=key,
                filename=item.filename[:200],
                content_type=item.content_type[:100],
                size=len(item.data),
                created_at=now,
            )
        )
    db.session.flush()
    return post
