"""Conversation test data, written through the real services (post_from_candidate, reply)."""

from __future__ import annotations

from datetime import datetime

from portal.extensions import db
from portal.models import Candidate, ConversationMessage, Firm, User
from portal.services import conversations
from tests.factories import firm_context

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def write(
    app,
    firm,
    candidate,
    body="When will I hear back about the interview?",
    *,
    at: datetime | None = None,
    files=(),
    candidacy_id=None,
    in_reply_to_message_id=None,
) -> ConversationMessage:
    """The candidate writes (as from the portal); `files`: (name, type, bytes)."""
    with firm_context(app, firm) as s:
        post = conversations.post_from_candidate(
            s.get(Firm, firm.id),
            s.get(Candidate, candidate.id),
            body,
            candidacy_id=candidacy_id,
            in_reply_to_message_id=in_reply_to_message_id,
            attachments=[conversations.Attachment(*f) for f in files],
            at=at,
        )
        return _detached(post)


def reply(app, firm, recruiter, candidate, body="Thanks for asking: the client answers on Friday.", **kw):
    with firm_context(app, firm) as s:
        post = conversations.reply(
            s.get(Firm, firm.id), s.get(User, recruiter.id), s.get(Candidate, candidate.id), body, **kw
        )
        return _detached(post)


def _detached(post: ConversationMessage) -> ConversationMessage:
    db.session.flush()
    db.session.refresh(post)
    _ = list(post.attachments)
    return post
