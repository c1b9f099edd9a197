"""The language switcher on every page: a form (works without JavaScript) that remembers the
choice in a cookie and, for a signed-in person, in their profile (portal/services/languages.py).

A visitor's switcher is a GET form (/language?language=de&back=/careers/): it carries no CSRF
token, so a public page (the careers site, the sign-in page, an error page) sets no cookie until
someone actually switches, and a cached careers page is the same bytes for every visitor in
that language. It only sets the visitor's own cookie and writes nothing. A signed-in person's
switcher is a POST with the CSRF token (it changes their profile; the view checks the token
itself, the blueprint being exempt from the global check so that a visitor's POST needs none); a
signed-in person who used a public page's GET switcher is asked to confirm with that POST, since
their profile's language outranks the cookie."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal.extensions import csrf
from portal.i18n import COOKIE, LANGUAGES, current_language, language_name
from portal.services import DomainError, languages
from portal.web.actions import run
from portal.web.security import is_safe_next

bp = Blueprint("language", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.app_template_global("language_back")
def here() -> str:
    """Where the switcher comes back to: this page, with its query string less any `next` that
    is not a path on this site (a page drops those; the switcher must not carry them on)."""
    if not request.query_string:  # most pages: the path alone (the query string is not parsed)
        return request.path
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("next", "back") or is_safe_next(v)]
    return request.path + ("?" + urlencode(args) if args else "")


@bp.app_template_global("language_choices")
def choices(offered_languages) -> Markup:
    """The switcher's label, choices and button (_language_choices.html), made once per set of
    offered languages and page language and then kept: they depend on nothing else (the words
    are in the page's language), and making them was most of the switcher's cost on every page."""
    page_language = current_language()
    key = (tuple(lang.code for lang in offered_languages), page_language)
    kept = current_app.extensions.setdefault("portal_language_choices", {})
    found = kept.get(key)
    if found is None:
        template = current_app.jinja_env.get_template("_language_choices.html")
        found = Markup(template.render(offered_languages=offered_languages, page_language=page_language))
        if len(kept) >= 1024:  # languages times their combinations: a bound of safety only
            kept.clear()
        kept[key] = found
    return found


def _back() -> str:
    back = request.values.get("back") or request.values.get("next") or ""
    return back if is_safe_next(back) else url_for("auth.index")


def remembered(code: str, target: str):
    """A redirect to `target` that remembers `code` in the switcher's cookie on this device."""
    response = redirect(target, 303)
    response.set_cookie(COOKIE, code, max_age=ONE_YEAR, secure=request.is_secure, httponly=True, samesite="Lax")
    assert code in LANGUAGES
    return response


@bp.get("/language")
def visit():
    """A visitor's switch: the cookie only (a signed-in person confirms with a POST). A language
    the firm does not offer (only a hand-made address asks for one) changes nothing."""
    target = _back()
    try:
        code = languages.choose(g.firm, None, request.args.get("language", ""))
    except DomainError:
        return redirect(target, 303)
    if current_user.is_authenticated and current_user.language != code:
        return render_template("language_confirm.html", code=code, name=language_name(code), back=target)
    return remembered(code, target)


@bp.post("/language")
def choose():
    """The switcher's POST: a signed-in person's (with the CSRF token: it writes their profile),
    or a visitor's (the cookie only, no token needed: the blueprint is exempt from the global
    check, portal/__init__.py)."""
    target = _back()
    user = current_user if current_user.is_authenticated else None
    if user is not None and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # a CSRFError (400) without this person's token
    try:
        code = run(lambda: languages.choose(g.firm, user, request.form.get("language", "")))
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(target, 303)
    return remembered(code, target)
