"""Starting a signed-in session, shared by every way in (password, emailed link, second factor,
single sign-on): where each role lands, the sign-in rate limits and their keys, the server-side
session row and the cookie that points to it. Never decides who may sign in (the services do)
and never commits: the caller commits the session row before calling sign_in(). A person's first
sign-in records the page's language as theirs (in the session row's transaction)."""

from __future__ import annotations

from flask import current_app, g, request, session, url_for
from flask_login import login_user

from portal.i18n import current_language
from portal.models import Role, User, UserSession
from portal.services import accounts, languages, sessions


def home_for(user: User) -> str:
    if user.role == Role.CANDIDATE:
        return url_for("candidate.home")
    if user.role == Role.ADMIN:
        return url_for("admin.home")
    return url_for("recruiter.dashboard")


def account_key() -> str:
    email = accounts.normalise_email(request.form.get("email", ""))
    firm = g.get("firm")
    return f"account:{firm.id if firm else '-'}:{email}"


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def login_account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def new_session(user: User, remember: bool = False, since=None) -> UserSession:
    """A new server-side session, in the caller's transaction (flushed; the caller commits it,
    then calls sign_in). `since` keeps the sign-in time of the session this one replaces (and
    so its lifetime). Someone without a language yet (a first sign-in) gets the page's: the
    browser's, or the one picked with the switcher before signing in."""
    if user.language is None:
        languages.remember_first(g.firm, user, current_language())
    return sessions.start(
        g.firm,
        user,
        remember=remember,
        user_agent=request.headers.get("User-Agent"),
        ip=request.remote_addr,
        since=since,
    )


def sign_in(user: User, row: UserSession) -> None:
    """After the commit of its session row: the cookie that points to it. Remember-me is a
    persistent cookie for the same session, bounded by its absolute lifetime."""
    session.clear()  # a new session on login: nothing carried over (no fixation)
    g.user_session_id, g.user_session = row.id, row
    login_user(user, remember=row.remember, duration=sessions.remaining(user, row))
