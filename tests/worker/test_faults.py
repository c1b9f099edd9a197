"""Fault injection with real parts: a private Redis (stopped, flushed), an SMTP server that
refuses, answers 421/451/550 or stalls, and real `python -m worker` processes (killed with
SIGKILL, two at once). In every case: no message lost, none sent twice (counted by
Message-ID at the SMTP server), and the final states right."""

from __future__ import annotations

import threading
import time

import pytest

from portal.models import MessageState, Stage
from tests.factories import make_candidate
from tests.support.services import SinkMessage, SmtpSink
from tests.support.worker import (
    WorkerProcess,
    make_candidacy,
    make_search,
    message,
    messages,
    move_stage,
    send_plain,
    sink_counts,
    wait_until,
)
from worker import jobs

pytestmark = pytest.mark.slow


class ProbeSink(SmtpSink):
    """An SMTP sink that tells the test when a message's data has arrived, and can run a
    callback at that moment: after it has kept the message, before it answers 250."""

    def __init__(self):
        super().__init__()
        self.data_started = threading.Event()
        self.on_data = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.data_started.set()
        if self.on_data is not None:
            callback, self.on_data = self.on_data, None
            with self.lock:
                self.messages.append(
                    SinkMessage(
                        envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content
                    )
                )
            callback()
            return "250 OK"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink():
    s = ProbeSink().start()
    yield s
    s.stop()


@pytest.fixture
def procs():
    started = []
    yield started
    for p in started:  # all at once: each RQ worker takes a moment to shut down warm
        p.terminate()
    for p in started:
        p.stop()


def _mid(firm, mid):
    return f"<portal.{firm.id}.{mid}@localhost>"


def _state(app, mid):
    return message(app, mid).state


def test_two_workers_and_duplicate_enqueues_send_each_message_once(app, firms, private_redis, sink, procs):
    a = firms.a
    private_redis.stop()  # written while Redis is down: nothing is enqueued yet
    ids = [send_plain(app, a.firm, make_candidate(app, a.firm)) for _ in range(24)]
    private_redis.start()
    from portal.outbox import enqueue_delivery

    # Two relays at once, and every message enqueued twice more on top.
    threads = [threading.Thread(target=jobs.relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    enqueue_delivery(ids[:10], app)  # single jobs
    enqueue_delivery(ids, app)  # batch jobs overlapping the relay's
    workers = [WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port, burst=True) for _ in range(2)]
    procs.extend(workers)
    for w in workers:
        assert w.wait(90) == 0, w.output()
    assert sink_counts(sink) == {_mid(a.firm, i): 1 for i in ids}
    assert {m.state for m in messages(app)} == {MessageState.SENT}


def test_worker_killed_during_a_send_and_after_the_server_took_the_message(app, firms, private_redis, sink, procs):
    a = firms.a
    app.config["SMTP_TIMEOUT"] = 20
    # 1. Killed in the middle of the SMTP exchange (the server never took the message).
    sink.stall_seconds = 30
    first = WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port)
    procs.append(first)
    mid_send = send_plain(app, a.firm, a.candidate)
    assert sink.data_started.wait(60), first.output()
    first.kill()
    assert _state(app, mid_send) == MessageState.SENDING
    sink.stall_seconds = 0
    jobs.relay()  # within the lease the send may still be going on: left alone
    assert _state(app, mid_send) == MessageState.SENDING
    # 2. Killed after the server took the message, before the worker recorded it: the one
    #    window that can duplicate. The retry carries the same Message-ID.
    second = WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port)
    procs.append(second)
    sink.on_data = second.kill
    after_250 = send_plain(app, a.firm, make_candidate(app, a.firm))
    wait_until(lambda: second.proc.poll() is not None, 60, what="the second kill")
    assert _state(app, after_250) == MessageState.SENDING
    # The lease ends (10 minutes in production, longer than any job): the relay retries both.
    app.config["SENDING_LEASE_SECONDS"] = 0
    jobs.relay()
    third = WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port, burst=True)
    procs.append(third)
    assert third.wait(90) == 0, third.output()
    assert [message(app, i).state for i in (mid_send, after_250)] == [MessageState.SENT] * 2
    assert message(app, mid_send).attempts == 2
    assert sink_counts(sink) == {_mid(a.firm, mid_send): 1, _mid(a.firm, after_250): 2}


def test_one_worker_through_redis_and_smtp_faults(app, firms, private_redis, sink, procs, client_for):
    """One long-running worker while Redis stops and comes back, Redis is flushed, and the
    mail server refuses connections, answers 421 and 451, stalls, and rejects with 550."""
    a = firms.a
    app.config["SMTP_TIMEOUT"] = 1
    worker = WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port)
    procs.append(worker)
    expected = {}

    # Redis stopped while a recruiter moves a stage, and while a request writes a message.
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm))
    private_redis.stop()
    moved = move_stage(app, a.firm, cy.id, Stage.INTERVIEWING, grace=False)  # commits without Redis
    resp = client_for(a.firm).post("/reset", data={"email": a.recruiter.email})
    assert resp.status_code in (200, 302)
    (reset,) = [m.id for m in messages(app, kind="password_reset")]
    assert _state(app, moved) == MessageState.PENDING
    private_redis.start()
    assert jobs.relay() == 2
    wait_until(lambda: _state(app, moved) == _state(app, reset) == MessageState.SENT, 90, what="after Redis")
    expected.update({_mid(a.firm, moved): 1, _mid(a.firm, reset): 1})

    # Redis flushed with messages pending (enqueued, and one still in its grace window).
    app.config["GRACE_SECONDS"] = 2
    held = move_stage(app, a.firm, cy.id, Stage.OFFER)
    app.config["GRACE_SECONDS"] = 0
    worker.pause()  # so the jobs are still queued when Redis loses them
    queued = [send_plain(app, a.firm, make_candidate(app, a.firm)) for _ in range(3)]
    from redis import Redis

    Redis.from_url(private_redis.url).flushall()
    worker.resume()
    time.sleep(2.1)
    app.config["RELAY_REENQUEUE_SECONDS"] = 0  # (in production: 5 minutes after the first enqueue)
    assert jobs.relay() == 4
    wait_until(lambda: all(_state(app, i) == MessageState.SENT for i in [*queued, held]), 90, what="after flush")
    expected.update({_mid(a.firm, i): 1 for i in [*queued, held]})

    # The mail server refuses connections, answers 421, 451, stalls: retried each time.
    sink.stop()
    mid = send_plain(app, a.firm, a.candidate)

    def attempt(n):
        wait_until(
            lambda: (m := message(app, mid)).attempts >= n and m.state == MessageState.PENDING, 60, what=f"attempt {n}"
        )
        return message(app, mid).last_error

    assert "unreachable" in attempt(1)
    sink.start()
    for n, (reply, stall) in enumerate([("421 Service not available", 0), ("451 Try later", 0), (None, 3)], 2):
        sink.reply, sink.stall_seconds = reply, stall
        jobs.relay()  # the backoff is 0 s in this test
        error = attempt(n)
        assert (reply[:3] in error) if reply else ("timed out" in error or "disconnected" in error), error
    sink.reply, sink.stall_seconds = None, 0
    jobs.relay()
    wait_until(lambda: _state(app, mid) == MessageState.SENT, 60, what="the send")
    expected[_mid(a.firm, mid)] = 1

    # 550: failed with the reason, never retried.
    sink.reply = "550 5.1.1 No such user"
    rejected = send_plain(app, a.firm, make_candidate(app, a.firm))
    wait_until(lambda: _state(app, rejected) == MessageState.FAILED, 60, what="the 550")
    assert "550" in message(app, rejected).last_error
    jobs.relay()
    time.sleep(1)
    assert message(app, rejected).attempts == 1, "a permanent failure is not retried"
    assert sink_counts(sink) == expected
    assert worker.proc.poll() is None, "the worker survived every fault"


def test_production_shape_scheduler_and_workers(app, firms, private_redis, sink, procs):
    """The processes the README tells you to run: one scheduler, a default-queue worker, a
    messages worker. A message written while Redis was down goes out via the relay; a
    second scheduler refuses to start."""
    a = firms.a
    private_redis.stop()
    mid = send_plain(app, a.firm, a.candidate)
    private_redis.start()
    scheduler = WorkerProcess(app, redis_url=private_redis.url, args=("--scheduler",))
    procs.append(scheduler)
    procs.append(WorkerProcess(app, redis_url=private_redis.url, args=("--queue", "default"), smtp_port=sink.port))
    procs.append(WorkerProcess(app, redis_url=private_redis.url, smtp_port=sink.port))
    wait_until(lambda: len(sink.messages) >= 1, 90, what="the relay and the delivery")
    assert sink_counts(sink) == {_mid(a.firm, mid): 1}
    from worker.schedule import SchedulerRunning, build_scheduler

    with pytest.raises(SchedulerRunning, match="another scheduler"):
        build_scheduler(app).register_birth()
    assert scheduler.proc.poll() is None
