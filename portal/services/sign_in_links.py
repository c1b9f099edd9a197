"""Passwordless sign-in for candidates: a single-use link emailed on request, that signs the
candidate in once, within PORTAL_SIGN_IN_LINK_MINUTES of being sent, on their firm's host.

Built on the credential links of portal.services.accounts (promise 9): the email is recorded
through the outbox with the neutral phrase where the link goes, the worker mints the link when
it sends, and only its hash is stored. The page it lands on after signing in (`next`) is kept
with the message and then the token, never in the emailed URL.

It must never: email a link to staff (they sign in with their password), tell the caller
whether an address has an account, store or show a live link, or accept a link of another
purpose or firm."""

from __future__ import annotations

from flask import current_app

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import AuthToken, Firm, Role, TokenPurpose, User, utcnow
from portal.services import accounts
from portal.web.security import is_safe_next

_NOT_VALID = _l("This sign-in link is not valid any more. It may have been used already or have expired.")


def request_link(firm: Firm, email: str, next_path: str | None = None) -> None:
    """Email a sign-in link if `email` is an active candidate's account in this firm, else
    nothing. Says nothing either way. A new link replaces an earlier unused one when sent."""
    user = accounts.find_user_by_email(email)
    if user is None or not user.active or user.role != Role.CANDIDATE:
        return
    msg = accounts.record_credential_email(
        firm,
        user,
        TokenPurpose.SIGN_IN,
        kind="sign_in_link",
        show_in_portal=False,
        context={"minutes": current_app.config["SIGN_IN_LINK_MINUTES"]},
    )
    msg.credential_next = next_path if is_safe_next(next_path) and len(next_path or "") <= 500 else None
    db.session.flush()


def _live(token: str) -> tuple[AuthToken, User]:
    try:
        row = accounts.check_token(token, TokenPurpose.SIGN_IN)
    except accounts.InvalidToken:
        raise accounts.InvalidToken(str(_NOT_VALID)) from None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active or user.role != Role.CANDIDATE:
        raise accounts.InvalidToken(str(_NOT_VALID))
    return row, user


def check_link(token: str) -> User:
    """The candidate a live sign-in link of this firm is for (nothing is spent)."""
    return _live(token)[1]


def use_link(token: str) -> tuple[User, str | None]:
    """Spend a sign-in link: the candidate it signs in and the local path it lands on (None:
    their home). The caller starts the new session in the same transaction."""
    row, user = _live(token)
    accounts.spend_token(row)
    user.last_login_at = utcnow()
    return user, (row.next_path if is_safe_next(row.next_path) else None)


def start_without_password(token: str) -> User:
    """A candidate's invitation link used to sign in without choosing a password (they sign in
    by sign-in links from then on). Staff invitations must set a password."""
    row = accounts.check_token(token, TokenPurpose.INVITATION)
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise accounts.InvalidToken(_("This account is not active."))
    if user.role != Role.CANDIDATE:
        raise accounts.InvalidToken(_("Staff accounts need a password."))
    accounts.spend_token(row)
    user.last_login_at = utcnow()
    return user
