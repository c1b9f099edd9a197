"""The periodic plan, in one place. Exactly one scheduler per installation (`portal scheduler`
or `python -m worker --scheduler`): a second one refuses to start.

- relay, every 30 s: enqueue due, unsent messages and recover interrupted sends;
- tick, hourly (PLAN_TICK_MINUTES): one `plan_firm` job per firm, which decides in the firm's
  time zone whether its check-in or weekly slot has come and catches anyone about to exceed
  the cadence;
- job alerts, daily (JOB_ALERTS_CRON): one `plan_job_alerts` job per firm with a careers site,
  which sends each alert at most one digest a week.
Every job is idempotent, so one enqueued twice changes nothing more."""

from __future__ import annotations

import logging
import os
import socket

from flask import Flask
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from portal.config import ConfigError
from portal.extensions import DEFAULT, get_redis, queue_name
from worker import jobs

RELAY_SECONDS = 30
JOB_ALERTS_CRON = "20 7 * * *"  # daily, 07:20 UTC; each alert is due once a week
LOCK_TTL = 180  # the scheduler loop sleeps at most 60 s between heartbeats

log = logging.getLogger(__name__)


class SchedulerRunning(RuntimeError):
    """Another scheduler of this installation holds the lock."""


class SingleCronScheduler(CronScheduler):
    """RQ's CronScheduler that holds a Redis lock for its whole life, so a second
    scheduler of the same installation refuses to start instead of doubling every job."""

    def __init__(self, *args, lock_key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_key = lock_key

    def acquire(self) -> None:
        if not self.connection.set(self.lock_key, self.name, nx=True, ex=LOCK_TTL):
            holder = self.connection.get(self.lock_key)
            holder = holder.decode() if isinstance(holder, bytes) else holder
            raise SchedulerRunning(f"another scheduler ({holder}) is running for this installation; run exactly one")

    def register_birth(self) -> None:
        self.acquire()
        super().register_birth()

    def heartbeat(self) -> None:
        super().heartbeat()
        holder = self.connection.get(self.lock_key)
        holder = holder.decode() if isinstance(holder, bytes) else holder
        if holder is None:  # expired or flushed: take it again
            if not self.connection.set(self.lock_key, self.name, nx=True, ex=LOCK_TTL):
                raise StopRequested()
        elif holder != self.name:
            log.error("scheduler lock taken by %s; stopping", holder)
            raise StopRequested()
        else:
            self.connection.expire(self.lock_key, LOCK_TTL)

    def register_death(self, pipeline=None) -> None:
        try:
            holder = self.connection.get(self.lock_key)
            if (holder.decode() if isinstance(holder, bytes) else holder) == self.name:
                self.connection.delete(self.lock_key)
        finally:
            super().register_death(pipeline)


def tick_cron(minutes: int) -> str:
    """The cron expression for a planning tick every `minutes` (60: "0 * * * *")."""
    if 0 < minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    if minutes % 60 == 0 and 0 < minutes // 60 <= 24 and 24 % (minutes // 60) == 0:
        hours = minutes // 60
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    raise ConfigError("PORTAL_PLAN_TICK_MINUTES must divide an hour, or be whole hours dividing a day")


def build_scheduler(app: Flask) -> SingleCronScheduler:
    prefix = app.config["QUEUE_PREFIX"]
    cron = SingleCronScheduler(
        connection=get_redis(app),
        name=f"{prefix}-scheduler-{socket.gethostname()}-{os.getpid()}",
        lock_key=f"{prefix}:scheduler-lock",
    )
    default = queue_name(DEFAULT, app)
    cron.register(
        jobs.relay, queue_name=default, interval=RELAY_SECONDS, job_timeout=120, result_ttl=60, name=f"{prefix}-relay"
    )
    cron.register(
        jobs.tick,
        queue_name=default,
        cron=tick_cron(app.config["PLAN_TICK_MINUTES"]),
        job_timeout=300,
        result_ttl=3600,
        name=f"{prefix}-tick",
    )
    cron.register(
        jobs.job_alerts,
        queue_name=default,
        cron=JOB_ALERTS_CRON,
        job_timeout=300,
        result_ttl=3600,
        name=f"{prefix}-job-alerts",
    )
    return cron
