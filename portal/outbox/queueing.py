"""Putting outbox rows' ids on RQ after their commit, for messages and webhook deliveries alike:
the jobs go in batches; if Redis does not answer, the rows' enqueued_at is cleared (in a short
transaction of its own) so the relay enqueues them on its next run. Never raises for Redis."""

from __future__ import annotations

import logging

from flask import Flask
from redis.exceptions import RedisError
from sqlalchemy import update

from portal.extensions import db, get_queue

log = logging.getLogger(__name__)
IN_CHUNK = 500  # ids per IN (...) list
ENQUEUE_CHUNK = 1000  # jobs per enqueue_many


def enqueue_or_forget(app: Flask, queue: str, jobs: list, table, ids: list[int], pending: str, what: str) -> int:
    """Enqueue prepared `jobs` on `queue`; on a Redis failure clear enqueued_at of the `ids`
    rows of `table` still in state `pending`. Returns how many ids were enqueued (0 or all)."""
    try:
        target = get_queue(queue, app)
        for i in range(0, len(jobs), ENQUEUE_CHUNK):
            target.enqueue_many(jobs[i : i + ENQUEUE_CHUNK])
        return len(ids)
    except (RedisError, OSError) as exc:
        log.warning("could not enqueue %d %s, the relay will retry: %s", len(ids), what, exc)
        _forget_enqueued(app, table, ids, pending, what)
        return 0


def _forget_enqueued(app: Flask, table, ids: list[int], pending: str, what: str) -> None:
    try:
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execution_options(all_firms=True)  # ids of any firm (the relay's too)
                for i in range(0, len(ids), IN_CHUNK):
                    conn.execute(
                        update(table)
                        .where(table.c.id.in_(ids[i : i + IN_CHUNK]), table.c.state == pending)
                        .values(enqueued_at=None)
                    )
    except Exception as exc:  # noqa: BLE001 - the relay re-enqueues after RELAY_REENQUEUE_SECONDS anyway
        log.warning("could not clear enqueued_at for %d %s: %s", len(ids), what, exc)
