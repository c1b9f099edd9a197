"""Sign-in, sign-out, invitations, password resets, the account page and its sessions, plus
Flask-Login's user_loader (by id, firm and live server-side session, in one statement).

Thin: validate a form, call one service in the transaction scope (portal/web/actions.py); the
rules live in portal.services.accounts and sessions, never here. A sign-in commits its
server-side session before the cookie points to it; sign-in is rate-limited per address and
account, and a reset request never reveals (not even by its timing) whether an address has an
account."""

from __future__ import annotations

import logging
import time

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from portal.auth import pending
from portal.auth.blueprint import bp
from portal.auth.forms import ChangePasswordForm, LoginForm, ResetRequestForm, SetPasswordForm
from portal.auth.signing_in import account_key, home_for, login_account_limit, login_limit, new_session, sign_in
from portal.extensions import db, limiter, login_manager
from portal.i18n import force_locale
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import TokenPurpose, User, UserSession
from portal.services import DomainError, accounts, languages, public_figures, sessions, sso, two_factor
from portal.transaction import transaction
from portal.web.actions import on_field, run, submit
from portal.web.language import remembered
from portal.web.security import is_safe_next

log = logging.getLogger(__name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # the lazy message in the page's language (a flash stores a str)
# "basic", not "strong": a phone moving between wifi and mobile data changes its IP, and
# "strong" would sign the candidate out each time. Sessions still end on logout, password
# change, "sign out everywhere" and deactivation: they live on the server (UserSession).
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load by id *and* firm *and* live server-side session (one statement): another firm's,
    an ended, an idle or a too-old session is None."""
    firm = g.get("firm")
    if firm is None:
        return None
    id_part, _, secret = (user_id or "").partition(".")
    if not id_part.isdigit() or not secret:
        return None
    found = sessions.load(firm, int(id_part), secret)
    if found is None:
        return None
    user, row = found
    g.user_session_id, g.user_session = row.id, row
    if sessions.needs_touch(row):
        g.touch_user_session = (firm.id, row.id)
    return user


@bp.after_app_request
def _touch_user_session(response):
    """Refresh the session's last use at most every few minutes, after the request's work."""
    pending = g.pop("touch_user_session", None)
    if pending is not None and response.status_code < 500:
        sessions.touch(*pending)
    return response


def _device() -> str:
    return sessions.describe_device(request.headers.get("User-Agent"))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=account_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    # The page a signed-out visitor came for (an email's link): kept through every form of this
    # page (a hidden `next` field), used only if it is a path on this site.
    next_url = request.args.get("next") or request.form.get("next")
    next_url = next_url if is_safe_next(next_url) else None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("That email and password do not match an active account here."))
        elif sso.required_for(g.firm, user):  # staff of a firm that requires single sign-on
            form.password.errors.append(_sso_required())
        elif step := two_factor.second_step(g.firm, user):  # staff: a code (or enrolment) first, no session yet
            return redirect(pending.begin(user.id, step, remember=form.remember.data, next_url=next_url))
        else:
            with transaction():  # the session row (and the sign-in time) committed before the cookie
                row = new_session(user, remember=form.remember.data)
            sign_in(user, row)
            return redirect(next_url or home_for(user))
    proof = public_figures.for_public_page(g.firm)  # the firm's own figures, if it shows them
    page = render_template("auth/login.html", form=form, next_url=next_url, proof=proof)
    return page, (200 if request.method == "GET" or not form.errors else 400)


def _sso_required() -> str:
    provider = sso.settings(g.firm).provider_name  # type: ignore[union-attr]
    return _("%(firm)s staff sign in with %(provider)s: use the button below.", firm=g.firm.name, provider=provider)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated and g.get("user_session_id"):
        with transaction():
            sessions.end(current_user._get_current_object(), g.user_session_id)
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password(token, TokenPurpose.INVITATION, "auth/accept_invitation.html")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=account_key)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        started = time.monotonic()
        run(lambda: accounts.request_password_reset(g.firm, form.email.data))
        _wait_out(started, current_app.config["RESET_MIN_SECONDS"])
        # The same answer whether or not the address has an account.
        flash(_("If that address has an account here, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


def _wait_out(started: float, seconds: float) -> None:
    """Answer no sooner than `seconds` after `started` (time.monotonic()): a reset request for
    an address with no account then takes as long as one that issues a link and queues an
    email, so the answer's timing does not tell whether the address has an account."""
    remaining = seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    elif seconds > 0:
        log.warning(
            "a password reset request took %.3f s, longer than PORTAL_RESET_MIN_SECONDS (%s): "
            "raise it so that every request takes the same time",
            seconds - remaining,
            seconds,
        )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password(token, TokenPurpose.RESET, "auth/reset_password.html")


def _set_password(token: str, purpose: TokenPurpose, template: str):
    try:
        row = accounts.check_token(token, purpose)
    except accounts.InvalidToken as exc:
        return render_template("auth/invalid_link.html", reason=str(exc)), 404
    form = SetPasswordForm()
    user = db.session.get(User, row.user_id)

    def set_password() -> tuple[User, UserSession | None, str | None]:
        user = accounts.use_token(token, purpose, form.password.data, device=_device())
        # The password and the new session, committed together; staff with two-factor (or who
        # must enrol one) give their code first, as after a password sign-in.
        step = two_factor.second_step(g.firm, user)
        return user, (None if step else new_session(user)), step

    out = submit(form, set_password, field=form.password)
    if isinstance(out.error, accounts.InvalidToken):  # spent or expired meanwhile
        return render_template("auth/invalid_link.html", reason=str(out.error)), 404
    if not out:
        return render_template(template, form=form, user=user)
    if out.value[2]:
        flash(_("Your password is set. One more step to sign in."), "success")
        return redirect(pending.begin(out.value[0].id, out.value[2], remember=False, next_url=None))
    sign_in(*out.value[:2])
    flash(_("Your password is set. Welcome!"), "success")
    return redirect(home_for(out.value[0]))


def _account_page(form: ChangePasswordForm, status: int = 200):
    """The account page; staff choose their language on it (candidates in their settings)."""
    user = current_user._get_current_object()
    layout = (
        "candidate/layout.html"
        if user.is_candidate
        else ("admin/layout.html" if user.is_admin else "recruiter/layout.html")
    )
    return render_template(
        "auth/account.html",
        layout=layout,
        form=form,
        sessions=sessions.live_sessions(user),
        current_session_id=g.get("user_session_id"),
        two_factor=two_factor.status(g.firm, user) if user.is_staff else None,
    ), status


@bp.route("/account")
@login_required
def account():
    """Your account: change the password, and where you're signed in."""
    return _account_page(ChangePasswordForm())


def _signed_inaccount_key() -> str:
    firm = g.get("firm")
    return f"password-change:{firm.id if firm else '-'}:{current_user.get_id().partition('.')[0]}"


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(login_account_limit, methods=["POST"], key_func=_signed_inaccount_key)
def change_password():
    """A signed-in password change; limited like sign-in, so a borrowed session cannot
    be used to guess the current password."""
    form, user = ChangePasswordForm(), current_user._get_current_object()

    def change() -> UserSession:
        remember = g.user_session.remember
        accounts.change_password(g.firm, user, form.current_password.data, form.password.data, device=_device())
        # Every session ended, this one too (a copy of its cookie dies with the others):
        # this device is signed in again with a new one.
        return new_session(user, remember=remember)

    # A wrong current password is shown on its field; any other refusal on the new password.
    out = submit(form, on_field("current_password", change, accounts.WrongPassword), field=form.password)
    if not out:
        return _account_page(form, 400)
    sign_in(user, out.value)
    flash(
        _("Your password is changed. Every other device was signed out, and we sent you an email about it."), "success"
    )
    return redirect(url_for("auth.account"))


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    """A staff member's language, chosen on the account page: their pages (and the switcher's
    cookie on this device) from now on."""
    user = current_user._get_current_object()
    if not user.is_staff:
        abort(404)
    target = url_for("auth.account")
    try:
        code = run(lambda: languages.choose(g.firm, user, request.form.get("language", "")))
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(target, 303)
    with force_locale(code):  # said in the language just chosen
        flash(_("Your language is saved."), "success")
    return remembered(code, target)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """Sign out one device from the list (this one too, if it is the one chosen)."""
    row = run(lambda: sessions.end(current_user._get_current_object(), session_id))
    if row.id == g.get("user_session_id"):
        session.clear()
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("%(device)s is signed out.", device=row.device), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out everywhere else (scope=all: everywhere, this device too)."""
    everywhere = request.form.get("scope") == "all"
    user, current = current_user._get_current_object(), g.user_session
    with transaction():
        sessions.end_all(user)
        # Unless everywhere: this device goes on with a new session (a copy of the old cookie
        # dies with the others), within the lifetime of the one it replaces.
        row = None if everywhere else new_session(user, remember=current.remember, since=current.created_at)
    if row is None:
        session.clear()
        logout_user()
        flash(_("You are signed out on every device."), "info")
        return redirect(url_for("auth.login"))
    sign_in(user, row)
    flash(_("You are signed out on every other device."), "success")
    return redirect(url_for("auth.account"))
