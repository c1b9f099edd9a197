"""Flask-Limiter's before-request pass is dropped while every limit is a decorator on a view
(portal.web.ratelimits); the decorated limits still answer 429, and a limit that needs the
pass (default, application, blueprint) keeps it."""

from __future__ import annotations

from flask import Flask

from portal.extensions import limiter
from portal.web import ratelimits
from tests.factories import PASSWORD


def test_the_idle_per_request_pass_is_dropped(app):
    assert limiter.enabled
    assert not ratelimits.has_request_wide_limits()
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_a_decorated_limit_still_answers_429_without_the_pass(app, client_for, firms, auth):
    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    c = client_for(firms.a.firm)
    codes = [auth(c).login(f"guess{i}@alpha.example", "nope-nope-nope").status_code for i in range(3)]
    assert codes == [400, 400, 429]
    assert auth(c).login(firms.a.admin.email, PASSWORD).status_code == 429


def test_a_request_wide_limit_keeps_the_pass(monkeypatch):
    plain = Flask(__name__)
    plain.before_request(limiter._check_request_limit)
    manager = limiter.limit_manager
    for attr, value in (
        ("_default_limits", [["100 per minute"]]),
        ("_application_limits", [["100 per minute"]]),
        ("_blueprint_limits", {"careers": {"100 per minute"}}),
    ):
        with monkeypatch.context() as m:
            m.setattr(manager, attr, value)
            assert ratelimits.has_request_wide_limits()
            ratelimits.drop_idle_request_check(plain)
            assert limiter._check_request_limit in plain.before_request_funcs[None], attr
    ratelimits.drop_idle_request_check(plain)  # nothing request-wide: dropped
    assert limiter._check_request_limit not in plain.before_request_funcs[None]


def test_the_response_hooks_run_only_where_a_limit_was_checked(app, client_for, firms, auth):
    """Flask-Limiter's after-request hook still sends a limited view's headers; a page that
    checked no limit skips it (no limit state is made for it)."""
    from flask import request_started
    from flask.globals import request_ctx

    hooks = [f for f in app.after_request_funcs[None] + app.teardown_request_funcs[None] if hasattr(f, "__wrapped__")]
    assert len(hooks) == 2  # both of Flask-Limiter's, wrapped
    c = client_for(firms.a.firm)
    limited = auth(c).login("nobody@alpha.example", "nope-nope-nope")
    assert limited.headers["X-RateLimit-Limit"] == "1000"
    assert int(limited.headers["X-RateLimit-Remaining"]) < 1000
    seen = []

    def note(sender, **extra):
        seen.append(request_ctx._get_current_object())

    with request_started.connected_to(note, app):
        plain = c.get("/livez")  # no limit on it
    assert plain.status_code == 200 and "X-RateLimit-Limit" not in plain.headers
    assert not hasattr(seen[0], ratelimits.STATE)
