"""Accounts: passwords, invitations and resets. Tokens are random, stored hashed, single use."""
from __future__ import annotations

import gzip
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from portal import outbox
from portal.extensions import db
from portal.models import (
    Audience, AuthToken, Candidate, Firm, Role, TokenPurpose, User, utcnow,
)
from portal.services import DomainError
from portal.templating import external_url

MIN_PASSWORD = 10
# A hash to check against when no user matches, so both paths take the same time.
_DUMMY_HASH = None


class InvalidToken(DomainError):
    """The link is unknown, used or expired."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user of the current firm with this email and password, if active."""
    global _DUMMY_HASH
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        from werkzeug.security import check_password_hash, generate_password_hash

        if _DUMMY_HASH is None:
            _DUMMY_HASH = generate_password_hash("not-a-password")
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def validate_password(password: str, *, email: str | None = None, firm: Firm | None = None) -> None:
    """Long enough, not one of the most common passwords, not the firm's name or the email."""
    if len(password or "") < MIN_PASSWORD:
        raise DomainError(f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > 200:
        raise DomainError("Use at most 200 characters.")
    lowered = password.strip().lower()
    core = lowered.strip(_DECORATION)
    if lowered in common_passwords() or (core and core in common_passwords()):
        raise DomainError("That password is one of the most common ones, which are the first "
                          "anybody would try. Choose something less predictable.")
    personal = set()
    if email:
        address = normalise_email(email)
        personal |= {_compact(address), _compact(address.split("@")[0])}
    if firm is not None:
        personal |= {_compact(firm.name), _compact(firm.slug)}
    personal.discard("")
    if _compact(core) in personal or _compact(lowered) in personal:
        raise DomainError("That password is too close to your email address or to our name, "
                          "which others can guess. Choose something else.")


# Trivial additions around a guessable word: "Password2024!", "alpha-search-1".
_DECORATION = "0123456789!@#$%^&*()-_=+.,;:?~'\"/ "
_COMMON: frozenset[str] | None = None


def _compact(text: str) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, loaded once: portal/data/common-passwords.txt.gz,
    the 30,000 most common passwords of zxcvbn's frequency list (its header names the source)."""
    global _COMMON
    if _COMMON is None:
        path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            _COMMON = frozenset(line.strip().lower() for line in f if line.strip() and not line.startswith("#"))
    return _COMMON


def _issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta, actor: User | None) -> str:
    # A new link replaces any earlier unused one of the same kind.
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(AuthToken(
        firm_id=user.firm_id, user_id=user.id, purpose=purpose, token_hash=hash_token(token),
        expires_at=utcnow() + lifetime, created_by_id=actor.id if actor else None,
    ))
    db.session.flush()
    return token


def invite_user(firm: Firm, user: User, actor: User | None, candidate: Candidate | None = None) -> str:
    """Send (through the outbox) a single-use link to set a password. Returns the token."""
    if not user.active:
        raise DomainError("This account is deactivated.")
    days = current_app.config["INVITATION_DAYS"]
    token = _issue_token(user, TokenPurpose.INVITATION, timedelta(days=days), actor)
    count = db.session.scalar(
        select(func.count()).select_from(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == TokenPurpose.INVITATION)
    )
    outbox.record(
        firm, kind="invitation", dedupe_key=f"invitation:{user.id}:{count}",
        audience=Audience.CANDIDATE if user.role == Role.CANDIDATE else Audience.RECRUITER,
        to_email=user.email, to_name=user.name, recipient_user_id=user.id, candidate=candidate,
        context={"user": user, "inviter": actor, "days": days,
                 "link": external_url(firm, "auth.accept_invitation", token=token)},
    )
    return token


def request_password_reset(firm: Firm, email: str) -> None:
    """Email a reset link if the account exists. Says nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    hours = current_app.config["RESET_HOURS"]
    token = _issue_token(user, TokenPurpose.RESET, timedelta(hours=hours), None)
    outbox.record(
        firm, kind="password_reset", dedupe_key=f"reset:{hash_token(token)[:32]}",
        audience=Audience.CANDIDATE if user.role == Role.CANDIDATE else Audience.RECRUITER,
        to_email=user.email, to_name=user.name, recipient_user_id=user.id, show_in_portal=False,
        context={"user": user, "hours": hours,
                 "link": external_url(firm, "auth.reset_password", token=token)},
    )


def check_token(token: str, purpose: TokenPurpose) -> AuthToken:
    row = db.session.scalar(
        select(AuthToken).where(AuthToken.token_hash == hash_token(token or ""), AuthToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidToken("This link is not valid any more. It may have been used already or have expired.")
    return row


def use_token(token: str, purpose: TokenPurpose, password: str, device: str | None = None) -> User:
    """Set the password from an invitation or reset link; the link is then spent, every
    session of the user ends, and after a reset the user is told by email."""
    row = check_token(token, purpose)
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise InvalidToken("This account is not active.")
    firm = db.session.get(Firm, row.firm_id)
    validate_password(password, email=user.email, firm=firm)
    # Conditional update: two submits of the same link cannot both succeed.
    spent = db.session.execute(
        update(AuthToken).where(AuthToken.id == row.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        raise InvalidToken("This link has just been used.")
    user.set_password(password)
    user.end_sessions()
    if purpose == TokenPurpose.RESET:
        notify_password_changed(firm, user, device=device, reset=True)
    return user


class WrongPassword(DomainError):
    """The current password given to confirm a change is not right."""


def change_password(firm: Firm, user: User, current: str, new: str, *, device: str | None = None) -> None:
    """Change the password inside a session: the current one is asked for, every session of
    the user ends (the view signs the device the user acts from in again, with a new
    session), and the user is told by email."""
    if not user.check_password(current or ""):
        raise WrongPassword("That is not your current password.")
    validate_password(new, email=user.email, firm=firm)
    if user.check_password(new):
        raise DomainError("That is your current password. Choose a new one.")
    user.set_password(new)
    user.end_sessions()
    notify_password_changed(firm, user, device=device, reset=False)
    db.session.flush()


def notify_password_changed(firm: Firm, user: User, *, device: str | None, reset: bool) -> None:
    """The "your password was changed; if this wasn't you..." email (transactional)."""
    now = utcnow()
    outbox.record(
        firm, kind="password_changed", dedupe_key=f"password-changed:{user.id}:{secrets.token_hex(8)}",
        audience=Audience.CANDIDATE if user.role == Role.CANDIDATE else Audience.RECRUITER,
        to_email=user.email, to_name=user.name, recipient_user_id=user.id, show_in_portal=False,
        context={"user": user, "when": now, "device": device or "an unknown browser", "reset": reset,
                 "reset_link": external_url(firm, "auth.request_reset")},
    )


def deactivate(user: User) -> None:
    user.active = False
    user.end_sessions()
