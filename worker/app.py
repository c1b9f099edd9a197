"""One app per worker process, and the wrapper that runs every job in its app context and in
the one transaction scope (portal/transaction.py): committed once the job returns, rolled back
and re-raised on failure, never swallowed (RQ's retry and failed registry need it)."""

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
    """Run a job in an app context, inside one transaction (portal/transaction.py): committed
    when the job returns, rolled back and re-raised when it fails (so RQ's retry and failed
    registry see it); the session is removed either way."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from portal.extensions import db
        from portal.transaction import transaction

        app = get_app()
        with app.app_context():
            try:
                with transaction():
                    return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper
