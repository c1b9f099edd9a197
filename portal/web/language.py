"""The language switcher on every page: a form (works without JavaScript) that remembers the
choice in a cookie and, for a signed-in person, in their profile (portal/services/languages.py).

A visitor's form carries no CSRF token: rendering one would give every public page a session
cookie (the careers pages set none), and a forged switch can only change a visitor's language
cookie. A signed-in person's form carries the token and the profile is only written with it."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from portal.i18n import COOKIE, LANGUAGES
from portal.services import DomainError, languages
from portal.web.actions import run
from portal.web.security import is_safe_next

bp = Blueprint("language", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.post("/language")
def choose():
    back = request.form.get("next") or ""
    target = back if is_safe_next(back) else url_for("auth.index")
    user = current_user if current_user.is_authenticated else None
    if user is not None:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except (ValidationError, CSRFError) as exc:
            raise CSRFError(str(exc)) from exc
    try:
        code = run(lambda: languages.choose(g.firm, user, request.form.get("language", "")))
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(target, 303)
    response = redirect(target, 303)
    response.set_cookie(COOKIE, code, max_age=ONE_YEAR, secure=request.is_secure, httponly=True, samesite="Lax")
    assert code in LANGUAGES
    return response
