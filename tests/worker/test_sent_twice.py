"""Sent twice (Trust item 10): the mail server accepted a message, then recording "sent"
hit a database error. Recording is retried in a new transaction with backoff, so the
message is marked sent once and the relay does not send it again. Real database errors:
on PostgreSQL the worker's connection is terminated by the server (pg_terminate_backend);
on SQLite the driver's own "database is locked" is raised by an engine event hook."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.models import MessageState, utcnow
from tests.support.worker import expected_message_id, message, send_plain, sink_counts
from worker import jobs


def _is_finish(statement: str) -> bool:
    """The fenced UPDATE that records a delivery's outcome (not the claim, not the relay)."""
    s = " ".join(statement.split())
    return s.startswith("UPDATE messages SET") and "messages.claimed_at =" in s and "RETURNING" not in s


@contextmanager
def failing_finish(app, times: int):
    """The first `times` executions of the outcome's UPDATE fail with a real database error."""
    with app.app_context():
        engine = db.engine
    url = engine.url
    seen = {"failed": 0, "finish": 0}
    killer = create_engine(url, poolclass=None) if url.get_backend_name() == "postgresql" else None

    def before(conn, cursor, statement, parameters, context, executemany):
        if not _is_finish(statement):
            return
        seen["finish"] += 1
        if seen["failed"] >= times:
            return
        seen["failed"] += 1
        if killer is not None:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with killer.connect() as k:
                k.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                k.commit()
            return  # the statement now runs on a terminated connection and fails
        raise engine.dialect.dbapi.OperationalError("database is locked")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        if killer is not None:
            killer.dispose()


def _after_the_lease(app, run_jobs):
    """The lease of any claim has ended: the relay recovers `sending` rows and sends them."""
    lease = app.config["SENDING_LEASE_SECONDS"]
    with time_machine.travel(utcnow() + timedelta(seconds=lease + 60), tick=True):
        jobs.relay()
        run_jobs()


def test_outcome_recorded_after_database_errors_so_it_is_not_sent_again(app, firms, run_jobs, smtp_sink):
    a = firms.a
    mid = send_plain(app, a.firm, a.candidate)
    with failing_finish(app, times=3) as seen:
        assert jobs.deliver_message(mid) == "sent"
    assert seen == {"failed": 3, "finish": 4}
    m = message(app, mid)
    assert (m.state, m.attempts, m.last_error) == (MessageState.SENT, 1, None) and m.sent_at
    _after_the_lease(app, run_jobs)
    assert sink_counts(smtp_sink) == {expected_message_id(app, mid): 1}
    assert message(app, mid).state == MessageState.SENT


def test_a_batch_records_each_outcome_through_database_errors(app, firms, run_jobs, smtp_sink):
    a = firms.a
    ids = [send_plain(app, a.firm, a.candidate) for _ in range(3)]
    with failing_finish(app, times=2):
        assert jobs.deliver_batch(ids) == {"sent": 3}
    _after_the_lease(app, run_jobs)
    assert sink_counts(smtp_sink) == {expected_message_id(app, i): 1 for i in ids}


def test_gives_up_within_the_lease_then_a_resend_carries_the_same_message_id(app, firms, run_jobs, smtp_sink):
    """A database that stays down: recording stops after FINISH_RETRY_SECONDS (the job
    fails), the row stays `sending`, and after the lease the relay sends it again with the
    same Message-ID, which lets the receiver drop the copy (the one window for a duplicate)."""
    a = firms.a
    app.config["FINISH_RETRY_SECONDS"] = 1  # 0.2 s + 0.5 s of backoff, then give up
    mid = send_plain(app, a.firm, a.candidate)
    with failing_finish(app, times=100) as seen:
        with pytest.raises(OperationalError):
            jobs.deliver_message(mid)
    assert seen["failed"] == 3
    assert message(app, mid).state == MessageState.SENDING
    _after_the_lease(app, run_jobs)
    assert message(app, mid).state == MessageState.SENT
    copies = [s.email["Message-ID"] for s in smtp_sink.messages]
    assert copies == [expected_message_id(app, mid)] * 2
