"""Flask-WTF's FlaskForm for every Portal form, except that hidden inputs (the CSRF token, ids,
versions, `next`) are rendered without an id attribute.

A page often holds several forms, and each `form.hidden_tag()` would repeat id="csrf_token":
ids must be unique on a page, and nothing labels a hidden input. An explicit id is kept."""

from __future__ import annotations

import time

from flask_wtf import FlaskForm as _FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms.widgets import HiddenInput


class FlaskForm(_FlaskForm):
    class Meta:
        @property
        def csrf_class(self):
            return _CachedCSRF

        def render_field(self, field, render_kw):
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


# ---------------------------------------------------------------- the CSRF token, signed once a while

REUSE_SECONDS = 300  # a signed token is reused this long (it stays valid WTF_CSRF_TIME_LIMIT: 1 h)
_SIGNED: dict[tuple[str, str], tuple[float, str]] = {}
_MAX_SESSIONS = 10_000


def csrf_token() -> str:
    """The request's CSRF token, as Flask-WTF's `generate_csrf()` makes it, but signed at most
    every REUSE_SECONDS per session instead of on every page: every signed-in page carries one
    (the sign-out form in base.html), and signing it was a measurable part of a small page.

    The token is still the session's own secret, signed with a timestamp: it validates exactly
    as before (`validate_csrf`, every POST), and a reused one expires at most REUSE_SECONDS
    sooner than a fresh one. The signed tokens live only in this process's memory."""
    from flask import current_app, g, session
    from flask_wtf.csrf import generate_csrf

    cfg = current_app.config
    field = cfg.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        return token
    secret = str(cfg.get("WTF_CSRF_SECRET_KEY") or cfg["SECRET_KEY"])
    now = time.monotonic()
    raw = session.get(field)
    kept = _SIGNED.get((secret, raw)) if raw else None
    if kept is not None and now - kept[0] < REUSE_SECONDS:
        setattr(g, field, kept[1])
        return kept[1]
    token = generate_csrf()  # the session's first makes its secret (session[field]) too
    key = (secret, session[field])
    if len(_SIGNED) >= _MAX_SESSIONS:
        _SIGNED.clear()
    _SIGNED[key] = (now, token)
    return token


class _CachedCSRF(_FlaskFormCSRF):
    def generate_csrf_token(self, csrf_token_field):
        from flask import current_app

        cfg = current_app.config
        if self.meta.csrf_secret != (cfg.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key) or (
            self.meta.csrf_field_name != cfg.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        ):  # a form with its own secret or field: Flask-WTF's own way
            return super().generate_csrf_token(csrf_token_field)
        return csrf_token()
