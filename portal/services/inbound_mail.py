"""Replies by email: what happens to one inbound mail sent to reply+<token>@<reply domain>.

The address decides the firm, never the Host of a request: a firm's own reply domain names that
firm, and a token names one of its messages (hence its candidate); on the installation's shared
domain (PORTAL_REPLY_DOMAIN) the token alone names the firm. A token of firm A on firm B's
domain names nothing (it is B's unknown token): nothing ever crosses from one firm to another.

- Posted to the candidate's conversation (portal.services.conversations.post_from_candidate),
  threaded under the message it answers: a known, unexpired token and a From address that is
  the candidate's (case-insensitive, address part). A Message-ID seen before is posted once.
- Held for a recruiter (HeldMail, portal.services.held_mail): unknown or forged token
  (`unknown_token`), expired token (`expired_token`), another sender (`wrong_sender`).
- Refused (the sender is told): a domain that is no firm's and not the installation's, or an
  unknown token on the shared domain (no firm to hold it for), or a deleted candidate.
- Not posted, not held: auto-replies (logged and counted); empty replies.
- Delivery reports (DSN) about one of our messages: the message is failed with the report's
  reason, exactly as an SMTP-time refusal (portal.services.delivery_failures).
- Bounce addresses bounce+<token>@<reply domain> (the envelope sender with
  PORTAL_BOUNCE_TO_REPLY_DOMAIN, where late bounces go): only a known token on its own firm's
  domain is taken (anything else is refused, at RCPT by `portal inbound`). A DSN fails the
  message the token names, whatever the report quotes of the original (VERP: the address is
  the proof). Anything else is never posted: an auto-reply sent to the Return-Path is dropped;
  other mail (a person writing to it, a bounce from MAILER-DAEMON/postmaster in a format that
  is no DSN) is held as `bounce_address`, with the candidate and message the token names, for
  a recruiter to read.
Flushes, never commits: portal/inbound.py is the unit of work around it."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import storage
from portal.extensions import db
from portal.models import Candidate, ConversationMessage, Firm, HeldMail, Message, MessageState, PostSource, utcnow
from portal.outbox import reply_address
from portal.services import DomainError, delivery_failures
from portal.services.conversations import MAX_BODY, post_from_candidate
from portal.services.inbound_parse import ParsedMail, parse
from portal.tenancy import all_firms, bind_firm

log = logging.getLogger(__name__)
COUNTS: Counter[str] = Counter()  # outcomes since the process started (auto-replies among them)


@dataclass(frozen=True)
class Outcome:
    """What became of one mail: posted, duplicate, held, auto_reply, bounce, empty, refused."""

    status: str
    detail: str = ""
    firm_id: int | None = None
    post_id: int | None = None
    held_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.status != "refused"


def firm_for_domain(domain: str) -> Firm | None:
    """The firm whose own reply domain this is (a reply domain is unique across firms)."""
    return db.session.scalar(select(Firm).where(Firm.reply_domain == domain).execution_options(all_firms=True))


def known_domain(domain: str) -> bool:
    """A domain replies may be addressed to: a firm's reply domain or the installation's."""
    domain = (domain or "").lower().rstrip(".")
    return bool(domain) and (domain == reply_address.platform_domain() or firm_for_domain(domain) is not None)


def accepts_recipient(address: str) -> bool:
    """RCPT TO check of `portal inbound`: a reply+ address on a known reply domain, or a
    bounce+ address whose token names a message of that domain's firm."""
    bounce = reply_address.split_bounce(address)
    if bounce is not None:
        return _bounce_target(*bounce) is not None
    parts = reply_address.split(address)
    return parts is not None and known_domain(parts[1])


def _bounce_target(token: str, domain: str) -> tuple[Firm, Message] | None:
    """The firm and message a bounce+<token>@<domain> address names, or None: an unknown or
    forged token, another firm's token on this domain, a domain that is no reply domain here,
    a disabled firm. (Unlike a reply address, nothing is held for an unknown bounce token:
    a bounce about mail we never sent is none of ours.)"""
    domain_firm = firm_for_domain(domain)
    if domain_firm is None and domain != reply_address.platform_domain():
        return None
    msg = _message_for(token)
    if msg is None or (domain_firm is not None and msg.firm_id != domain_firm.id):
        return None
    firm = domain_firm or db.session.get(Firm, msg.firm_id)
    if firm is None or firm.disabled:
        return None
    return firm, msg


def _message_for(token: str) -> Message | None:
    if not reply_address.TOKEN.match(token):
        return None  # forged or mangled: no lookup needed
    with all_firms():  # the token decides the firm; checked against the domain below
        return db.session.scalar(select(Message).where(Message.reply_token == token))


def handle(raw: bytes, mail_from: str, rcpt_to: str) -> Outcome:
    """Decide and store what one inbound mail becomes (see the module's docstring)."""
    bounce = reply_address.split_bounce(rcpt_to)
    if bounce is not None:
        return _count(_bounce(raw, mail_from, rcpt_to, *bounce))
    parts = reply_address.split(rcpt_to)
    if parts is None:
        return _count(Outcome("refused", "not a reply address"))
    token, domain = parts
    domain_firm = firm_for_domain(domain)
    if domain_firm is None and domain != reply_address.platform_domain():
        return _count(Outcome("refused", "not a reply domain of this installation"))
    msg = _message_for(token)
    if msg is not None and domain_firm is not None and msg.firm_id != domain_firm.id:
        msg = None  # another firm's token on this firm's domain: unknown here
    firm = domain_firm if domain_firm is not None else (db.session.get(Firm, msg.firm_id) if msg else None)
    if firm is None or firm.disabled:
        return _count(Outcome("refused", "no such conversation"))
    bind_firm(firm.id)
    mail = parse(raw)
    if mail.report is not None:
        return _count(_delivery_report(firm, msg, mail))
    if mail.auto_reply:
        log.info("inbound mail for firm %s: an auto-reply (%s), not posted", firm.id, mail.auto_reply)
        return _count(Outcome("auto_reply", mail.auto_reply, firm.id))
    if _seen(firm, mail.message_id):
        return _count(Outcome("duplicate", mail.message_id, firm.id))
    candidate = db.session.get(Candidate, msg.candidate_id) if msg and msg.candidate_id else None
    if msg is None or candidate is None:
        return _count(_hold(firm, "unknown_token", raw, mail_from, rcpt_to, mail, None, None))
    if candidate.deleted_at is not None:
        return _count(Outcome("refused", "no such conversation", firm.id))
    if utcnow() > reply_address.expires_at(msg.sent_at, msg.created_at):
        return _count(_hold(firm, "expired_token", raw, mail_from, rcpt_to, mail, candidate, msg))
    if not candidate.email or mail.from_address != candidate.email.strip().lower():
        return _count(_hold(firm, "wrong_sender", raw, mail_from, rcpt_to, mail, candidate, msg))
    return _count(post(firm, candidate, mail, msg))


MAILER_DAEMONS = ("mailer-daemon@", "postmaster@")


def _bounce(raw: bytes, mail_from: str, rcpt_to: str, token: str, domain: str) -> Outcome:
    """Mail to a bounce address (see the module's docstring): never a conversation message."""
    target = _bounce_target(token, domain)
    if target is None:
        return Outcome("refused", "no such bounce address")
    firm, msg = target
    bind_firm(firm.id)
    mail = parse(raw)
    if mail.report is not None:
        return _delivery_report(firm, msg, mail, by_address=True)
    # A bounce that is no DSN (Exim's plain-text "Mail delivery failed", also Auto-Submitted)
    # comes from the mail system: held, so a recruiter reads why the email did not arrive.
    from_daemon = mail.from_address.startswith(MAILER_DAEMONS)
    if mail.auto_reply and not from_daemon:  # an out-of-office sent to the Return-Path
        log.info("inbound mail for firm %s to a bounce address: an auto-reply (%s), dropped", firm.id, mail.auto_reply)
        return Outcome("auto_reply", mail.auto_reply, firm.id)
    if _seen(firm, mail.message_id):
        return Outcome("duplicate", mail.message_id, firm.id)
    candidate = db.session.get(Candidate, msg.candidate_id) if msg.candidate_id else None
    if candidate is not None and candidate.deleted_at is not None:
        candidate = None
    return _hold(firm, "bounce_address", raw, mail_from, rcpt_to, mail, candidate, msg)


def post(firm: Firm, candidate: Candidate, mail: ParsedMail, msg: Message | None) -> Outcome:
    """Post a reply to the candidate's conversation, under the message it answers."""
    body = body_with_notes(mail)
    if not body and not mail.attachments:
        return Outcome("empty", "nothing but quoted text", firm.id)
    try:
        with db.session.begin_nested():  # the same Message-ID posted at the same instant: once
            row = post_from_candidate(
                firm,
                candidate,
                body,
                source=PostSource.EMAIL,
                candidacy_id=msg.candidacy_id if msg is not None else None,
                in_reply_to_message_id=msg.id if msg is not None else None,
                email_message_id=mail.message_id,
                attachments=mail.attachments,
            )
    except DomainError as exc:
        return Outcome("empty", str(exc), firm.id)
    except IntegrityError:  # (firm_id, email_message_id) is unique: another delivery posted it
        if _seen(firm, mail.message_id):
            return Outcome("duplicate", mail.message_id, firm.id)
        raise
    return Outcome("posted", "", firm.id, post_id=row.id)


def body_with_notes(mail: ParsedMail) -> str:
    """The reply's new text, with a line for each attachment that was not kept."""
    body = mail.text
    if mail.refused:
        notes = "\n".join(f"- {line}" for line in mail.refused)
        body = f"{body}\n\n[Attachments not kept:\n{notes}]".strip()
    if len(body) > MAX_BODY:
        body = body[: MAX_BODY - 40].rstrip() + "\n\n[The rest of this email was cut.]"
    return body


def _seen(firm: Firm, message_id: str) -> bool:
    posted = db.session.scalar(
        select(ConversationMessage.id).where(
            ConversationMessage.firm_id == firm.id, ConversationMessage.email_message_id == message_id
        )
    )
    held = db.session.scalar(
        select(HeldMail.id).where(HeldMail.firm_id == firm.id, HeldMail.email_message_id == message_id)
    )
    return posted is not None or held is not None


def _hold(
    firm: Firm,
    reason: str,
    raw: bytes,
    mail_from: str,
    rcpt_to: str,
    mail: ParsedMail,
    candidate: Candidate | None,
    msg: Message | None,
) -> Outcome:
    key = storage.file_key(firm.id, "held-mail", f"{uuid.uuid4().hex}.eml")
    storage.save(key, raw, "message/rfc822")  # removed again if the transaction rolls back
    held = HeldMail(
        firm_id=firm.id,
        reason=reason,
        mail_from=(mail.from_address or mail_from or "")[:254],
        rcpt_to=(rcpt_to or "")[:254],
        subject=mail.subject[:250],
        body=body_with_notes(mail) or mail.full_text[:MAX_BODY],
        email_message_id=mail.message_id,
        candidate_id=candidate.id if candidate is not None else None,
        in_reply_to_message_id=msg.id if msg is not None else None,
        raw_key=key,
    )
    db.session.add(held)
    db.session.flush()
    log.info("inbound mail for firm %s held: %s", firm.id, reason)
    return Outcome("held", reason, firm.id, held_id=held.id)


def _delivery_report(firm: Firm, token_msg: Message | None, mail: ParsedMail, *, by_address: bool = False) -> Outcome:
    """A DSN: each of our messages it names (by their Message-ID <portal.F.M@...>, or else the
    message whose token it was sent to) that belongs to this firm is marked failed with the
    report's reason, as an SMTP-time refusal is (candidate unreachable, back on the overdue list).
    Sent to a bounce address (`by_address`), the token alone names the message: that address was
    the envelope sender of exactly that email, whatever the report quotes (or leaves out)."""
    report = mail.report
    assert report is not None
    if not report.failed:
        return Outcome("bounce", "a delay notice: nothing failed yet", firm.id)
    ids = [mid for fid, mid in report.message_ids if fid == firm.id]
    if by_address and token_msg is not None:
        ids = [token_msg.id]
    elif not report.message_ids and token_msg is not None:  # no Message-ID returned: the address names it
        ids = [token_msg.id]
    reason = f"bounced after sending: {report.diagnostic or 'the receiving server reported a failure'}"[:1000]
    failed = 0
    for mid in ids:
        failed += mark_failed_after_sending(firm, mid, reason)
    return Outcome("bounce", f"{failed} message(s) marked failed", firm.id)


def mark_failed_after_sending(firm: Firm, message_id: int, reason: str) -> int:
    """Fail a message the mail server had accepted (state sent) because a delivery report says
    it never arrived; 1 if it was failed now, 0 if it was not ours, not sent or failed already."""
    msg = db.session.scalar(select(Message).where(Message.firm_id == firm.id, Message.id == message_id))
    if msg is None or msg.state != MessageState.SENT:
        return 0
    done = db.session.execute(
        update(Message)
        .where(Message.firm_id == firm.id, Message.id == msg.id, Message.state == MessageState.SENT)
        .values(state=MessageState.FAILED, last_error=reason)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(done, "rowcount", 0):  # an UPDATE gives a CursorResult
        return 0
    changes = {msg.id: {"state": MessageState.FAILED, "last_error": reason}}
    candidate = db.session.get(Candidate, msg.candidate_id) if msg.candidate_id else None
    if candidate is not None:
        delivery_failures.candidate_outcome(
            candidate, firm.id, [msg], changes, delivery_failures.permanent_failure_counts()
        )
    delivery_failures.emit_failures(firm.id, [msg], changes)
    db.session.flush()
    return 1


def _count(outcome: Outcome) -> Outcome:
    COUNTS[outcome.status] += 1
    return outcome
