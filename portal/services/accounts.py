"""Accounts: passwords, invitations and resets. Tokens are random, minted when their email is
sent, stored hashed, single use; a live link is never stored or shown, only emailed."""

from __future__ import annotations

import gzip
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Audience, AuthToken, Candidate, Firm, Message, Role, TokenPurpose, User, utcnow
from portal.services import DomainError
from portal.web.templating import external_url

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
        raise DomainError(_("Use at least %(num)d characters.", num=MIN_PASSWORD))
    if len(password) > 200:
        raise DomainError(_("Use at most %(num)d characters.", num=200))
    lowered = password.strip().lower()
    core = lowered.strip(_DECORATION)
    if lowered in common_passwords() or (core and core in common_passwords()):
        raise DomainError(
            _(
                "That password is one of the most common ones, which are the first "
                "anybody would try. Choose something less predictable."
            )
        )
    personal = set()
    if email:
        address = normalise_email(email)
        personal |= {_compact(address), _compact(address.split("@")[0])}
    if firm is not None:
        personal |= {_compact(firm.name), _compact(firm.slug)}
    personal.discard("")
    if _compact(core) in personal or _compact(lowered) in personal:
        raise DomainError(
            _(
                "That password is too close to your email address or to our name, "
                "which others can guess. Choose something else."
            )
        )


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


# ---------------------------------------------------------------- credential emails
#
# Promise 9: a live credential is readable by its addressee alone. A credential email is
# recorded with outbox.CREDENTIAL_LINK where the link goes; the worker mints the token when
# it sends (`mint_link`), puts the link into the email it hands to SMTP only, and stores the
# token's hash once the mail server took the email (`store_minted`), replacing any earlier
# unused link of the same purpose. Every send (a retry, a "send again") mints a new link.
# A new kind of link (e.g. a passwordless sign-in) adds a TokenPurpose, an entry below and
# a route that calls `check_token`/`use_token`, and is emailed with `record_credential_email`.


def _invitation_lifetime() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_DAYS"])


def _reset_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["RESET_HOURS"])


def _sign_in_lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_LINK_MINUTES"])


# purpose -> (the route its link opens, how long the link works from when it is minted)
CREDENTIAL_LINKS: dict[TokenPurpose, tuple[str, Callable[[], timedelta]]] = {
    TokenPurpose.INVITATION: ("auth.accept_invitation", _invitation_lifetime),
    TokenPurpose.RESET: ("auth.reset_password", _reset_lifetime),
    TokenPurpose.SIGN_IN: ("auth.sign_in_with_link", _sign_in_lifetime),  # portal.services.sign_in_links
}


def record_credential_email(
    firm: Firm,
    user: User,
    purpose: TokenPurpose,
    *,
    kind: str,
    context: dict,
    candidate: Candidate | None = None,
    show_in_portal: bool = True,
) -> Message:
    """Record (through the outbox) an email carrying a live `purpose` link for `user`.
    Its templates print `link`, which is CREDENTIAL_LINK here: the row never holds the link."""
    if purpose not in CREDENTIAL_LINKS:
        raise ValueError(f"no link is defined for {purpose}")
    return outbox.record(
        firm,
        kind=kind,
        dedupe_key=f"{purpose.value}:{user.id}:{secrets.token_hex(8)}",
        audience=Audience.CANDIDATE if user.role == Role.CANDIDATE else Audience.RECRUITER,
        to_email=user.email,
        to_name=user.name,
        recipient_user_id=user.id,
        candidate=candidate,
        show_in_portal=show_in_portal,
        credential=purpose.value,
        context={**context, "user": user, "link": outbox.CREDENTIAL_LINK},
    )


@dataclass(frozen=True)
class MintedLink:
    """A link made for one send. `url` lives in memory only, until the email is built."""

    url: str
    firm_id: int
    user_id: int
    purpose: TokenPurpose
    token_hash: str
    expires_at: datetime
    next_path: str | None = None


def mint_link(
    firm: Firm, user_id: int, purpose: TokenPurpose, now: datetime, next_path: str | None = None
) -> MintedLink:
    """A fresh random link for `purpose`; nothing is stored yet (see `store_minted`).
    `next_path` (the email's Message.credential_next) is kept with the token, not in the URL."""
    endpoint, lifetime = CREDENTIAL_LINKS[purpose]
    token = secrets.token_urlsafe(32)
    return MintedLink(
        external_url(firm, endpoint, token=token),
        firm.id,
        user_id,
        purpose,
        hash_token(token),
        now + lifetime(),
        next_path,
    )


def store_minted(minted: MintedLink, now: datetime) -> None:
    """Make a minted link work (its hash only), in the caller's transaction; it replaces
    any earlier unused link of the same purpose for that user."""
    db.session.execute(
        update(AuthToken)
        .where(
            AuthToken.firm_id == minted.firm_id,
            AuthToken.user_id == minted.user_id,
            AuthToken.purpose == minted.purpose,
            AuthToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        AuthToken(
            firm_id=minted.firm_id,
            user_id=minted.user_id,
            purpose=minted.purpose,
            token_hash=minted.token_hash,
            expires_at=minted.expires_at,
            created_at=now,
            next_path=minted.next_path,
        )
    )
    db.session.flush()


def invite_user(firm: Firm, user: User, actor: User | None, candidate: Candidate | None = None) -> Message:
    """Send (through the outbox) a single-use link to set a password. Returns the message;
    the link is made when the worker sends it."""
    if not user.active:
        raise DomainError(_("This account is deactivated."))
    return record_credential_email(
        firm,
        user,
        TokenPurpose.INVITATION,
        kind="invitation",
        candidate=candidate,
        context={"inviter": actor, "days": current_app.config["INVITATION_DAYS"]},
    )


def request_password_reset(firm: Firm, email: str) -> None:
    """Email a reset link if the account exists. Says nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    record_credential_email(
        firm,
        user,
        TokenPurpose.RESET,
        kind="password_reset",
        show_in_portal=False,
        context={"hours": current_app.config["RESET_HOURS"]},
    )


def check_token(token: str, purpose: TokenPurpose) -> AuthToken:
    row = db.session.scalar(
        select(AuthToken).where(AuthToken.token_hash == hash_token(token or ""), AuthToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidToken(_("This link is not valid any more. It may have been used already or have expired."))
    return row


def use_token(token: str, purpose: TokenPurpose, password: str, device: str | None = None) -> User:
    """Set the password from an invitation or reset link; the link is then spent, every
    session of the user ends, and after a reset the user is told by email."""
    row = check_token(token, purpose)
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        raise InvalidToken(_("This account is not active."))
    firm = db.session.get_one(Firm, row.firm_id)  # the token's firm (deleting a firm deletes its tokens)
    validate_password(password, email=user.email, firm=firm)
    spend_token(row)
    user.set_password(password)
    user.end_sessions()
    if purpose == TokenPurpose.RESET:
        notify_password_changed(firm, user, device=device, reset=True)
    return user


def spend_token(row: AuthToken) -> None:
    """Mark a checked link used. A conditional update: two uses of the same link (two
    submits, two tabs) cannot both succeed; the second is InvalidToken."""
    spent = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(AuthToken)
            .where(AuthToken.id == row.id, AuthToken.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    ).rowcount  # an UPDATE gives a CursorResult
    if spent != 1:
        raise InvalidToken(_("This link has just been used."))


class WrongPassword(DomainError):
    """The current password given to confirm a change is not right."""


def change_password(firm: Firm, user: User, current: str, new: str, *, device: str | None = None) -> None:
    """Change the password inside a session: the current one is asked for, every session of
    the user ends (the view signs the device the user acts from in again, with a new
    session), and the user is told by email."""
    if not user.check_password(current or ""):
        raise WrongPassword(_("That is not your current password."))
    validate_password(new, email=user.email, firm=firm)
    if user.check_password(new):
        raise DomainError(_("That is your current password. Choose a new one."))
    user.set_password(new)
    user.end_sessions()
    notify_password_changed(firm, user, device=device, reset=False)
    db.session.flush()


def notify_password_changed(firm: Firm, user: User, *, device: str | None, reset: bool) -> None:
    """The "your password was changed; if this wasn't you..." email (transactional)."""
    now = utcnow()
    outbox.record(
        firm,
        kind="password_changed",
        dedupe_key=f"password-changed:{user.id}:{secrets.token_hex(8)}",
        audience=Audience.CANDIDATE if user.role == Role.CANDIDATE else Audience.RECRUITER,
        to_email=user.email,
        to_name=user.name,
        recipient_user_id=user.id,
        show_in_portal=False,
        context={
            "user": user,
            "when": now,
            "device": device,  # None: the email says "an unknown browser" in its reader's language
            "reset": reset,
            "reset_link": external_url(firm, "auth.request_reset"),
        },
    )


def deactivate(user: User) -> None:
    user.active = False
    user.end_sessions()
