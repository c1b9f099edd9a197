"""The periodic plan, in one place. Run exactly one scheduler per installation
(`portal scheduler` or `python -m worker --scheduler`)."""
from __future__ import annotations

from flask import Flask
from rq.cron import CronScheduler

from portal.redis_conn import DEFAULT, get_redis, queue_name
from worker import jobs

RELAY_SECONDS = 30


def build_scheduler(app: Flask) -> CronScheduler:
    cron = CronScheduler(connection=get_redis(app), name=f"{app.config['QUEUE_PREFIX']}-scheduler")
    default = queue_name(DEFAULT, app)
    cron.register(jobs.relay, queue_name=default, interval=RELAY_SECONDS, job_timeout=120, name="relay")
    return cron
