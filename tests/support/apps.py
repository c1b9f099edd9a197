"""A second app for the bench tests (another database, or the ceiling page registered),
built without disturbing the session app: the Flask-Limiter instance is shared by every app,
so its state is saved before and restored after."""

from __future__ import annotations

from contextlib import contextmanager

RATELIMIT_KEYS = (
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "RATELIMIT_LOGIN",
    "RATELIMIT_LOGIN_ACCOUNT",
    "RATELIMIT_APPLY",
    "RATELIMIT_APPLY_EMAIL",
    "RATELIMIT_ENABLED",
    "RATELIMIT_STORAGE_OPTIONS",
    "RATELIMIT_SWALLOW_ERRORS",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED",
)


@contextmanager
def extra_app(session_app, overrides: dict):
    from portal import create_app
    from portal.extensions import db, limiter

    saved = dict(limiter.__dict__)
    same = {k: session_app.config[k] for k in RATELIMIT_KEYS if k in session_app.config}
    same.update(
        {
            k: session_app.config[k]
            for k in ("REDIS_URL", "QUEUE_PREFIX", "SMTP_HOST", "SMTP_PORT", "PASSWORD_HASH_METHOD")
        }
    )
    app = create_app({**same, **overrides})
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(saved)
