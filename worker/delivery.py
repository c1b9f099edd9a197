"""Delivery: claim, check the candidate's wishes at send time, send, record the outcome.

The rules (promise 6: nothing lost, nothing sent twice):
- A message is claimed with a conditional UPDATE (pending -> sending) committed before
  the send; a second job for the same message finds nothing to claim. Messages that share
  a coalesce key (changes to one candidacy inside the grace window) are claimed together
  and sent as ONE email listing each change; each keeps its own row.
- Transient failures (refused, timeout, 4xx) go back to pending with backoff until
  RETRY_GIVE_UP_HOURS; permanent ones (5xx for this message) are failed with the reason.
  Three permanent failures in a row suppress email to that address until it changes.
- Opt-outs and preferences are checked at send time; at most OPTIONAL_MESSAGES_PER_WEEK
  optional messages reach a candidate in any 7 days (the rest wait).
- After the mail server accepted a message, recording the outcome is retried on a database
  error (new transaction, backoff) for FINISH_RETRY_SECONDS within the lease. A send
  interrupted by a crash (or a database down longer than that) stays `sending` until
  SENDING_LEASE_SECONDS pass; the relay then retries it with the same Message-ID (the only
  window for a duplicate, which receivers can drop by that Message-ID).
- A credential email (invitation, reset: `Message.credential`) gets its link here, minted
  for this send and put only into the email handed to SMTP; the token's hash is stored
  with the outcome once the mail server took it (promise 9, see `worker.compose.with_credential`).
  An experience survey's links are made the same way (portal/services/surveys.py).
Recording the outcome (fenced UPDATEs, retried on a database error) is worker.delivery_outcome.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal import transaction
from portal.extensions import db
from portal.i18n import email_language
from portal.models import Audience, Candidate, Firm, Message, MessageState, SuggestionFrequency, User, utcnow
from portal.services import delivery_failures, interview_reminders, surveys
from portal.services.accounts import MintedLink
from portal.services.preferences import CHECKIN_KIND, NO_CHECKIN_EMAILS
from portal.tenancy import all_firms, bind_firm
from worker import mailer
from worker.compose import compose, headers_for, localize, with_credential
from worker.compose import email_language as email_language_of
from worker.delivery_outcome import record_outcome

log = logging.getLogger(__name__)
SUPPRESS_AFTER = delivery_failures.SUPPRESS_AFTER
STALE_OPTIONAL = timedelta(days=14)  # an optional message still waiting after this is dropped


# ---------------------------------------------------------------- send-time checks


def delivery_blocked(msg: _Row, candidate: _Row | None, recipient: _Row | None = None) -> str | None:
    """Why this message must not be emailed now (checked at send time), or None."""
    if msg.audience == Audience.CANDIDATE and candidate is not None:
        if candidate.deleted_at is not None:
            return "the candidate deleted their account"
        if not candidate.email:
            return "no email address"
        if candidate.email_suppressed:
            return "email suppressed after repeated permanent failures"
        if msg.stream:
            if candidate.unsubscribed_all:
                return "the candidate unsubscribed from optional emails"
            if msg.stream == "nurture" and candidate.suggestion_frequency == SuggestionFrequency.NEVER:
                return "the candidate asked for no role suggestions"
            if msg.stream == "availability" and not candidate.allow_availability_prompts:
                return "the candidate asked for no availability reminders"
            if msg.stream == surveys.SURVEY_STREAM and not candidate.survey_emails:
                return surveys.NO_SURVEY_EMAILS
        elif msg.kind == CHECKIN_KIND and not candidate.checkin_emails:
            return NO_CHECKIN_EMAILS  # still in their portal (promise 1 holds there)
        return None
    if not msg.to_email:
        return "no email address"
    if recipient is not None and not recipient.active:
        return "the recipient's account is deactivated"
    return None


def reader_at_send(
    firm: Firm, msg: _Row, candidate: _Row | None, recipient: _Row | None
) -> tuple[str | None, str | None]:
    """The language and time zone of an email at send time: its candidate's (Candidate.language,
    .timezone), else its recipient's language (User.language; staff read the firm's zone);
    (None, None) for an email to nobody known (a visitor's: as it was recorded)."""
    if msg.audience == Audience.CANDIDATE and candidate is not None:
        return email_language(firm, candidate.language), candidate.timezone
    if recipient is not None:
        return email_language(firm, recipient.language), None if msg.audience == Audience.CANDIDATE else firm.timezone
    return None, None


def backoff(attempts: int) -> timedelta:
    """RETRY_BASE_SECONDS x 1, 2, 4 ... capped at an hour."""
    base = current_app.config.get("RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _optional_sent_recently(candidate_id: int, before_id: int, now: datetime) -> tuple[int, datetime | None]:
    """Optional messages this candidate received in the last 7 days (plus ones being sent
    right now by another worker, older first), and the oldest send time among them."""
    week_ago = now - timedelta(days=7)
    row = db.session.execute(
        select(func.count(Message.id), func.min(Message.sent_at)).where(
            Message.candidate_id == candidate_id,
            Message.audience == Audience.CANDIDATE,
            Message.stream.is_not(None),
            or_(
                (Message.state == MessageState.SENT) & (Message.sent_at > week_ago),
                (Message.state == MessageState.SENDING) & (Message.id < before_id),
            ),
        )
    ).one()
    return row[0] or 0, row[1]


# ---------------------------------------------------------------- claim and deliver

_M = Message.__table__
_C = Candidate.__table__
_U = User.__table__
# What the send-time checks and the email need of the candidate (and of a staff recipient).
_CANDIDATE_COLUMNS = (
    _C.c.id,
    _C.c.email,
    _C.c.deleted_at,
    _C.c.email_suppressed,
    _C.c.email_failures,
    _C.c.unsubscribed_all,
    _C.c.suggestion_frequency,
    _C.c.allow_availability_prompts,
    _C.c.unsubscribe_token,
    _C.c.unreachable_since,
    _C.c.checkin_emails,
    _C.c.survey_emails,
    _C.c.language,  # the email's language and zone are the candidate's at send time
    _C.c.timezone,
)


class _Row(SimpleNamespace):
    """A row as a plain object: delivery reads a message or a candidate, never saves it
    through the ORM (its outcome is written with fenced UPDATEs)."""


def claim(message_id: int, *, any_firm: bool = False) -> tuple[list[int], datetime | None]:
    """Claim a due, pending message (pending -> sending) and, when it has a coalesce key,
    every other due, pending message of its group (changes to one candidacy inside the
    grace window): each row is claimed by exactly one UPDATE. Commits the claim. Returns
    the claimed ids (empty: nothing to do) and the claim's timestamp, which fences the
    outcome (see `worker.delivery_outcome.finish`). Only a message of the bound firm is claimed, unless
    `any_firm` (the worker's jobs, which get a message id only) says explicitly that it
    may belong to any firm; the message's firm is then bound."""
    rows, now = _claim_rows(message_id, any_firm)
    return [r.id for r in rows], now


# The per-message statements, built once: building a statement and its cache key cost
# about as much as running it (bound values are passed at execution).
@functools.cache
def _claim_stmt(group: bool, any_firm: bool = False):
    where = (
        (_M.c.firm_id == bindparam("b_firm"), _M.c.coalesce_key == bindparam("b_key"))
        if group
        else (_M.c.id == bindparam("b_id"),)
        if any_firm
        else (_M.c.firm_id == bindparam("b_firm"), _M.c.id == bindparam("b_id"))
    )
    stmt = (
        update(Message)
        .where(*where, _M.c.state == MessageState.PENDING, _M.c.due_at <= bindparam("b_now"))
        .values(state=MessageState.SENDING, claimed_at=bindparam("b_claimed"), attempts=_M.c.attempts + 1)
        .returning(*_M.c)
    )
    # A delivery job has the message id only: its claim spans firms, and says so.
    return stmt.execution_options(all_firms=True) if any_firm else stmt


@functools.cache
def _candidate_stmt():
    return select(*_CANDIDATE_COLUMNS).where(_C.c.id == bindparam("b_id"), _C.c.firm_id == bindparam("b_firm"))


def _claim_rows(message_id: int, any_firm: bool = False) -> tuple[list[_Row], datetime | None]:
    """`claim`, returning the claimed messages themselves (UPDATE ... RETURNING, oldest
    first): no second query for them. Core statements on the session's connection: a
    delivery runs a handful per message, and the ORM's bulk-UPDATE machinery cost more
    than the statements themselves."""
    session = db.session()
    conn = session.connection()
    now = utcnow()
    params = {"b_id": message_id, "b_now": now, "b_claimed": now}
    if not any_firm:
        params["b_firm"] = session.info.get("firm_id")
    first = conn.execute(_claim_stmt(False, any_firm), params).first()
    if first is None:
        transaction.rollback(session)
        return [], None
    bind_firm(first.firm_id)
    rows = [_Row(**first._mapping)]
    if first.coalesce_key is not None:
        rows += [
            _Row(**r._mapping)
            for r in conn.execute(
                _claim_stmt(True),
                {"b_firm": first.firm_id, "b_key": first.coalesce_key, "b_now": now, "b_claimed": now},
            )
        ]
        rows.sort(key=lambda r: (r.created_at, r.id))
    # The claim is committed now, on its own, before the send (not with the outcome): a
    # second job for the same message must see it `sending` and find nothing to claim, and
    # no write transaction may stay open while the mail server takes its time.
    transaction.checkpoint(session)
    return rows, now


def _load_firm(firm_id: int, firms: dict[int, Firm]) -> Firm:
    """The sender's firm with its domains, detached: it stays usable, unexpired, across
    the commits of a batch."""
    firm = firms.get(firm_id)
    if firm is None:
        session = db.session
        with all_firms():
            firm = session.scalars(select(Firm).where(Firm.id == firm_id).options(selectinload(Firm.domains))).one()
        session.expunge(firm)  # cascades to its domains
        firms[firm_id] = firm
    return firm


def deliver(
    message_id: int, conn: mailer.Connection, firms: dict[int, Firm] | None = None, *, any_firm: bool = False
) -> str:
    """Deliver one message (or its grace-window group) over `conn`. Commits its outcome.
    `firms` caches the senders' firms (with their domains) across a batch. `any_firm`:
    see `claim` (the bound firm's messages only, unless it says so).
    Returns one of: sent, retry, failed, skipped, deferred, not claimable, superseded."""
    msgs, claimed_at = _claim_rows(message_id, any_firm)
    if not msgs or claimed_at is None:  # (claimed rows always come with their claim time)
        return "not claimable"
    session = db.session
    db_conn = session.connection()
    head = msgs[0]
    firm = _load_firm(head.firm_id, {} if firms is None else firms)
    candidate = recipient = None
    if head.candidate_id:
        found = db_conn.execute(_candidate_stmt(), {"b_id": head.candidate_id, "b_firm": head.firm_id}).first()
        candidate = _Row(**found._mapping) if found is not None else None
    if head.recipient_user_id:
        found = db_conn.execute(
            select(_U.c.id, _U.c.active, _U.c.language).where(
                _U.c.id == head.recipient_user_id, _U.c.firm_id == head.firm_id
            )
        ).first()
        recipient = _Row(**found._mapping) if found is not None else None
    now = utcnow()
    outcome, changes, candidate_changes, minted = _deliver_claimed(firm, msgs, candidate, recipient, conn, now)
    return record_outcome(
        message_id,
        head.firm_id,
        outcome,
        msgs,
        changes,
        candidate,
        candidate_changes,
        claimed_at,
        minted=minted,
        now=now,
    )


def _deliver_claimed(
    firm: Firm, msgs: list[_Row], candidate: _Row | None, recipient: _Row | None, conn: mailer.Connection, now: datetime
) -> tuple[str, dict[int, dict], dict[str, Any], MintedLink | surveys.MintedSurvey | None]:
    """Check, send, and work out each message's new values and the credential link minted
    for this send, if any (all written by the caller, `record_outcome`)."""
    changes: dict[int, dict] = {}
    sendable: list[_Row] = []
    for m in msgs:
        # A reminder of an interview cancelled, moved or too close by now is cancelled, not sent.
        stale = interview_reminders.refusal(m.kind, m.interview_id, m.dedupe_key, now)
        if stale:
            changes[m.id] = {"state": MessageState.CANCELLED, "last_error": stale}
            continue
        reason = delivery_blocked(m, candidate, recipient)
        if reason:
            changes[m.id] = {"state": MessageState.SKIPPED, "last_error": reason}
        else:
            sendable.append(m)
    deferred = False
    optional = [m for m in sendable if m.stream and m.audience == Audience.CANDIDATE]
    if optional and candidate is not None:
        limit = current_app.config.get("OPTIONAL_MESSAGES_PER_WEEK", 3)
        count, oldest = _optional_sent_recently(candidate.id, min(m.id for m in optional), now)
        room = max(limit - count, 0)
        for m in optional[room:]:
            sendable.remove(m)
            if now - m.created_at > STALE_OPTIONAL:
                changes[m.id] = {
                    "state": MessageState.SKIPPED,
                    "last_error": "not sent: the weekly limit of optional emails stayed reached for two weeks",
                }
                continue
            changes[m.id] = {
                "state": MessageState.PENDING,
                "attempts": max(m.attempts - 1, 0),
                "enqueued_at": None,
                "due_at": max(now + timedelta(hours=1), (oldest or now) + timedelta(days=7, minutes=1)),
                "last_error": f"waiting: at most {limit} optional emails per week",
            }
            deferred = True
    if not sendable:
        return ("deferred" if deferred else "skipped"), changes, {}, None
    to_candidate = candidate if candidate is not None and sendable[0].audience == Audience.CANDIDATE else None
    if to_candidate is not None:
        for m in sendable:
            m.to_email = to_candidate.email  # the address at send time
    # In the reader's language now: a message recorded in another is rendered again.
    language, zone = reader_at_send(firm, sendable[0], candidate, recipient)
    rendered_again = localize(firm, sendable, language, zone)
    outgoing, minted = compose(firm, sendable, language), None
    minted_survey: surveys.MintedSurvey | None = None
    if sendable[0].credential:  # never grouped: the outbox gives it no coalesce key
        outgoing, minted, reason = with_credential(firm, sendable[0], outgoing, recipient, now)
        if reason:
            changes[sendable[0].id] = {"state": MessageState.SKIPPED, "last_error": reason}
            return "skipped", changes, {}, None
    elif sendable[0].kind == surveys.SURVEY_KIND:  # never grouped either (no coalesce key)
        # The survey's links are made for this send, only in the email handed to SMTP.
        minted_survey = surveys.mint_for_send(firm.id, sendable[0].id, now)
        text, html = surveys.fill_links(outgoing.body_text, outgoing.body_html, minted_survey)
        outgoing = dataclasses.replace(outgoing, body_text=text, body_html=html)
    address = {"to_email": sendable[0].to_email}
    try:  # building too: an address that cannot be encoded is a permanent failure, not a crash
        headers = headers_for(firm, sendable[0], candidate, email_language_of(firm, sendable, language))
        email = mailer.build_raw(firm, outgoing, headers)
        conn.send(email)
    except mailer.TransientError as exc:
        give_up = timedelta(hours=current_app.config.get("RETRY_GIVE_UP_HOURS", 48))
        failed_all = True
        for m in sendable:
            if now - m.created_at >= give_up:
                changes[m.id] = {
                    "state": MessageState.FAILED,
                    **address,
                    "last_error": f"gave up after {m.attempts} attempts: {exc}"[:1000],
                }
            else:
                failed_all = False
                changes[m.id] = {
                    "state": MessageState.PENDING,
                    "due_at": now + backoff(m.attempts),
                    "enqueued_at": None,
                    **address,
                    "last_error": f"will retry: {exc}"[:1000],
                }
        return ("failed" if failed_all else "retry"), changes, {}, None
    except mailer.PermanentError as exc:
        for m in sendable:
            changes[m.id] = {"state": MessageState.FAILED, **address, "last_error": str(exc)[:1000]}
        candidate_changes: dict[str, Any] = {}
        if to_candidate is not None:  # counted in SQL: two workers failing at once both count
            candidate_changes = delivery_failures.permanent_failure_counts()
        return "failed", changes, candidate_changes, None
    for m in sendable:
        changes[m.id] = {"state": MessageState.SENT, "sent_at": now, **address, "last_error": None}
        if m.id in rendered_again:  # the portal's copy reads as the email did
            changes[m.id].update(subject=m.subject, body_text=m.body_text, body_html=m.body_html)
    candidate_changes = {"email_failures": 0} if to_candidate is not None and to_candidate.email_failures else {}
    return "sent", changes, candidate_changes, minted or minted_survey
