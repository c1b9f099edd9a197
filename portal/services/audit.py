"""The audit log of administrative actions: who did what to the firm's settings, and when.
Append-only: entries are recorded and paged, never edited or deleted here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import lazy as _l
from portal.models import AuditEntry, Firm, User

MAX_VALUE = 500  # characters of an old/new value kept in the log
PER_PAGE = 50

# What each action is called on the audit log page (lazy: shown in the reader's language).
ACTION_LABELS = {
    "settings.changed": _l("Changed settings"),
    "logo.uploaded": _l("Uploaded a logo"),
    "logo.removed": _l("Removed the logo"),
    "domain.added": _l("Added a domain"),
    "domain.removed": _l("Removed a domain"),
    "domain.verified": _l("Verified a domain"),
    "domain.lost": _l("Lost a domain to a portal that proved control of it"),
    "staff.invited": _l("Invited a recruiter"),
    "staff.invitation_resent": _l("Sent a new invitation"),
    "staff.role_changed": _l("Changed a role"),
    "staff.deactivated": _l("Deactivated an account"),
    "staff.reactivated": _l("Reactivated an account"),
    "firm.disabled": _l("Disabled the firm"),
    "firm.enabled": _l("Enabled the firm"),
    "message.resend": _l("Sent a message again"),
    "contact.recorded": _l("Recorded contact with a candidate"),
    "held_mail.posted": _l("Posted a held email to a candidate's conversation"),
    "held_mail.discarded": _l("Discarded a held email"),
    "sso.configured": _l("Set up single sign-on"),
    "sso.removed": _l("Removed single sign-on"),
    "sso.user_created": _l("Created a recruiter at their first single sign-on"),
    "two_factor.required": _l("Required two-factor authentication for all staff"),
    "two_factor.optional": _l("Made two-factor authentication optional"),
    "staff.two_factor_reset": _l("Reset someone's two-factor authentication"),
    "webhook.created": _l("Added a webhook endpoint"),
    "webhook.changed": _l("Changed a webhook endpoint"),
    "webhook.secret_rotated": _l("Rotated a webhook endpoint's secret"),
    "webhook.replayed": _l("Sent a webhook event again"),
    "webhook.disabled": _l("Disabled a webhook endpoint"),
    "webhook.enabled": _l("Enabled a webhook endpoint"),
    "webhook.deleted": _l("Removed a webhook endpoint"),
    "export.talent_pool": _l("Exported the talent pool (CSV)"),
    "export.pipeline": _l("Exported a search's pipeline (CSV)"),
    "api_key.created": _l("Created an API key"),
    "api_key.rotated": _l("Rotated an API key"),
    "api_key.revoked": _l("Revoked an API key"),
    "api.candidate.created": _l("API: added a candidate"),
    "api.candidate.updated": _l("API: changed a candidate"),
    "api.candidate.cv_uploaded": _l("API: uploaded a CV"),
    "api.note.added": _l("API: added an internal note"),
    "api.client.created": _l("API: added a client"),
    "api.search.created": _l("API: opened a search"),
    "api.candidacy.created": _l("API: added a candidate to a search"),
    "api.candidacy.moved": _l("API: moved a candidacy"),
    "api.candidacy.closed": _l("API: closed a candidacy"),
    "api.candidacy.undone": _l("API: undid a move"),
    "api.feedback.posted": _l("API: posted feedback"),
    "api.consent.requested": _l("API: requested consent"),
}


def short(value):
    """A value as the log keeps it: JSON-friendly, long text cut."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def record(
    firm: Firm, actor: User | None, action: str, target: str | None = None, details: dict | None = None
) -> AuditEntry:
    """Add an entry in the caller's transaction. `actor` None means the operator (CLI)."""
    entry = AuditEntry(
        firm_id=firm.id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=(target or None) and target[:200],
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class AuditRow:
    id: int
    created_at: datetime
    action: str
    label: str
    target: str | None
    details: dict
    actor_name: str | None
    actor_email: str | None


@dataclass
class AuditPage:
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


def page_of_entries(firm: Firm, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the firm's log, newest first (two queries whatever the page size)."""
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.firm_id == firm.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    result = db.session.execute(
        select(AuditEntry, User.name, User.email)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.firm_id == firm.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    rows = [
        AuditRow(
            id=e.id,
            created_at=e.created_at,
            action=e.action,
            label=str(ACTION_LABELS.get(e.action, e.action)),  # in the reader's language, escaped as text
            target=e.target,
            details=e.details or {},
            actor_name=name,
            actor_email=email,
        )
        for e, name, email in result
    ]
    return AuditPage(rows=rows, page=page, pages=pages, total=total)
