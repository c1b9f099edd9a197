"""Two-factor views for staff: the sign-in's second step (a code, or enrolment when the firm
requires it), enrolment and recovery codes on the account page, and the guard that keeps staff
who must enrol out of the backend until they have.

Thin: the rules live in portal.services.two_factor. The pending sign-in lives in the signed
Flask session (portal.auth.pending); the server-side session is created only after a correct
code, exactly as a password sign-in creates it. The enrolling secret waits in the signed Flask
session until its first code confirms it (a GET writes nothing to the database). Recovery codes
appear once, in the response that creates them, and nowhere else. Never checks a code here."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.auth import pending
from portal.auth.blueprint import bp
from portal.auth.forms import TwoFactorCodeForm
from portal.auth.signing_in import home_for, login_account_limit, login_limit, new_session, sign_in
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.models import User
from portal.services import two_factor as second_factor
from portal.web.actions import actor, status, submit

ENROL_SECRET = "two_factor_secret"  # the Flask session key of an enrolment not yet confirmed


def _pending_key() -> str:
    state, firm = pending.current(), g.get("firm")
    return f"two-factor:{firm.id if firm else '-'}:{state.user_id if state else request.remote_addr}"


def _user_key() -> str:
    firm = g.get("firm")
    return f"two-factor:{firm.id if firm else '-'}:{current_user.get_id().partition('.')[0]}"


def _pending_sign_in() -> tuple[pending.Pending | None, User | None]:
    state = pending.current()
    return state, (second_factor.pending_user(g.firm, state.user_id) if state else None)


def _start_again() -> Response:
    pending.clear()
    flash(_("Please sign in again: that sign-in has expired."), "info")
    return redirect(url_for("auth.login"))


def _enrol_secret() -> str:
    secret = session.get(ENROL_SECRET)
    if not isinstance(secret, str):
        secret = session[ENROL_SECRET] = second_factor.new_secret()
    return secret


def _layout(user: User) -> str:
    return "admin/layout.html" if user.is_admin else "recruiter/layout.html"


def _codes_page(codes: list[str], continue_url: str, layout: str = "base.html") -> str:
    return render_template("auth/two_factor_codes.html", codes=codes, continue_url=continue_url, layout=layout)


# ---------------------------------------------------------------- the sign-in's second step


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=_pending_key)
def two_factor_code():
    """After the password: a code from the authenticator app, or a recovery code."""
    state, user = _pending_sign_in()
    if state is None or user is None:
        return _start_again()
    if not second_factor.is_enrolled(g.firm, user):
        return redirect(url_for("auth.two_factor_setup"))
    form = TwoFactorCodeForm()
    out = submit(form, lambda: (second_factor.verify(g.firm, user, form.code.data), new_session(user, state.remember)))
    if not out:
        return render_template("auth/two_factor_code.html", form=form), status(form)
    kind, row = out.value
    sign_in(user, row)
    if kind == "recovery":
        flash(_("You used a recovery code; it will not work again. Make new ones on your account page."), "warning")
    return redirect(state.next_url or home_for(user))


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=_pending_key)
def two_factor_setup():
    """After the password, when the firm requires two-factor and this person has none yet."""
    state, user = _pending_sign_in()
    if state is None or user is None:
        return _start_again()
    form, secret = TwoFactorCodeForm(), _enrol_secret()
    out = submit(
        form,
        lambda: (
            second_factor.enrol(g.firm, user, secret, form.code.data, signing_in=True),
            new_session(user, state.remember),
        ),
    )
    if not out:
        enrolment = second_factor.enrolment(g.firm, user, secret)
        return render_template(
            "auth/two_factor_setup.html", form=form, enrolment=enrolment, layout="base.html"
        ), status(form)
    codes, row = out.value
    sign_in(user, row)  # a new Flask session: the pending state and the secret are gone
    return _codes_page(codes, state.next_url or home_for(user))


# ---------------------------------------------------------------- the account page's two-factor


def _manage_page(user: User, form: TwoFactorCodeForm) -> str:
    return render_template(
        "auth/two_factor_manage.html", form=form, status=second_factor.status(g.firm, user), layout=_layout(user)
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up an authenticator (QR code, the secret as text, a first code), or see its status."""
    user = actor()
    if not user.is_staff:
        abort(404)
    form = TwoFactorCodeForm()
    if second_factor.is_enrolled(g.firm, user):
        return _manage_page(user, form)
    secret = _enrol_secret()
    out = submit(form, lambda: second_factor.enrol(g.firm, user, secret, form.code.data))
    if not out:
        enrolment = second_factor.enrolment(g.firm, user, secret)
        page = render_template("auth/two_factor_setup.html", form=form, enrolment=enrolment, layout=_layout(user))
        return page, status(form)
    session.pop(ENROL_SECRET, None)
    flash(_("Two-factor authentication is on. Keep your recovery codes somewhere safe."), "success")
    return _codes_page(out.value, url_for("auth.account"), _layout(user))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
@limiter.limit(login_account_limit, key_func=_user_key)
def two_factor_recovery_codes():
    """New recovery codes (the old ones stop working), confirmed with a current code."""
    user, form = actor(), TwoFactorCodeForm()
    out = submit(form, lambda: second_factor.regenerate_recovery_codes(g.firm, user, form.code.data))
    if not out:
        return _manage_page(user, form), 400
    flash(_("Here are your new recovery codes. The old ones no longer work."), "success")
    return _codes_page(out.value, url_for("auth.account"), _layout(user))


# ---------------------------------------------------------------- the firm's policy


@bp.before_app_request
def _enrolment_required():
    """Staff of a firm that requires two-factor use the backend only once they have it (a
    session from before the policy, or after an admin's reset, is sent to enrolment)."""
    if request.blueprint not in ("recruiter", "admin"):
        return None
    firm = g.get("firm")
    if firm is None or not firm.require_two_factor:
        return None
    if not current_user.is_authenticated or not current_user.is_staff:
        return None
    if second_factor.is_enrolled(firm, current_user._get_current_object()):
        return None
    flash(_("Your firm requires two-factor authentication. Set it up to continue."), "warning")
    return redirect(url_for("auth.two_factor"))
