from __future__ import annotations

import logging
import time

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portal.auth import bp
from portal.auth.forms import LoginForm, ResetRequestForm, SetPasswordForm
from portal.extensions import db, limiter, login_manager
from portal.models import Role, TokenPurpose, User
from portal.security import is_safe_next
from portal.services import DomainError, accounts

log = logging.getLogger(__name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
# "basic", not "strong": a phone moving between wifi and mobile data changes its IP, and
# "strong" would sign the candidate out each time. Sessions still end on logout everywhere,
# password change and deactivation (the session token in the login id rotates).
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load by id *and* firm *and* session token: another firm's or an ended session is None."""
    firm = g.get("firm")
    if firm is None:
        return None
    id_part, _, token = (user_id or "").partition(".")
    if not id_part.isdigit() or not token:
        return None
    user = db.session.scalar(select(User).where(User.id == int(id_part), User.firm_id == firm.id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def home_for(user: User) -> str:
    if user.role == Role.CANDIDATE:
        return url_for("candidate.home")
    if user.role == Role.ADMIN:
        return url_for("admin.home")
    return url_for("recruiter.dashboard")


def _account_key() -> str:
    email = accounts.normalise_email(request.form.get("email", ""))
    firm = g.get("firm")
    return f"account:{firm.id if firm else '-'}:{email}"


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _login_account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


def _start_session(user: User, remember: bool = False) -> None:
    session.clear()  # a new session on login: nothing carried over (no fixation)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_account_limit, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an active account here.")
        else:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            return redirect(next_url if is_safe_next(next_url) else home_for(user))
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or not form.errors else 400)


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password(token, TokenPurpose.INVITATION, "auth/accept_invitation.html")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_account_limit, methods=["POST"], key_func=_account_key)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        started = time.monotonic()
        accounts.request_password_reset(g.firm, form.email.data)
        db.session.commit()
        _wait_out(started, current_app.config["RESET_MIN_SECONDS"])
        # The same answer whether or not the address has an account.
        flash("If that address has an account here, we have sent it a link to choose a new password.", "info")
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
        log.warning("a password reset request took %.3f s, longer than PORTAL_RESET_MIN_SECONDS (%s): "
                    "raise it so that every request takes the same time", seconds - remaining, seconds)


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
    if form.validate_on_submit():
        try:
            user = accounts.use_token(token, purpose, form.password.data)
        except accounts.InvalidToken as exc:
            db.session.rollback()
            return render_template("auth/invalid_link.html", reason=str(exc)), 404
        except DomainError as exc:
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            _start_session(user)
            flash("Your password is set. Welcome!", "success")
            return redirect(home_for(user))
    return render_template(template, form=form, user=user)


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out everywhere else (rotates the session token, then signs this device back in)."""
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    db.session.commit()
    _start_session(user)
    flash("You are signed out on every other device.", "success")
    return redirect(home_for(user))
