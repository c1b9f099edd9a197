"""The audit log of administrative actions: who did what to the firm's settings, and when.
Append-only: entries are recorded and paged, never edited or deleted here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Firm, User

MAX_VALUE = 500  # characters of an old/new value kept in the log
PER_PAGE = 50

ACTION_LABELS = {
    "settings.changed": "Changed settings",
    "logo.uploaded": "Uploaded a logo",
    "logo.removed": "Removed the logo",
    "domain.added": "Added a domain",
    "domain.removed": "Removed a domain",
    "domain.verified": "Verified a domain",
    "domain.lost": "Lost a domain to a portal that proved control of it",
    "staff.invited": "Invited a recruiter",
    "staff.invitation_resent": "Sent a new invitation",
    "staff.role_changed": "Changed a role",
    "staff.deactivated": "Deactivated an account",
    "staff.reactivated": "Reactivated an account",
    "firm.disabled": "Disabled the firm",
    "firm.enabled": "Enabled the firm",
    "message.resend": "Sent a message again",
    "contact.recorded": "Recorded contact with a candidate",
    "held_mail.posted": "Posted a held email to a candidate's conversation",
    "held_mail.discarded": "Discarded a held email",
    "sso.configured": "Set up single sign-on",
    "sso.removed": "Removed single sign-on",
    "sso.user_created": "Created a recruiter at their first single sign-on",
    "two_factor.required": "Required two-factor authentication for all staff",
    "two_factor.optional": "Made two-factor authentication optional",
    "staff.two_factor_reset": "Reset someone's two-factor authentication",
    "webhook.created": "Added a webhook endpoint",
    "webhook.changed": "Changed a webhook endpoint",
    "webhook.secret_rotated": "Rotated a webhook endpoint's secret",
    "webhook.replayed": "Sent a webhook event again",
    "webhook.disabled": "Disabled a webhook endpoint",
    "webhook.enabled": "Enabled a webhook endpoint",
    "webhook.deleted": "Removed a webhook endpoint",
    "export.talent_pool": "Exported the talent pool (CSV)",
    "export.pipeline": "Exported a search's pipeline (CSV)",
    "api_key.created": "Created an API key",
    "api_key.rotated": "Rotated an API key",
    "api_key.revoked": "Revoked an API key",
    "api.candidate.created": "API: added a candidate",
    "api.candidate.updated": "API: changed a candidate",
    "api.candidate.cv_uploaded": "API: uploaded a CV",
    "api.note.added": "API: added an internal note",
    "api.client.created": "API: added a client",
    "api.search.created": "API: opened a search",
    "api.candidacy.created": "API: added a candidate to a search",
    "api.candidacy.moved": "API: moved a candidacy",
    "api.candidacy.closed": "API: closed a candidacy",
    "api.candidacy.undone": "API: undid a move",
    "api.feedback.posted": "API: posted feedback",
    "api.consent.requested": "API: requested consent",
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
            label=ACTION_LABELS.get(e.action, e.action),
            target=e.target,
            details=e.details or {},
            actor_name=name,
            actor_email=email,
        )
        for e, name, email in result
    ]
    return AuditPage(rows=rows, page=page, pages=pages, total=total)
