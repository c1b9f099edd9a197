"""Held inbound mail (portal.services.inbound_mail): replies by email that were not posted on
their own (unknown or expired reply address, or a sender that is not the candidate), for a
recruiter to post to the right candidate's conversation or to discard. Both are audited.
Flushes, never commits."""

from __future__ import annotations

from sqlalchemy import func, select

from portal import storage
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import Candidate, ConversationMessage, Firm, HeldMail, Message, PostSource, User, utcnow
from portal.services import DomainError, NotFound, audit
from portal.services.conversations import post_from_candidate
from portal.services.inbound_mail import body_with_notes
from portal.services.inbound_parse import parse

LIST_LIMIT = 100
REASONS = {
    "unknown_token": _l("The reply address is not one we gave out (or no longer names a candidate)."),
    "expired_token": _l("The reply address is older than our replies-by-email window."),
    "wrong_sender": _l("It came from an address that is not the candidate's."),
    "bounce_address": _l(
        "It was sent to the bounce address of one of our emails: a delivery failure report we "
        "could not read, or a person writing to that address."
    ),
}


def open_count(firm: Firm) -> int:
    return (
        db.session.scalar(
            select(func.count(HeldMail.id)).where(HeldMail.firm_id == firm.id, HeldMail.resolved_at.is_(None))
        )
        or 0
    )


def open_mail(firm: Firm) -> tuple[list[HeldMail], dict[int, Candidate]]:
    """The unresolved held mail, oldest first (at most LIST_LIMIT), and the candidates their
    reply addresses named: two statements."""
    rows = list(
        db.session.scalars(
            select(HeldMail)
            .where(HeldMail.firm_id == firm.id, HeldMail.resolved_at.is_(None))
            .order_by(HeldMail.received_at, HeldMail.id)
            .limit(LIST_LIMIT)
        )
    )
    ids = {r.candidate_id for r in rows if r.candidate_id is not None}
    named = {}
    if ids:
        named = {c.id: c for c in db.session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    return rows, named


def _get_open(firm: Firm, held_id: int) -> HeldMail:
    row = db.session.scalar(select(HeldMail).where(HeldMail.firm_id == firm.id, HeldMail.id == held_id))
    if row is None:
        raise NotFound(_("held mail"))
    if row.resolved_at is not None:
        raise DomainError(_("This email was dealt with already."))
    return row


def post_held(firm: Firm, actor: User, held_id: int, candidate_email: str) -> ConversationMessage:
    """Post a held email to the conversation of the candidate with this address."""
    row = _get_open(firm, held_id)
    email = (candidate_email or "").strip().lower()
    if not email:
        raise DomainError(_("Enter the email address of the candidate whose conversation this belongs in."))
    candidate = db.session.scalar(
        select(Candidate).where(
            Candidate.firm_id == firm.id, func.lower(Candidate.email) == email, Candidate.deleted_at.is_(None)
        )
    )
    if candidate is None:
        raise DomainError(_("No candidate has the address %(email)s.", email=email))
    raw = storage.load(row.raw_key) if row.raw_key else None
    mail = parse(raw) if raw else None
    answered = db.session.get(Message, row.in_reply_to_message_id) if row.in_reply_to_message_id else None
    if answered is not None and answered.candidate_id != candidate.id:
        answered = None  # it threads under a message only when that message went to this candidate
    post = post_from_candidate(
        firm,
        candidate,
        body_with_notes(mail) if mail is not None else row.body,
        source=PostSource.EMAIL,
        candidacy_id=answered.candidacy_id if answered is not None else None,
        in_reply_to_message_id=answered.id if answered is not None else None,
        email_message_id=row.email_message_id,
        attachments=mail.attachments if mail is not None else (),
    )
    _resolve(firm, actor, row, "posted", {"candidate": candidate.id, "post": post.id})
    return post


def discard_held(firm: Firm, actor: User, held_id: int) -> None:
    """Discard a held email; its raw copy is deleted once this commits."""
    row = _get_open(firm, held_id)
    _resolve(firm, actor, row, "discarded", {"from": row.mail_from, "subject": row.subject})
    if row.raw_key:
        storage.delete_after_commit(row.raw_key)
        row.raw_key = None


def _resolve(firm: Firm, actor: User, row: HeldMail, resolution: str, details: dict) -> None:
    row.resolved_at = utcnow()
    row.resolved_by_id = actor.id
    row.resolution = resolution
    db.session.flush()
    audit.record(firm, actor, f"held_mail.{resolution}", f"held_mail:{row.id}", {"reason": row.reason, **details})
