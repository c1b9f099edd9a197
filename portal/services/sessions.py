"""Sign-in sessions, kept on the server so that ending one ends it at once, everywhere.

The cookies carry "<user id>.<session secret>"; only the secret's SHA-256 is stored, and every
request loads the user and the live session in ONE statement. A session is refused once ended
(logout, password change, "sign out everywhere", deactivation), idle too long or too old, with
limits per role (PORTAL_STAFF_SESSION_* / PORTAL_CANDIDATE_SESSION_*). `last_seen_at` is
refreshed at most every TOUCH_EVERY, after the response, in its own short transaction: never a
write on every GET."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, bindparam, delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal import transaction
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Firm, Role, User, UserSession, utcnow
from portal.services import NotFound

log = logging.getLogger(__name__)
TOUCH_EVERY = timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def limits(user: User) -> tuple[timedelta, timedelta]:
    """(idle limit, absolute lifetime) of this user's sessions."""
    cfg = current_app.config
    if user.role == Role.CANDIDATE:
        return (timedelta(days=cfg["CANDIDATE_SESSION_IDLE_DAYS"]), timedelta(days=cfg["CANDIDATE_SESSION_MAX_DAYS"]))
    return (timedelta(minutes=cfg["STAFF_SESSION_IDLE_MINUTES"]), timedelta(hours=cfg["STAFF_SESSION_MAX_HOURS"]))


def remaining(user: User, row: UserSession) -> timedelta:
    """How long the session may still last (the lifetime of its remember-me cookie)."""
    return max(limits(user)[1] - (utcnow() - row.created_at), timedelta(seconds=1))


def is_live(user: User, row: UserSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    idle, absolute = limits(user)
    return row.ended_at is None and now - row.last_seen_at < idle and now - row.created_at < absolute


# ---------------------------------------------------------------- the device, in words

_BROWSERS = (  # order matters: Edge and Opera also say "Chrome", Chrome also says "Safari"
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None) -> str:
    """A short readable summary of a User-Agent header: "Chrome on Android"."""
    ua = (user_agent or "")[:512]
    browser = next((name for token, name in _BROWSERS if token in ua), None)
    if browser == "Safari" and not re.search(r"Version/\d", ua):
        browser = None  # an app's web view or a bot that only claims Safari
    system = next((name for token, name in _SYSTEMS if token in ua), None)
    if browser and system:
        # Translators: a signed-in device, e.g. "Chrome on Android" (names of browsers and systems).
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return _("A browser on %(system)s", system=system)
    return browser or _("Unknown browser")


# ---------------------------------------------------------------- start, load, end


def start(
    firm: Firm, user: User, *, remember: bool, user_agent: str | None, ip: str | None, since: datetime | None = None
) -> UserSession:
    """A new signed-in session for `user`; sets `user.login_secret` for the login id.
    `since`: the sign-in time of a session this one replaces (its lifetime carries over)."""
    now = utcnow()
    idle, absolute = limits(user)
    # This user's ended and run-out sessions are forgotten (the list shows live ones only).
    db.session.execute(
        delete(UserSession)
        .where(
            UserSession.user_id == user.id,
            or_(
                UserSession.ended_at.is_not(None),
                UserSession.last_seen_at <= now - idle,
                UserSession.created_at <= now - absolute,
            ),
        )
        .execution_options(synchronize_session="fetch")  # the request may hold one of them
    )
    secret = secrets.token_urlsafe(32)
    row = UserSession(
        firm_id=firm.id,
        user_id=user.id,
        secret_hash=hash_secret(secret),
        remember=bool(remember),
        device=describe_device(user_agent)[:80],  # in the sign-in page's language
        ip_address=(ip or None) and ip[:45],
        created_at=since or now,
        last_seen_at=now,
    )
    db.session.add(row)
    db.session.flush()
    user.login_secret = secret
    return row


_LOAD: Select | None = None


def _load_statement() -> Select:
    """The loader's statement, built once (its values are bound parameters): building the
    where clause took longer than running it on every request."""
    global _LOAD
    if _LOAD is None:
        _LOAD = (
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                User.id == bindparam("user_id"),
                User.firm_id == bindparam("firm_id"),
                UserSession.firm_id == bindparam("firm_id"),
                UserSession.secret_hash == bindparam("secret_hash"),
                UserSession.ended_at.is_(None),
            )
        )
    return _LOAD


def load(firm: Firm, user_id: int, secret: str) -> tuple[User, UserSession] | None:
    """The active user and their live session for this login id, in one statement."""
    found = db.session.execute(
        _load_statement(), {"user_id": user_id, "firm_id": firm.id, "secret_hash": hash_secret(secret)}
    ).first()
    if found is None:
        return None
    user, row = found
    if not user.active or not is_live(user, row):
        return None
    user.login_secret = secret
    return user, row


def needs_touch(row: UserSession, now: datetime | None = None) -> bool:
    return (now or utcnow()) - row.last_seen_at >= TOUCH_EVERY


def touch(firm_id: int, session_id: int) -> None:
    """Refresh last_seen_at in a short transaction of its own (never the request's)."""
    now = utcnow()
    try:
        with transaction.separate(firm_id) as own:
            own.execute(
                update(UserSession)
                .where(
                    UserSession.id == session_id,
                    UserSession.firm_id == firm_id,
                    UserSession.ended_at.is_(None),
                    UserSession.last_seen_at < now - TOUCH_EVERY,
                )
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
    except SQLAlchemyError as exc:  # the next request tries again; the page is not affected
        log.warning("could not refresh the last use of session %s: %s", session_id, exc)


def live_sessions(user: User) -> list[UserSession]:
    """The user's signed-in sessions, most recently used first."""
    now = utcnow()
    idle, absolute = limits(user)
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.last_seen_at > now - idle,
                UserSession.created_at > now - absolute,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def end(user: User, session_id: int) -> UserSession:
    """Sign out one of the user's own sessions (another user's or firm's id: NotFound)."""
    row = db.session.scalar(select(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id))
    if row is None:
        raise NotFound(_("That session does not exist."))
    if row.ended_at is None:
        row.ended_at = utcnow()
        db.session.flush()
    return row


def end_all(user: User) -> None:
    """End every session of the user (the view signs the current device in again if asked)."""
    user.end_sessions()
    db.session.flush()
