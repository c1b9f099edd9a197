"""Messages as the staff see them: "send it again" and what a new address forgets.

The one rule behind every "Send again" button lives here, so a view calls it and the worker
sends what it queued; this module never sends or talks to SMTP (that is worker/delivery.py)."""

from __future__ import annotations

from sqlalchemy import event, func, select

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Audience, Candidate, Firm, Message, MessageState, User, utcnow
from portal.services import DomainError, NotFound, audit

# ---------------------------------------------------------------- the candidate's address


def email_changed(candidate: Candidate) -> None:
    """The candidate has a new address: forget the old one's failures and suppression.
    Called automatically when Candidate.email changes (see install_hooks); safe to call."""
    candidate.email_failures = 0
    candidate.email_suppressed = False


def _on_email_set(target: Candidate, value, oldvalue, initiator):
    if isinstance(oldvalue, str) and (value or "").strip().lower() != oldvalue.strip().lower():
        email_changed(target)
    return value


def install_hooks() -> None:
    if not event.contains(Candidate.email, "set", _on_email_set):
        event.listen(Candidate.email, "set", _on_email_set, active_history=True)


# ---------------------------------------------------------------- "send it again"


def resend(firm: Firm, actor: User, message: Message | int) -> Message:
    """Send a failed message again: the one rule behind every "Send again" button.

    - only a failed message of this firm (another firm's is not found);
    - to the addressee's CURRENT address (the candidate's, or the staff member's), not the
      one that failed;
    - refused, with the reason, when that address is suppressed after repeated permanent
      failures, unless it is not the address that failed (the suppression was then about an
      older address and is lifted);
    - attempts start again from zero; the message goes back to the queue now (enqueued
      after commit, and by the relay if that enqueue is lost);
    - audited (who, which message, the old and new address, the earlier error).
    """
    msg = message if isinstance(message, Message) else db.session.get(Message, message)
    if msg is None or msg.firm_id != firm.id:
        raise NotFound(_("No such message."))
    if msg.state != MessageState.FAILED:
        raise DomainError(_("Only a failed message can be sent again."))
    old_address = msg.to_email
    address = msg.to_email
    if msg.audience == Audience.CANDIDATE and msg.candidate_id:
        candidate = db.session.get(Candidate, msg.candidate_id)
        if candidate is None or candidate.deleted_at is not None:
            raise DomainError(_("This candidate deleted their account."))
        address = candidate.email
        if not address:
            raise DomainError(_("There is no email address to send it to. Add one to the candidate first."))
        if candidate.email_suppressed:
            if _failed_here(candidate.id, address):
                raise DomainError(
                    _(
                        "Emails to %(email)s were refused again and again, so sending is stopped for that "
                        "address. Fix the candidate's address first, or record that you told them another way.",
                        email=address,
                    )
                )
            email_changed(candidate)  # the suppression was about an older address
        msg.to_name = candidate.name
        if msg.stream is None:  # on its way again: contact again (undone if it fails again)
            now = utcnow()
            if candidate.last_contacted_at is None or candidate.last_contacted_at < now:
                candidate.last_contacted_at = now
    elif msg.recipient_user_id:
        recipient = db.session.get(User, msg.recipient_user_id)
        if recipient is not None and recipient.email:
            address = recipient.email
    if not address:
        raise DomainError(_("There is no email address to send it to."))
    now = utcnow()
    previous = msg.last_error
    msg.to_email = address
    msg.state = MessageState.PENDING
    msg.attempts = 0
    msg.due_at = now
    msg.enqueued_at = now  # enqueued after commit; cleared again if that enqueue fails
    msg.claimed_at = None
    msg.last_error = f"sent again by {actor.name} after: {previous or 'a failure'}"[:1000]
    audit.record(
        firm,
        actor,
        "message.resend",
        f"message:{msg.id}",
        {"to": address, "before": old_address if old_address != address else None, "error": audit.short(previous)},
    )
    db.session.flush()
    outbox.enqueue_after_commit([msg.id])
    return msg


def _failed_here(candidate_id: int, address: str) -> bool:
    """Did a message to the candidate fail permanently at this very address?"""
    return (
        db.session.scalar(
            select(Message.id)
            .where(
                Message.candidate_id == candidate_id,
                Message.state == MessageState.FAILED,
                func.lower(Message.to_email) == address.lower(),
            )
            .limit(1)
        )
        is not None
    )
