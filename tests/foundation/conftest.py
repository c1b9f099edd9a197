"""Fixtures for the foundation tests: extra apps built in-process, a private Redis that a
test may stop and start, and helpers to point the running app at it."""
from __future__ import annotations

import pytest
from limits.storage import storage_from_string

from tests.services import RedisProcess


def _limiter_snapshot():
    from portal.extensions import limiter

    return dict(vars(limiter))


def _limiter_restore(saved) -> None:
    from portal.extensions import limiter

    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture
def make_app(app):
    """make_app(overrides) -> a second app built by create_app() in this process.

    The extensions are module-level objects; Flask-Limiter keeps one storage per Limiter,
    so binding it to another app would repoint the session app's limiter. It is restored.
    """
    from portal import create_app

    saved = _limiter_snapshot()
    built = []

    def make(overrides: dict | None = None):
        built.append(create_app(overrides))
        return built[-1]

    yield make
    for other in built:
        with other.app_context():
            from portal.extensions import db

            db.session.remove()
            db.engine.dispose()
    _limiter_restore(saved)


def point_app_at_redis(app, url: str) -> None:
    """Send the app's queue connection and its rate-limit storage to `url`."""
    from portal.extensions import limiter

    app.config["REDIS_URL"] = url
    app.config["RATELIMIT_STORAGE_URI"] = url
    app.extensions.pop("portal_redis", None)
    storage = storage_from_string(url, **app.config["RATELIMIT_STORAGE_OPTIONS"])
    limiter._storage = storage
    limiter._limiter = type(limiter._limiter)(storage)
    limiter._storage_dead = False


@pytest.fixture
def private_redis(app):
    """A redis-server of this test's own (safe to stop), with the app pointed at it.

    Afterwards the app goes back to the session's Redis."""
    saved_url = app.config["REDIS_URL"]
    saved_limiter = _limiter_snapshot()
    proc = RedisProcess().start()
    point_app_at_redis(app, proc.url)
    yield proc
    proc.stop()
    app.extensions.pop("portal_redis", None)
    app.config["REDIS_URL"] = saved_url
    _limiter_restore(saved_limiter)
