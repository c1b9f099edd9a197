"""The Flask extensions and the Redis/RQ connections: created unbound or lazily per app, never
connected at import time; create_app() binds them."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from redis import Redis
from rq import Queue
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# Redis and RQ queues, created lazily per app (never at import time).
MESSAGES = "messages"
DEFAULT = "default"
WEBHOOKS = "webhooks"  # webhook deliveries: slow receivers never hold up email


def get_redis(app: Flask | None = None) -> Redis:
    app = app or current_app
    conn = app.extensions.get("portal_redis")
    if conn is None:
        conn = Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=5, health_check_interval=30
        )
        app.extensions["portal_redis"] = conn
    return conn


def queue_name(name: str, app: Flask | None = None) -> str:
    app = app or current_app
    return f"{app.config['QUEUE_PREFIX']}-{name}"


def get_queue(name: str = MESSAGES, app: Flask | None = None) -> Queue:
    app = app or current_app
    return Queue(queue_name(name, app), connection=get_redis(app), default_timeout=120)
