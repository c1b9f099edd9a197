"""Flask-Limiter's per-request pass, kept only where it has something to check.

Flask-Limiter runs a check before every request for the limits that are not on a view:
default limits, application limits, blueprint limits and meta limits. Portal sets none of
those: every limit is a `@limiter.limit` decorator on a view (sign-in, links, applying, job
alerts ...), and the decorator checks its own limits when its view runs. So that pass always
found nothing, yet it resolved the endpoint's limits on every request (measured: about 0.7 ms
of a 14 ms page). `drop_idle_request_check` removes it once the app is built, and only while
there are no such limits: adding a default, application, blueprint or meta limit brings it
back without a code change here.

Its after-request hook (conditional deductions, the X-RateLimit headers) and its teardown (the
request's limit state reset) have the same shape: they only read the state a limit check
leaves on the request, and on a request that checked no limit (most pages) they made that
state to find it empty. `skip_idle_response_hooks` runs them only when a check left it."""

from __future__ import annotations

from functools import wraps

from flask import Flask
from flask.globals import request_ctx

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


STATE = "_limiter_request_context"  # where Flask-Limiter 4 keeps a request's limit state


def skip_idle_response_hooks(app: Flask) -> None:
    """Run Flask-Limiter's after-request and teardown hooks only on a request that checked a
    limit (see above); only if this Flask-Limiter keeps the state where this expects it and
    registered both hooks as expected, else they stay as they are."""
    inject = getattr(type(limiter), "_Limiter__inject_headers", None)
    release = getattr(limiter, "_Limiter__release_context", None)
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    hooks = [f for f in after if getattr(f, "func", None) is inject]
    if inject is None or len(hooks) != 1 or release not in teardown:
        return
    with app.test_request_context():
        limiter.context  # noqa: B018 - made where this version keeps it, or not
        if not hasattr(request_ctx, STATE):
            return
    app.after_request_funcs[None] = [_when_checked(f) if f is hooks[0] else f for f in after]
    app.teardown_request_funcs[None] = [_when_checked(f) if f == release else f for f in teardown]


def _when_checked(hook):
    @wraps(hook)
    def run_if_checked(arg):
        return hook(arg) if hasattr(request_ctx, STATE) else arg

    return run_if_checked
