"""Sign-in links for candidates: ask for one (/login/link), use one (/login/link/<token>), and
start from a candidate's invitation without choosing a password.

Thin: the rules live in portal.services.sign_in_links. Asking is rate-limited like sign-in and
answers the same page, no sooner than PORTAL_RESET_MIN_SECONDS, whether or not the address is
a candidate's account here. Opening a link shows a button: only pressing it (a POST) spends the
link, so a mail scanner that fetches links does not use it up. It never signs in staff, never
puts a live link on a page, and never redirects anywhere but a local path."""

from __future__ import annotations

import logging
import time

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.blueprint import bp
from portal.auth.forms import SignInLinkForm
from portal.auth.signing_in import account_key, home_for, login_account_limit, login_limit, new_session, sign_in
from portal.extensions import limiter
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.services import accounts, sign_in_links
from portal.web.actions import run, submit
from portal.web.forms import FlaskForm
from portal.web.security import is_safe_next

log = logging.getLogger(__name__)


def _safe(path: str | None) -> str | None:
    return path if is_safe_next(path) else None


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, methods=["POST"], key_func=account_key)
def sign_in_link():
    """ "Email me a sign-in link": the same answer, at the same speed, for every address."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInLinkForm(next=_safe(request.args.get("next")))
    if form.validate_on_submit():
        started, next_path = time.monotonic(), _safe(form.next.data)
        run(lambda: sign_in_links.request_link(g.firm, form.email.data, next_path))
        _wait_out(started, current_app.config["RESET_MIN_SECONDS"])
        minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
        flash(
            ngettext(
                "If that address belongs to a candidate's account here, we have just emailed it a sign-in link. "
                "It works once, within %(num)d minute.",
                "If that address belongs to a candidate's account here, we have just emailed it a sign-in link. "
                "It works once, within %(num)d minutes.",
                minutes,
            ),
            "info",
        )
        return redirect(url_for("auth.sign_in_link", next=next_path))
    status = 200 if request.method == "GET" else 400
    return render_template(
        "auth/sign_in_link.html", form=form, minutes=current_app.config["SIGN_IN_LINK_MINUTES"]
    ), status


def _wait_out(started: float, seconds: float) -> None:
    """Answer no sooner than `seconds` after `started` (time.monotonic()): a request for an
    address that gets no email takes as long as one that records an email."""
    remaining = seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    elif seconds > 0:
        log.warning(
            "a sign-in link request took %.3f s, longer than PORTAL_RESET_MIN_SECONDS (%s): "
            "raise it so that every request takes the same time",
            seconds - remaining,
            seconds,
        )


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def sign_in_with_link(token: str):
    """The emailed link: a button that signs the candidate in with a fresh session, once."""
    try:
        sign_in_links.check_link(token)
    except accounts.InvalidToken as exc:
        return render_template("auth/sign_in_link_invalid.html", reason=str(exc)), 404
    form = FlaskForm()

    def use():
        user, next_path = sign_in_links.use_link(token)
        return user, new_session(user), next_path  # the spent link and the session, committed together

    out = submit(form, use)
    if isinstance(out.error, accounts.InvalidToken):  # used meanwhile (another tab, another device)
        return render_template("auth/sign_in_link_invalid.html", reason=str(out.error)), 404
    if not out:
        return render_template("auth/sign_in_with_link.html", form=form), (200 if request.method == "GET" else 400)
    user, row, next_path = out.value
    sign_in(user, row)
    return redirect(next_path or home_for(user))


@bp.route("/invitation/<token>/without-password", methods=["POST"])
def start_without_password(token: str):
    """A candidate's invitation, used without choosing a password: signed in now, and by
    sign-in links from then on."""

    def start():
        user = sign_in_links.start_without_password(token)
        return user, new_session(user)

    out = submit(FlaskForm(), start)
    if isinstance(out.error, accounts.InvalidToken):
        return render_template("auth/invalid_link.html", reason=str(out.error)), 404
    if not out:
        return redirect(url_for("auth.accept_invitation", token=token))
    sign_in(*out.value)
    flash(_("Welcome! Next time, ask for a sign-in link on the sign-in page: no password needed."), "success")
    return redirect(home_for(out.value[0]))
