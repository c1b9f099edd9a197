"""The firm's staff (recruiters and admins): invite, change role, deactivate with hand-over
of their searches and candidates, reactivate. Every action goes to the audit log; a user is
never deleted (deactivated, their photo goes), and the firm never loses its last active admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Candidate, Firm, Role, Search, User
from portal.services import DomainError, NotFound, accounts, audit, recruiter_profile
from portal.services.firms import create_user

STAFF_ROLES = (Role.RECRUITER, Role.ADMIN)


@dataclass
class StaffRow:
    user: User
    searches: int
    candidates: int
    invited: bool  # has not chosen a password yet


def list_staff(firm: Firm) -> list[StaffRow]:
    """Every recruiter and admin with how many searches and candidates they own
    (three queries, whatever the size of the firm)."""
    users = db.session.scalars(
        select(User)
        .where(User.firm_id == firm.id, User.role.in_(STAFF_ROLES))
        .order_by(User.active.desc(), func.lower(User.name), User.id)
    ).all()
    searches = dict(
        db.session.execute(
            select(Search.owner_id, func.count())
            .where(Search.firm_id == firm.id, Search.owner_id.is_not(None))
            .group_by(Search.owner_id)
        ).all()
    )
    candidates = dict(
        db.session.execute(
            select(Candidate.owner_id, func.count())
            .where(Candidate.firm_id == firm.id, Candidate.owner_id.is_not(None), Candidate.deleted_at.is_(None))
            .group_by(Candidate.owner_id)
        ).all()
    )
    return [
        StaffRow(
            user=u, searches=searches.get(u.id, 0), candidates=candidates.get(u.id, 0), invited=u.password_hash is None
        )
        for u in users
    ]


def get_staff(firm: Firm, user_id: int) -> User:
    """A recruiter or admin of this firm; anything else (another firm's user, a candidate)
    is NotFound."""
    user = db.session.scalar(select(User).where(User.id == user_id, User.firm_id == firm.id))
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound(_("No such recruiter."))
    return user


def active_staff(firm: Firm, exclude: User | None = None) -> list[User]:
    stmt = select(User).where(User.firm_id == firm.id, User.role.in_(STAFF_ROLES), User.active.is_(True))
    if exclude is not None:
        stmt = stmt.where(User.id != exclude.id)
    return list(db.session.scalars(stmt.order_by(func.lower(User.name), User.id)))


def owned_counts(firm: Firm, user: User) -> tuple[int, int]:
    searches = db.session.scalar(
        select(func.count()).select_from(Search).where(Search.firm_id == firm.id, Search.owner_id == user.id)
    )
    candidates = db.session.scalar(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.firm_id == firm.id, Candidate.owner_id == user.id, Candidate.deleted_at.is_(None))
    )
    return searches or 0, candidates or 0


def _active_admins(firm: Firm) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.firm_id == firm.id, User.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


def invite(firm: Firm, actor: User | None, *, email: str, name: str, role: Role = Role.RECRUITER) -> User:
    """Create the account (no password yet) and email a single-use invitation link."""
    if role not in STAFF_ROLES:
        raise DomainError(_("Invite a recruiter or an admin."))
    user = create_user(firm, email=email, name=name, role=role)
    accounts.invite_user(firm, user, actor)
    audit.record(firm, actor, "staff.invited", target=user.email, details={"name": user.name, "role": role.value})
    return user


def resend_invitation(firm: Firm, actor: User | None, user_id: int) -> User:
    user = get_staff(firm, user_id)
    if user.password_hash is not None:
        raise DomainError(_("%(name)s has already chosen a password.", name=user.name))
    if not user.active:
        raise DomainError(_("This account is deactivated."))
    accounts.invite_user(firm, user, actor)
    audit.record(firm, actor, "staff.invitation_resent", target=user.email)
    return user


def change_role(firm: Firm, actor: User | None, user_id: int, role: Role) -> User:
    user = get_staff(firm, user_id)
    if role not in STAFF_ROLES:
        raise DomainError(_("A member of staff is a recruiter or an admin."))
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.active and _active_admins(firm) <= 1:
        if actor is not None and actor.id == user.id:
            raise DomainError(_("You cannot make yourself a recruiter: the firm needs at least one active admin."))
        raise DomainError(
            _("You cannot make %(name)s a recruiter: the firm needs at least one active admin.", name=user.name)
        )
    old = user.role
    user.role = role
    audit.record(
        firm,
        actor,
        "staff.role_changed",
        target=user.email,
        details={"changes": {"role": {"old": old.value, "new": role.value}}},
    )
    db.session.flush()
    return user


@dataclass
class Handover:
    user: User
    to: User | None
    searches: int
    candidates: int


def deactivate(firm: Firm, actor: User | None, user_id: int, reassign_to_id: int | None) -> Handover:
    """End the account at once (every session and remember-me cookie stops working) and
    hand their searches and candidates to another active member of staff of this firm."""
    user = get_staff(firm, user_id)
    if not user.active:
        raise DomainError(_("%(name)s is already deactivated.", name=user.name))
    if actor is not None and actor.id == user.id:
        raise DomainError(_("You cannot deactivate your own account."))
    if user.role == Role.ADMIN and _active_admins(firm) <= 1:
        raise DomainError(_("The firm needs at least one active admin."))
    searches, candidates = owned_counts(firm, user)
    target = None
    if reassign_to_id:
        target = db.session.scalar(select(User).where(User.id == reassign_to_id, User.firm_id == firm.id))
        if target is None or target.role not in STAFF_ROLES or not target.active or target.id == user.id:
            raise DomainError(_("Choose an active recruiter of this firm to take over."))
    elif searches or candidates:
        raise DomainError(
            # Translators: %(searches)s is "2 searches", %(candidates)s "1 candidate".
            _(
                "%(name)s owns %(searches)s and %(candidates)s: choose who takes them over.",
                name=user.name,
                searches=ngettext("%(num)d search", "%(num)d searches", searches),
                candidates=ngettext("%(num)d candidate", "%(num)d candidates", candidates),
            )
        )
    if target is not None:
        db.session.execute(
            update(Search)
            .where(Search.firm_id == firm.id, Search.owner_id == user.id)
            .values(owner_id=target.id)
            .execution_options(synchronize_session="fetch")
        )
        db.session.execute(
            update(Candidate)
            .where(Candidate.firm_id == firm.id, Candidate.owner_id == user.id)
            .values(owner_id=target.id)
            .execution_options(synchronize_session="fetch")
        )
    accounts.deactivate(user)
    # They have left: nobody sees their profile any more, and their photo is not kept (the file
    # goes once this is committed; reactivated, they upload one again).
    recruiter_profile.forget_photo(user)
    audit.record(
        firm,
        actor,
        "staff.deactivated",
        target=user.email,
        details={"reassigned_to": target.email if target else None, "searches": searches, "candidates": candidates},
    )
    db.session.flush()
    return Handover(user=user, to=target, searches=searches, candidates=candidates)


def reactivate(firm: Firm, actor: User | None, user_id: int) -> User:
    user = get_staff(firm, user_id)
    if user.active:
        raise DomainError(_("%(name)s is already active.", name=user.name))
    user.active = True
    user.end_sessions()
    audit.record(firm, actor, "staff.reactivated", target=user.email)
    db.session.flush()
    return user
