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
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from portal import transaction
from portal.extensions import db
from portal.models import Message, MessageState, utcnow
from portal.services import accounts, delivery_failures, surveys

log = logging.getLogger("worker.delivery")  # the delivery's log, as before the split
_M = Message.__table__


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
                    delivery_failures.candidate_outcome(candidate, firm_id, msgs, changes, candidate_changes)
                # the emailed link works once this commits (dead if it never does)
                if isinstance(minted, surveys.MintedSurvey):
                    surveys.store_minted(minted)
                elif minted is not None:
                    accounts.store_minted(minted, now or utcnow())
                delivery_failures.emit_failures(firm_id, msgs, changes)
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
