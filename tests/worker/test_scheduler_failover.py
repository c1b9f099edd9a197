"""Two schedulers: one runs the periodic plan, the other stands by and takes over within a
minute of the first one being killed (its lock expires; nothing is doubled meanwhile)."""

from __future__ import annotations

import time

import pytest

from tests.support.worker import WorkerProcess, wait_until

LOCK_SECONDS = 35  # the shortest lock the scheduler accepts (its loop renews at least every 30 s)


@pytest.fixture
def schedulers(app, private_redis):
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        proc = WorkerProcess(
            app,
            redis_url=private_redis.url,
            args=("--scheduler",),
            extra_env={"PORTAL_SCHEDULER_LOCK_SECONDS": str(LOCK_SECONDS)},
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def _holder(app, private_redis) -> str | None:
    from redis import Redis

    value = Redis.from_url(private_redis.url).get(f"{app.config['QUEUE_PREFIX']}:scheduler-lock")
    return value.decode() if value else None


def _pid_of(holder: str | None) -> int | None:
    return int(holder.rsplit("-", 1)[1]) if holder else None


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_is_killed(app, private_redis, schedulers):
    first = schedulers()
    wait_until(lambda: _pid_of(_holder(app, private_redis)) == first.pid, 60, what="the first scheduler's lock")
    second = schedulers()
    wait_until(lambda: "standing by" in second.output(), 120, what="the second scheduler standing by")
    time.sleep(2)
    assert second.proc.poll() is None, second.output()
    assert _pid_of(_holder(app, private_redis)) == first.pid, "the standby never takes a live scheduler's lock"

    from redis import Redis
    from rq import Queue

    from portal.extensions import DEFAULT, queue_name

    queue = Queue(queue_name(DEFAULT, app), connection=Redis.from_url(private_redis.url))
    first.kill()  # as when its machine dies: no clean shutdown, the lock stays until it expires
    killed_at = time.monotonic()
    wait_until(lambda: _pid_of(_holder(app, private_redis)) == second.pid, 90, what="the standby taking over")
    took = time.monotonic() - killed_at
    assert took < 60, f"failover took {took:.0f} s"
    assert "took over the periodic plan" in second.output()
    # The new holder runs the plan: it enqueues the relay again (no worker runs here to take it).
    before = queue.count
    wait_until(lambda: queue.count > before, 45, what="the new scheduler enqueueing the relay")


def test_with_no_standby_a_second_scheduler_refuses_to_start(app, private_redis, schedulers):
    from worker.schedule import SchedulerRunning, build_scheduler

    first = schedulers()
    wait_until(lambda: _pid_of(_holder(app, private_redis)) == first.pid, 60, what="the first scheduler's lock")
    with pytest.raises(SchedulerRunning, match="another scheduler"):
        build_scheduler(app, standby=False).register_birth()
