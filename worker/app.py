"""One app per worker process, and the wrapper that gives every job its context: commit on
success, roll back and re-raise on failure, never swallow it (RQ's retry and failed registry need it)."""
from __future__ import annotations

import functools

from flask import Flask

_app: Flask | None = None


def set_app(app: Flask) -> None:
    global _app
    _app = app


def get_app() -> Flask:
    """The process's app, built once from the environment when not set by the launcher."""
    global _app
    if _app is None:
        from portal import create_app

        _app = create_app()
    return _app


def job(fn):
    """Run a job in an app context; commit on success, roll back and re-raise on failure
    (so RQ's failed registry sees it)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from portal.extensions import db

        app = get_app()
        with app.app_context():
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return wrapper
