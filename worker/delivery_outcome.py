"""Recording a delivery's outcome (worker.delivery sends; this writes what came of it).

Each message's new values are written with a fenced UPDATE that matches only while our claim
holds (state `sending`, our claim time), with the candidate's side (failures, suppression,
reachability) and a sent credential's token hash, in one transaction; a database error after
the mail server took the email is retried in a new transaction with backoff within the lease
(promise 6). It never sends, never claims, and never overwrites a row another delivery took over.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from portal import transaction
from portal.extensions import db
from portal.models import Audience, Candidate, Message, MessageState, utcnow
from portal.services import accounts, contact, surveys, webhook_payloads, webhooks
from portal.services.preferences import NO_CHECKIN_EMAILS

log = logging.getLogger("worker.delivery")  # the delivery's log, as before the split
_M = Message.__table__
_C = Candidate.__table__


@functools.cache
def _finish_stmt(columns: tuple[str, ...]):
    return (
        update(Message)
        .where(
            _M.c.firm_id == bindparam("b_firm"),
            _M.c.id == bindparam("b_id"),
            _M.c.state == MessageState.SENDING,
            _M.c.claimed_at == bindparam("b_claimed"),
        )
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


# After the mail server accepted a message, a failure to record it would leave the row
# `sending` until the lease ends, and the relay would send it again: recording is retried
# (a new transaction each time) before giving up.
FINISH_BACKOFF = (0.2, 0.5, 1, 2, 4, 8, 15)


def _retryable(exc: DBAPIError) -> bool:
    """A database error worth another transaction: locked, busy, connection lost."""
    return isinstance(exc, (OperationalError, InterfaceError)) or bool(exc.connection_invalidated)


def record_outcome(
    message_id: int,
    firm_id: int,
    outcome: str,
    msgs: list,
    changes: dict[int, dict],
    candidate,
    candidate_changes: dict,
    claimed_at: datetime,
    minted: accounts.MintedLink | surveys.MintedSurvey | None = None,
    now: datetime | None = None,
) -> str:
    """`finish`, the candidate's changes and a sent credential's token hash, committed; on a
    database error rolled back and tried again in a new transaction with backoff
    (FINISH_BACKOFF), for at most FINISH_RETRY_SECONDS and within the sending lease, then
    the error is raised."""
    session = db.session()  # the scoped session's own Session: the same one on every attempt
    cfg = current_app.config
    lease = cfg.get("SENDING_LEASE_SECONDS", 600)
    budget = min(float(cfg.get("FINISH_RETRY_SECONDS", 60)), lease / 2)
    deadline = time.monotonic() + budget
    attempt = 0
    # Each attempt is a transaction of its own (the claim's was committed before the send):
    # one that failed is rolled back and the next starts afresh, on a new connection if the
    # old one was lost.
    while True:
        try:
            with transaction.transaction(session):
                if not finish(changes, claimed_at, firm_id):
                    transaction.rollback(session)  # our claim no longer holds: undo what matched
                    if attempt and _already_recorded(changes, claimed_at, firm_id):
                        return outcome  # an earlier attempt's COMMIT went through after all
                    log.warning("message %s: the claim expired during the send; another delivery took over", message_id)
                    return "superseded"
                if candidate is not None:
                    _candidate_outcome(candidate, firm_id, msgs, changes, candidate_changes)
                # the emailed link works once this commits (dead if it never does)
                if isinstance(minted, surveys.MintedSurvey):
                    surveys.store_minted(minted)
                elif minted is not None:
                    accounts.store_minted(minted, now or utcnow())
                _emit_failures(firm_id, msgs, changes)
            return outcome
        except DBAPIError as exc:
            transaction.rollback(session)  # a failed COMMIT is not rolled back by transaction()
            delay = FINISH_BACKOFF[min(attempt, len(FINISH_BACKOFF) - 1)]
            if not _retryable(exc) or time.monotonic() + delay > deadline:
                log.error(
                    "message %s: sent, but its outcome could not be recorded (%s); the relay will "
                    "send it again after the lease, with the same Message-ID",
                    message_id,
                    exc,
                )
                raise
            attempt += 1
            log.warning(
                "message %s: recording the outcome failed (%s); try %d in %.1f s", message_id, exc, attempt + 1, delay
            )
            time.sleep(delay)


def _emit_failures(firm_id: int, msgs: list, changes: dict[int, dict]) -> None:
    """A `message.failed` webhook event for each message that failed for good, in the
    transaction that records the failure (keyed by the message: one event id, ever)."""
    for m in msgs:
        change = changes.get(m.id, {})
        if change.get("state") == MessageState.FAILED:
            data = webhook_payloads.message_failed(m, change.get("last_error"))
            webhooks.emit(firm_id, "message.failed", data, key=str(m.id))


def _already_recorded(changes: dict[int, dict], claimed_at: datetime, firm_id: int) -> bool:
    rows = (
        db.session.connection()
        .execute(
            select(_M.c.id, _M.c.state, _M.c.claimed_at).where(_M.c.firm_id == firm_id, _M.c.id.in_(list(changes)))
        )
        .all()
    )
    return len(rows) == len(changes) and all(
        r.claimed_at == claimed_at and r.state == changes[r.id].get("state") for r in rows
    )


def _candidate_outcome(candidate, firm_id: int, msgs: list, changes: dict[int, dict], candidate_changes: dict) -> None:
    """The candidate's side of the outcome, in the same transaction as `finish`. An update
    that could not be emailed (failed, or skipped: no address, suppressed) is not contact:
    their last contact is recomputed and they are marked as not reachable (see
    portal.services.contact); an email that reached them lifts the mark."""
    values = dict(candidate_changes)
    to_candidate = [m for m in msgs if m.audience == Audience.CANDIDATE]
    states = {changes[m.id].get("state") for m in to_candidate if m.id in changes}
    missed = [
        m
        for m in to_candidate
        if m.stream is None
        and changes.get(m.id, {}).get("state") in (MessageState.FAILED, MessageState.SKIPPED)
        and changes[m.id].get("last_error") != NO_CHECKIN_EMAILS
    ]  # portal-only by choice: reached
    if missed and candidate.deleted_at is None:
        values["unreachable_since"] = func.coalesce(_C.c.unreachable_since, utcnow())
    elif MessageState.SENT in states and candidate.unreachable_since is not None:
        values["unreachable_since"] = None
    if values:
        db.session.connection().execute(
            update(Candidate).where(_C.c.firm_id == firm_id, _C.c.id == candidate.id).values(**values)
        )
    if missed:
        contact.recompute_last_contacted([candidate.id])


def finish(changes: dict[int, dict], claimed_at: datetime, firm_id: int) -> bool:
    """Record each message's outcome only if our claim still holds (state `sending` with our
    claim time). A worker that outlived its lease must not overwrite a later delivery."""
    ok = True
    conn = db.session.connection()
    for mid, values in changes.items():
        stmt = _finish_stmt(tuple(sorted(values)))
        params = {f"v_{name}": value for name, value in values.items()}
        result = conn.execute(stmt, {"b_firm": firm_id, "b_id": mid, "b_claimed": claimed_at, **params})
        ok = ok and result.rowcount == 1
    return ok
