"""Conversations (promise 8): what a candidate writes to the firm, in the portal or by email,
and the recruiters' replies. A candidate's message is due an answer within the firm's reply
window (business days, Monday to Friday in the firm's time zone); it stays on the overdue
lists until a recruiter replies or marks it as needing no reply.

This module holds the one way a candidate's message enters Portal (`post_from_candidate`),
used by the portal's form and by inbound email alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from portal import i18n, outbox, storage
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import (
    Audience,
    Author,
    Candidacy,
    Candidate,
    ConversationAttachment,
    ConversationMessage,
    Firm,
    Message,
    PostSource,
    User,
    utcnow,
)
from portal.outbox import links
from portal.services import DomainError, NotFound, audit, keep_in_touch

# A message's files (checked like CVs) live in conversation_files; re-exported for the callers.
from portal.services.conversation_files import MAX_ATTACHMENT_BYTES as MAX_ATTACHMENT_BYTES
from portal.services.conversation_files import MAX_ATTACHMENTS as MAX_ATTACHMENTS
from portal.services.conversation_files import Attachment as Attachment
from portal.services.conversation_files import check_upload as check_upload
from portal.services.conversation_files import check_uploads as check_uploads
from portal.services.conversation_files import sniff as sniff
from portal.services.conversation_files import too_many_files
from portal.services.interview_feedback import _midnight_after, add_business_days
from portal.web.templating import external_url, reply_day

MAX_BODY = 10_000
MAX_REASON = 300
REPLY_KIND = "conversation_reply"  # a recruiter's reply, emailed to the candidate
NEW_MESSAGE_KIND = "conversation_new"  # a new candidate message, emailed to a recruiter
IMMEDIATELY, DIGEST, OFF = "immediately", "digest", "off"
NOTIFICATION_CHOICES = {
    IMMEDIATELY: i18n.lazy("Email me at once (several messages in a few minutes come as one email)"),
    DIGEST: i18n.lazy("Only in my digest"),
    OFF: i18n.lazy("No email: I look at Needs attention"),
}


def _refuse(text: str, field: str | None = None) -> DomainError:
    """A refusal about one form field (portal.web.actions.show_error puts it there)."""
    error = DomainError(text)
    error.field = field  # type: ignore[attr-defined]
    return error


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
        raise DomainError(_("Please write a message."))
    if len(body) > MAX_BODY:
        raise DomainError(
            ngettext(
                "Please keep your message under %(count)s character.",
                "Please keep your message under %(count)s characters.",
                MAX_BODY,
                count=i18n.number(MAX_BODY),
            )
        )
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(too_many_files())
    cy = _candidacy_of(candidate, candidacy_id)
    if in_reply_to_message_id is not None:
        answered = db.session.get(Message, in_reply_to_message_id)
        if answered is None or answered.candidate_id != candidate.id:
            in_reply_to_message_id = None  # not theirs: posted, not threaded
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
    notify_recruiters(firm, candidate, post, cy)
    return post


def attachment_for_candidate(candidate: Candidate, attachment_id: int) -> tuple[ConversationAttachment, bytes]:
    """A file of this candidate's conversation, with its bytes (else NotFound)."""
    row = db.session.scalar(
        select(ConversationAttachment)
        .join(ConversationMessage, ConversationMessage.id == ConversationAttachment.conversation_message_id)
        .where(ConversationAttachment.id == attachment_id, ConversationMessage.candidate_id == candidate.id)
    )
    return _with_bytes(row)


def attachment_for_staff(attachment_id: int) -> tuple[ConversationAttachment, bytes]:
    """A file of any conversation of the current firm (the tenancy filter scopes it)."""
    return _with_bytes(db.session.get(ConversationAttachment, attachment_id))


def _with_bytes(row: ConversationAttachment | None) -> tuple[ConversationAttachment, bytes]:
    data = storage.load(row.storage_key) if row is not None else None
    if row is None or data is None:
        raise NotFound(_("No such file."))
    return row, data


# ---------------------------------------------------------------- notifications (point 4)


def owners_of(candidate: Candidate, candidacy: Candidacy | None) -> list[User]:
    """Who is told at once of a new message: the owner of the search it is about (when it names
    one) and the candidate's own recruiter; active staff only."""
    ids = [i for i in ((candidacy.search.owner_id if candidacy else None), candidate.owner_id) if i]
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(unique)))}
    return [users[i] for i in unique if i in users and users[i].active and users[i].is_staff]


def notify_recruiters(firm: Firm, candidate: Candidate, post: ConversationMessage, candidacy: Candidacy | None) -> int:
    """An email to each owner who chose "immediately"; a burst of messages from one candidate
    is one email per recruiter (held for the grace window, then sent as one). "digest": the
    daily digest lists it; "off": needs-attention only."""
    recipients = [u for u in owners_of(candidate, candidacy) if u.message_notifications == IMMEDIATELY]
    if not recipients:
        return 0
    return keep_in_touch.tell_recruiters(
        firm,
        candidate,
        NEW_MESSAGE_KIND,
        f"conversation:{post.id}",
        recipients,
        {
            "post": post,
            "search_title": candidacy.search.title if candidacy else None,
            "due": local_due(firm, post.reply_due_at),
            "link": links.recruiter_candidate(firm, candidate.id) + "#conversation",
        },
        coalesce=f"conversation:{candidate.id}",
    )


local_due = reply_day  # "Monday 12 May": the last day of the reply window


def set_notifications(firm: Firm, actor: User, choice: str) -> str:
    """A recruiter's own choice of how they hear of new candidate messages."""
    if choice not in NOTIFICATION_CHOICES or actor.firm_id != firm.id or not actor.is_staff:
        raise _refuse(_("Choose how you want to hear of new messages."), "message_notifications")
    actor.message_notifications = choice
    db.session.flush()
    return choice


# ---------------------------------------------------------------- recruiters' replies (point 2)


def _candidate_message(candidate: Candidate, message_id: int) -> ConversationMessage:
    post = db.session.get(ConversationMessage, message_id)
    if post is None or post.candidate_id != candidate.id or post.author != Author.CANDIDATE:
        raise NotFound("No such message.")
    return post


def _candidacy_of(candidate: Candidate, candidacy_id: int | None) -> Candidacy | None:
    if candidacy_id is None:
        return None
    cy = db.session.get(Candidacy, candidacy_id)
    if cy is None or cy.candidate_id != candidate.id:
        raise NotFound(_("No such search for this candidate."))
    return cy


def open_messages(candidate: Candidate, before: datetime | None = None) -> list[ConversationMessage]:
    """The candidate's messages still waiting for an answer, oldest first."""
    q = select(ConversationMessage).where(
        ConversationMessage.candidate_id == candidate.id,
        ConversationMessage.author == Author.CANDIDATE,
        ConversationMessage.answered_at.is_(None),
    )
    if before is not None:
        q = q.where(ConversationMessage.created_at <= before)
    return list(db.session.scalars(q.order_by(ConversationMessage.created_at, ConversationMessage.id)))


def reply(
    firm: Firm,
    actor: User,
    candidate: Candidate,
    body: str,
    *,
    in_reply_to_id: int | None = None,
    candidacy_id: int | None = None,
    at: datetime | None = None,
) -> ConversationMessage:
    """A recruiter's reply, shown in the candidate's conversation and emailed to them (an outbox
    message, kind `conversation_reply`). It answers the message it replies to and every other
    message of this candidate still waiting that was written before it: one reply is an
    answer to the conversation, not to one line of it."""
    body = clean_body(body)
    if not body:
        raise _refuse(_("Please write your reply."), "body")
    if len(body) > MAX_BODY:
        raise _refuse(_("Please keep your reply under %(num)s characters.", num=i18n.number(MAX_BODY)), "body")
    if candidate.deleted_at is not None:
        raise DomainError("This candidate deleted their account: there is nobody to reply to.")
    parent = _candidate_message(candidate, in_reply_to_id) if in_reply_to_id is not None else None
    cy = _candidacy_of(
        candidate, candidacy_id if candidacy_id is not None else (parent.candidacy_id if parent else None)
    )
    now = at or utcnow()
    post = ConversationMessage(
        firm_id=firm.id,
        candidate_id=candidate.id,
        candidacy_id=cy.id if cy else None,
        author=Author.RECRUITER,
        author_user_id=actor.id,
        source=PostSource.PORTAL,
        body=body,
        in_reply_to_id=parent.id if parent else None,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    message = outbox.record(
        firm,
        kind=REPLY_KIND,
        dedupe_key=f"conversation-reply:{post.id}",
        audience=Audience.CANDIDATE,
        to_email=candidate.email,
        to_name=candidate.name,
        candidate=candidate,
        candidacy_id=cy.id if cy else None,
        recipient_user_id=candidate.user_id,
        context={
            "candidate_name": candidate.name,
            "recruiter": actor,
            "text": body,
            "question": parent.body if parent else None,
            "link": external_url(firm, "candidate.messages") + f"#post-{post.id}",
        },
    )
    post.outbox_message_id = message.id
    for waiting in open_messages(candidate, before=now):
        waiting.answered_at = now
    db.session.flush()
    return post


def mark_no_reply(firm: Firm, actor: User, candidate: Candidate, message_id: int, reason: str) -> ConversationMessage:
    """ "No reply needed" (a thank-you, a message answered by phone): the message leaves the
    overdue lists with the recruiter's reason, and the audit log keeps who closed it."""
    post = _candidate_message(candidate, message_id)
    reason = " ".join(clean_body(reason).split())
    if not reason:
        raise _refuse(_("Please say why no reply is needed."), "reason")
    if len(reason) > MAX_REASON:
        raise _refuse(_("Please keep the reason under %(num)s characters.", num=i18n.number(MAX_REASON)), "reason")
    if post.answered_at is not None:
        raise DomainError("This message has been answered already.")
    post.no_reply_reason = reason
    post.closed_by_id = actor.id
    post.answered_at = utcnow()
    audit.record(
        firm, actor, "conversation.no_reply", f"candidate:{candidate.id}", {"message": post.id, "reason": reason}
    )
    db.session.flush()
    return post
