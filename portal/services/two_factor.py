"""Two-factor authentication for staff: enrol a TOTP authenticator (confirmed by a first code),
check a code at sign-in (a time step is accepted once: no replay), single-use recovery codes
(stored hashed, shown once), the firm's policy that all staff must use one, and an admin's
reset of someone's second factor (audited).

Flushes, never commits; never touches the request, the Flask session or the cookie (the views
keep the pending sign-in). Never stores a recovery code in clear, and never returns a secret
or a code except to the enrolling user's own page. Candidates never get a second step here."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import pyotp
import segno
from sqlalchemy import CursorResult, delete, func, or_, select, update

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Firm, RecoveryCode, TwoFactor, User, utcnow
from portal.services import DomainError, audit, staff

RECOVERY_CODES = 10
# A code from the step before or after the current one is accepted (clocks drift by seconds).
DRIFT_STEPS = 1

ENROL = "enrol"  # the sign-in's second step: set up an authenticator first (firm policy)
CODE = "code"  # the sign-in's second step: a code from the authenticator or a recovery code


class WrongCode(DomainError):
    """The code is wrong, expired, already used, or not a code at all."""

    field = "code"


@dataclass
class Enrolment:
    """What the enrolling user sees: the secret (grouped for typing), and a QR code of its URI."""

    secret: str
    grouped: str
    uri: str
    qr_data_uri: str


@dataclass
class Status:
    enrolled: bool
    since: datetime | None
    codes_left: int
    required: bool


# ---------------------------------------------------------------- reading


def _row(firm: Firm, user: User) -> TwoFactor | None:
    return db.session.scalar(select(TwoFactor).where(TwoFactor.firm_id == firm.id, TwoFactor.user_id == user.id))


def is_enrolled(firm: Firm, user: User) -> bool:
    return _row(firm, user) is not None


def enrolled_ids(firm: Firm) -> set[int]:
    """The ids of this firm's users who have a second factor (one query, for the staff list)."""
    return set(db.session.scalars(select(TwoFactor.user_id).where(TwoFactor.firm_id == firm.id)))


def status(firm: Firm, user: User) -> Status:
    row = _row(firm, user)
    left = 0
    if row is not None:
        left = (
            db.session.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.firm_id == firm.id, RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            )
            or 0
        )
    return Status(
        enrolled=row is not None,
        since=row.created_at if row else None,
        codes_left=left,
        required=bool(firm.require_two_factor),
    )


def second_step(firm: Firm, user: User) -> str | None:
    """After a correct password: CODE for staff with a second factor, ENROL for staff of a firm
    that requires one and who have none yet, None otherwise (candidates: always None)."""
    if not user.is_staff:
        return None
    if is_enrolled(firm, user):
        return CODE
    return ENROL if firm.require_two_factor else None


def pending_user(firm: Firm, user_id: int) -> User | None:
    """The active staff member of this firm a pending sign-in is for (None if gone meanwhile)."""
    user = db.session.scalar(select(User).where(User.id == user_id, User.firm_id == firm.id))
    if user is None or not user.active or not user.is_staff:
        return None
    return user


# ---------------------------------------------------------------- enrolment


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment(firm: Firm, user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=firm.name)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return Enrolment(secret=secret, grouped=grouped, uri=uri, qr_data_uri=qr)


def enrol(firm: Firm, user: User, secret: str, code: str, *, signing_in: bool = False) -> list[str]:
    """Confirm an authenticator with its first code; returns the recovery codes in clear (the
    only time they exist so). A wrong first code is refused and nothing is stored. `signing_in`:
    this is the second step of a sign-in (the firm requires two-factor), which it completes."""
    if not user.is_staff:
        raise DomainError(_("Two-factor authentication is for staff accounts."))
    if is_enrolled(firm, user):
        raise DomainError(_("Two-factor authentication is already on for your account."))
    if not re.fullmatch(r"[A-Z2-7]{16,64}", secret or ""):
        raise WrongCode(_("This set-up has expired. Scan the new code below and try again."))
    step = _matching_step(secret, code, utcnow())
    if step is None:
        raise WrongCode(_("That code does not match. Check the time on your phone and enter the newest code."))
    db.session.add(TwoFactor(firm_id=firm.id, user_id=user.id, secret=secret, last_step=step, last_used_at=utcnow()))
    if signing_in:
        user.last_login_at = utcnow()
    db.session.flush()
    return _new_recovery_codes(firm, user)


def regenerate_recovery_codes(firm: Firm, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a current authenticator code."""
    row = _row(firm, user)
    if row is None:
        raise DomainError(_("Two-factor authentication is not on for your account."))
    _use_totp(firm, row, code)
    return _new_recovery_codes(firm, user)


def _new_recovery_codes(firm: Firm, user: User) -> list[str]:
    db.session.execute(
        delete(RecoveryCode)
        .where(RecoveryCode.firm_id == firm.id, RecoveryCode.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    codes = [_format_code(secrets.token_hex(5)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(
        RecoveryCode(firm_id=firm.id, user_id=user.id, code_hash=_hash_code(firm, code)) for code in codes
    )
    db.session.flush()
    return codes


def _format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _hash_code(firm: Firm, code: str) -> str:
    return hashlib.sha256(f"{firm.id}:{_normalise_code(code)}".encode()).hexdigest()


# ---------------------------------------------------------------- checking a code


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (within the allowed drift) whose TOTP code is `code`, if any."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _use_totp(firm: Firm, row: TwoFactor, code: str) -> None:
    """Accept an authenticator code once: its step must be newer than the last one accepted
    (one conditional UPDATE, so two requests racing with the same code cannot both win)."""
    now = utcnow()
    step = _matching_step(row.secret, code, now)
    if step is None:
        raise WrongCode(_("That code is not right. Enter the newest code from your authenticator app."))
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(TwoFactor)
            .where(
                TwoFactor.id == row.id,
                TwoFactor.firm_id == firm.id,
                or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
            )
            .values(last_step=step, last_used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise WrongCode(_("That code was already used. Wait for the next code from your authenticator app."))


def _use_recovery_code(firm: Firm, user: User, code: str) -> bool:
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.firm_id == firm.id,
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash_code(firm, code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount == 1


def verify(firm: Firm, user: User, code: str) -> str:
    """The second step of a sign-in: an authenticator code ("totp") or an unused recovery code
    ("recovery", spent now). Anything else raises WrongCode."""
    row = _row(firm, user)
    if row is None:
        raise WrongCode(_("Two-factor authentication is not set up for this account."))
    digits = re.sub(r"\s", "", code or "")
    if re.fullmatch(r"\d{6}", digits):
        _use_totp(firm, row, digits)
        kind = "totp"
    elif _use_recovery_code(firm, user, code):
        kind = "recovery"
    else:
        raise WrongCode(_("That code is not right. Enter the newest code from your authenticator app."))
    user.last_login_at = utcnow()
    return kind


# ---------------------------------------------------------------- the firm's policy and resets


def set_policy(firm: Firm, actor: User | None, required: bool) -> bool:
    """Require (or stop requiring) two-factor for every recruiter and admin; True if it changed."""
    if bool(firm.require_two_factor) == bool(required):
        return False
    firm.require_two_factor = bool(required)
    audit.record(firm, actor, "two_factor.required" if required else "two_factor.optional")
    db.session.flush()
    return True


def reset(firm: Firm, actor: User | None, user_id: int) -> User:
    """Remove a staff member's authenticator and recovery codes (they lost their phone) and sign
    them out everywhere; audited. Another firm's user, or a candidate, is NotFound."""
    user = staff.get_staff(firm, user_id)
    if actor is not None and actor.id == user.id:
        raise DomainError(_("You cannot reset your own second factor; ask another admin."))
    if not is_enrolled(firm, user):
        raise DomainError(_("%(name)s has no second factor to reset.", name=user.name))
    for model in (TwoFactor, RecoveryCode):
        db.session.execute(
            delete(model)
            .where(model.firm_id == firm.id, model.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    user.end_sessions()
    audit.record(firm, actor, "staff.two_factor_reset", target=user.email)
    return user
