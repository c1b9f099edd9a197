"""Staff sign-in through the firm's OpenID provider: the "Sign in with <provider>" start and the
provider's answer (the callback), plus what the login and account pages show about it.

Thin: the flow's rules live in portal.services.sso. The browser session keeps the state, nonce
and PKCE verifier of one sign-in (single use); the signed-in session is created exactly as a
password sign-in creates it (portal.auth.views: its row committed before the cookie). Never
shows the client secret; never signs anybody into a firm other than the host's."""

from __future__ import annotations

from flask import flash, g, redirect, request, session, url_for
from flask_login import current_user

from portal.auth import pending as pending_sign_in
from portal.auth.blueprint import bp
from portal.auth.signing_in import home_for, login_limit, new_session, sign_in
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.services import DomainError, sso, two_factor
from portal.transaction import transaction
from portal.web.security import is_safe_next
from portal.web.templating import external_url

PENDING = "sso_pending"


def _redirect_uri() -> str:
    """The callback on this firm's own host (what the admin registers at the provider)."""
    return external_url(g.firm, "auth.sso_callback")


def _refused(exc: DomainError):
    flash(str(exc), "error")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/sso/start")
@limiter.limit(login_limit)
def sso_start():
    """Send the browser to the provider, keeping state, nonce and verifier for the answer."""
    row = sso.settings(g.firm)
    if row is None:
        return redirect(url_for("auth.login"))
    try:
        url, pending = sso.begin(row, _redirect_uri())
    except DomainError as exc:
        return _refused(exc)
    nxt = request.args.get("next")
    session[PENDING] = {**pending, "firm_id": g.firm.id, "next": nxt if is_safe_next(nxt) else ""}
    return redirect(url)


@bp.route("/sso/callback")
@limiter.limit(login_limit)
def sso_callback():
    """The provider's answer: verified, then the staff member signed in with a new session."""
    pending, row = session.pop(PENDING, None), sso.settings(g.firm)
    if row is None or (pending and pending.get("firm_id") != g.firm.id):
        pending = None  # a sign-in started for another firm is no sign-in here
    try:
        identity = sso.verify(row, pending, request.args.to_dict(), _redirect_uri()) if row else None
        if identity is None:
            raise sso.SsoRefused(_("Single sign-on is not set up here."))
        with transaction():  # the session row committed before the cookie points to it
            user = sso.sign_in(g.firm, row, identity)
            step = two_factor.second_step(g.firm, user)  # the firm's second factor, however staff sign in
            new = None if step else new_session(user)
    except DomainError as exc:
        return _refused(exc)
    nxt = (pending or {}).get("next")
    if step:  # staff with a second factor, or of a firm that requires one: that step first
        return redirect(pending_sign_in.begin(user.id, step, remember=False, next_url=nxt))
    sign_in(user, new)
    return redirect(nxt if is_safe_next(nxt) else home_for(user))


@bp.app_context_processor
def _sso_in_templates() -> dict:
    """Lazy helpers for the login page (the button) and the account page (the status):
    nothing is queried unless a template calls them."""

    def sso_provider():
        firm = g.get("firm")
        return sso.settings(firm) if firm is not None else None

    def sso_status():
        firm = g.get("firm")
        if firm is None or not current_user.is_authenticated or not current_user.is_staff:
            return None, None
        return sso.status(firm, current_user._get_current_object())

    return {"sso_provider": sso_provider, "sso_status": sso_status}
