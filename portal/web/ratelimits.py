"""Flask-Limiter's per-request pass, kept only where it has something to check.

Flask-Limiter runs a check before every request for the limits that are not on a view:
default limits, application limits, blueprint limits and meta limits. Portal sets none of
those: every limit is a `@limiter.limit` decorator on a view (sign-in, links, applying, job
alerts ...), and the decorator checks its own limits when its view runs. So that pass always
found nothing, yet it resolved the endpoint's limits on every request (measured: about 0.7 ms
of a 14 ms page). `drop_idle_request_check` removes it once the app is built, and only while
there are no such limits: adding a default, application, blueprint or meta limit brings it
back without a code change here."""

from __future__ import annotations

from flask import Flask

from portal.extensions import limiter


def has_request_wide_limits() -> bool:
    """Whether any limit needs the per-request pass (not a decorator on a view)."""
    manager = limiter.limit_manager
    return bool(
        manager.default_limits
        or manager.application_limits
        or getattr(manager, "_blueprint_limits", True)  # unknown: keep the pass
        or getattr(limiter, "_meta_limits", True)
    )


def drop_idle_request_check(app: Flask) -> None:
    """Remove Flask-Limiter's before-request pass when it cannot find a limit (see above)."""
    if not limiter.enabled or has_request_wide_limits():
        return
    check = limiter._check_request_limit
    funcs = app.before_request_funcs.get(None)
    if funcs and check in funcs:
        app.before_request_funcs[None] = [f for f in funcs if f != check]
