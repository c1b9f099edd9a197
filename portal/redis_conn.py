"""Redis and RQ queues, created lazily per app (never at import time)."""
from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue

MESSAGES = "messages"
DEFAULT = "default"


def get_redis(app: Flask | None = None) -> Redis:
    app = app or current_app
    conn = app.extensions.get("portal_redis")
    if conn is None:
        conn = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=5,
            health_check_interval=30,
        )
        app.extensions["portal_redis"] = conn
    return conn


def queue_name(name: str, app: Flask | None = None) -> str:
    app = app or current_app
    return f"{app.config['QUEUE_PREFIX']}-{name}"


def get_queue(name: str = MESSAGES, app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(queue_name(name, app), connection=get_redis(app), default_timeout=120)
