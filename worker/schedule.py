"""The periodic plan, in one place. Exactly one scheduler per installation runs the plan
(`portal scheduler` or `python -m worker --scheduler`); a second one stands by until the first
one's lock expires (it died or lost Redis) and then takes over: failover within
PORTAL_SCHEDULER_LOCK_SECONDS plus one poll.

- relay, every 30 s: enqueue due, unsent messages and recover interrupted sends;
- interview reminders, every 5 minutes: write the reminders due in the next half hour, due at
  their exact instant (the relay sends each when it is due);
- webhook relay, every 30 s: the same for webhook deliveries (worker/webhooks.py);
- tick, hourly (PLAN_TICK_MINUTES): one `plan_firm` job per firm, which decides in the firm's
  time zone whether its check-in or weekly slot has come and catches anyone about to exceed
  the cadence, and refreshes the firm's promises-report snapshots (portal.services.report_snapshots);
- interview follow-up, every 10 min (worker/interview_jobs.py): debrief requests after an
  interview ends, and the honest "still waiting" word when a feedback window passes.
- job alerts, daily (JOB_ALERTS_CRON): one `plan_job_alerts` job per firm with a careers site,
  which sends each alert at most one digest a week.
Every job is idempotent, so one enqueued twice changes nothing more."""

from __future__ import annotations

import logging
import os
import socket
import time

from flask import Flask
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from portal.config import ConfigError
from portal.extensions import DEFAULT, get_redis, queue_name
from portal.services import interview_reminders
from worker import interview_jobs, jobs, webhooks

RELAY_SECONDS = 30  # the scheduler loop also heartbeats (renews its lock) at least this often
JOB_ALERTS_CRON = "20 7 * * *"  # daily, 07:20 UTC; each alert is due once a week

log = logging.getLogger(__name__)


class SchedulerRunning(RuntimeError):
    """Another scheduler of this installation holds the lock."""


class SingleCronScheduler(CronScheduler):
    """RQ's CronScheduler that holds a Redis lock for its whole life, so a second scheduler of
    the same installation never doubles a job: it stands by (`standby=True`, the default of
    `portal scheduler`) or refuses to start. The lock expires `lock_ttl` seconds after the last
    renewal, so a killed scheduler is replaced within that time plus one `poll`."""

    def __init__(self, *args, lock_key: str, lock_ttl: int = 45, standby: bool = False, poll: float = 5, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_key = lock_key
        self.lock_ttl = max(lock_ttl, RELAY_SECONDS + 5)  # outlives the longest sleep between renewals
        self.standby = standby
        self.poll = poll

    def _holder(self) -> str | None:
        holder = self.connection.get(self.lock_key)
        return holder.decode() if isinstance(holder, bytes) else (holder if isinstance(holder, str) else None)

    def acquire(self) -> None:
        told = False
        while not self.connection.set(self.lock_key, self.name, nx=True, ex=self.lock_ttl):
            holder = self._holder()
            if not self.standby:
                raise SchedulerRunning(
                    f"another scheduler ({holder}) is running for this installation; run exactly one"
                )
            if not told:
                log.warning("scheduler %s holds the lock; standing by to take over", holder)
                told = True
            time.sleep(self.poll)
        if told:
            log.warning("scheduler %s took over the periodic plan", self.name)

    def register_birth(self) -> None:
        self.acquire()
        super().register_birth()

    def heartbeat(self) -> None:
        super().heartbeat()
        # For /metrics (portal_scheduler_heartbeat_seconds): when the running scheduler last looped.
        self.connection.set(self.lock_key.replace("scheduler-lock", "scheduler-heartbeat"), time.time(), ex=86400)
        holder = self._holder()
        if holder is None:  # expired or flushed: take it again
            if not self.connection.set(self.lock_key, self.name, nx=True, ex=self.lock_ttl):
                raise StopRequested()
        elif holder != self.name:
            log.error("scheduler lock taken by %s; stopping", holder)
            raise StopRequested()
        else:
            self.connection.expire(self.lock_key, self.lock_ttl)

    def register_death(self, pipeline=None) -> None:
        try:
            if self._holder() == self.name:
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


def build_scheduler(app: Flask, standby: bool = False) -> SingleCronScheduler:
    prefix = app.config["QUEUE_PREFIX"]
    cron = SingleCronScheduler(
        connection=get_redis(app),
        name=f"{prefix}-scheduler-{socket.gethostname()}-{os.getpid()}",
        lock_key=f"{prefix}:scheduler-lock",
        lock_ttl=app.config["SCHEDULER_LOCK_SECONDS"],
        standby=standby,
        poll=min(5, app.config["SCHEDULER_LOCK_SECONDS"] / 3),
    )
    default = queue_name(DEFAULT, app)
    cron.register(
        jobs.relay, queue_name=default, interval=RELAY_SECONDS, job_timeout=120, result_ttl=60, name=f"{prefix}-relay"
    )
    cron.register(
        jobs.plan_interview_reminders,
        queue_name=default,
        interval=interview_reminders.PLAN_EVERY_SECONDS,
        job_timeout=300,
        result_ttl=600,
        name=f"{prefix}-interview-reminders",
    )
    cron.register(
        webhooks.relay_webhooks,
        queue_name=default,
        interval=RELAY_SECONDS,
        job_timeout=120,
        result_ttl=60,
        name=f"{prefix}-webhook-relay",
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
        interview_jobs.interview_followups,
        queue_name=default,
        interval=interview_jobs.FOLLOWUP_SECONDS,
        job_timeout=300,
        result_ttl=3600,
        name=f"{prefix}-interview-followups",
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
