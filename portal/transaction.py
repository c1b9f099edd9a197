"""The one unit of work: views, jobs and CLI commands commit through it, once.

Services only flush. `transaction()` commits when its block ends and rolls back when anything
escapes it (a refusal, a bug), so a refused action leaves nothing half-done behind and the
outbox enqueues only what was committed. Nothing else in portal/ calls `commit()`: a batch job
that must commit in steps says why where it calls `checkpoint()`, and work that must not share
the caller's transaction (a session's last use, a delivery's claim) uses `separate()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from portal.extensions import db


@contextmanager
def transaction(session: Session | None = None) -> Iterator[Session]:
    """Commit once if the block completes; roll back and re-raise if anything escapes it."""
    session = session or db.session
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def checkpoint(session: Session | None = None) -> None:
    """Commit the work so far, inside a batch that must commit in steps (its caller says why:
    e.g. a planner over 100,000 people keeps each write transaction short on SQLite)."""
    (session or db.session).commit()


def rollback(session: Session | None = None) -> None:
    """Abandon the work so far (a read-only request that must not hold locks, a failed step)."""
    (session or db.session).rollback()


@contextmanager
def separate(firm_id: int | None = None) -> Iterator[Session]:
    """A short transaction of its own on a new session, never the caller's: committed when the
    block completes, rolled back otherwise. Bound to `firm_id` when given."""
    from portal.tenancy import bind_firm

    with Session(db.engine) as own:
        if firm_id is not None:
            bind_firm(firm_id, own)
        with transaction(own):
            yield own
