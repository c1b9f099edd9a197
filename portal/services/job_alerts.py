"""Job alerts: subscribing with double opt-in, confirming, one-click unsubscribing, and the
saved searches of signed-in candidates. Plain functions that flush, never commit.

A visitor's alert is active only once the emailed link is confirmed: the link's token exists
in clear only in that email, the row keeps its sha256, it works once and expires after
PORTAL_JOB_ALERT_CONFIRM_DAYS. Subscribing answers the same whatever the address (no
enumeration): every request writes a new pending alert and one confirmation email. Never
names a confidential client (the digest, portal/services/job_alert_digest.py, builds the jobs)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.i18n import ngettext
from portal.models import Audience, Candidate, Firm, JobAlert, RemotePreference, utcnow
from portal.services import DomainError, NotFound
from portal.services.accounts import hash_token, normalise_email
from portal.web.templating import external_url

CONFIRM_KIND = "job_alert_confirm"
REMOTE_CHOICES = (
    # Translators: the job alert form's choice of way of working that filters nothing.
    ("", _l("Any")),
    (RemotePreference.REMOTE.value, _l("Remote")),
    (RemotePreference.HYBRID.value, _l("Hybrid")),
    (RemotePreference.ONSITE.value, _l("On-site")),
)
MAX_SAVED = 50  # saved searches per candidate
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe makes


def _token(token: str | None) -> str:
    """A link's token as it can be (URL-safe base64), else NotFound: a hostile path (a NUL
    byte PostgreSQL refuses, 3,000 characters) is simply an unknown link."""
    if not token or not _TOKEN.fullmatch(token):
        raise NotFound(_("This link is not valid."))
    return token


def _criteria(keywords: str | None, location: str | None, remote: str | None) -> tuple[str, str, str]:
    """The criteria as stored: single spaces, within the column sizes, a known remote policy."""
    keywords = " ".join((keywords or "").split())[:200]
    location = " ".join((location or "").split())[:120]
    remote = remote if remote in {value for value, _label in REMOTE_CHOICES} else ""
    return keywords, location, remote or ""


def alerts_url(firm: Firm) -> str:
    return external_url(firm, "careers.alerts")


def unsubscribe_link(firm: Firm, alert: JobAlert) -> str:
    return external_url(firm, "careers.alert_unsubscribe", token=alert.unsubscribe_token)


# ---------------------------------------------------------------- visitors: double opt-in


def subscribe(
    firm: Firm, email: str, keywords: str | None, location: str | None, remote: str | None, now: datetime | None = None
) -> JobAlert:
    """A pending alert and its confirmation email (through the outbox). The same work for
    every address, known or not: the caller's answer must not tell them apart."""
    now = now or utcnow()
    email = normalise_email(email)
    if not email or "@" not in email:
        raise DomainError(_("Please enter your email address."))
    keywords, location, remote = _criteria(keywords, location, remote)
    token = secrets.token_urlsafe(32)
    days = current_app.config["JOB_ALERT_CONFIRM_DAYS"]
    alert = JobAlert(
        firm_id=firm.id,
        email=email,
        keywords=keywords,
        location=location,
        remote=remote,
        confirm_token_hash=hash_token(token),
        confirm_expires_at=now + timedelta(days=days),
        created_at=now,
    )
    db.session.add(alert)
    db.session.flush()
    outbox.record(
        firm,
        kind=CONFIRM_KIND,
        dedupe_key=f"job-alert-confirm:{alert.id}",
        audience=Audience.CANDIDATE,
        to_email=email,
        context={
            "confirm_url": external_url(firm, "careers.alert_confirm", token=token),
            "criteria": alert.criteria_words,
            "days": days,
        },
        show_in_portal=False,
    )
    return alert


def pending_alert(firm: Firm, token: str, now: datetime | None = None) -> JobAlert:
    """The unconfirmed alert this confirmation link is for, in this firm; NotFound when the
    link is unknown, used already or expired."""
    now = now or utcnow()
    alert = db.session.scalar(
        select(JobAlert).where(
            JobAlert.firm_id == firm.id,
            JobAlert.confirm_token_hash == hash_token(_token(token)),
            JobAlert.confirmed_at.is_(None),
            JobAlert.unsubscribed_at.is_(None),
        )
    )
    if alert is None or alert.confirm_expires_at is None or alert.confirm_expires_at <= now:
        raise NotFound(_("This link has expired or was already used."))
    return alert


def confirm(firm: Firm, token: str, now: datetime | None = None) -> JobAlert:
    """Confirm a pending alert (once: the token is forgotten). An identical active alert of
    the same address keeps going instead of a second one (one digest, not two)."""
    now = now or utcnow()
    alert = pending_alert(firm, token, now)
    alert.confirm_token_hash = None
    alert.confirm_expires_at = None
    same = db.session.scalar(
        select(JobAlert).where(
            JobAlert.firm_id == firm.id,
            JobAlert.email == alert.email,
            JobAlert.candidate_id.is_(None),
            JobAlert.keywords == alert.keywords,
            JobAlert.location == alert.location,
            JobAlert.remote == alert.remote,
            JobAlert.confirmed_at.is_not(None),
            JobAlert.unsubscribed_at.is_(None),
            JobAlert.id != alert.id,
        )
    )
    if same is not None:
        db.session.delete(alert)
        db.session.flush()
        return same
    alert.confirmed_at = now
    db.session.flush()
    return alert


# ---------------------------------------------------------------- one-click unsubscribe


def alert_for_unsubscribe(firm: Firm, token: str) -> JobAlert:
    """The alert of this unsubscribe link, in this firm only (else NotFound)."""
    alert = db.session.scalar(
        select(JobAlert).where(JobAlert.firm_id == firm.id, JobAlert.unsubscribe_token == _token(token))
    )
    if alert is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    return alert


def unsubscribe(firm: Firm, token: str, now: datetime | None = None) -> JobAlert:
    """Stop this alert at once (RFC 8058 one-click or the button); doing it again is harmless."""
    alert = alert_for_unsubscribe(firm, token)
    if alert.unsubscribed_at is None:
        alert.unsubscribed_at = now or utcnow()
        alert.confirm_token_hash = None
        db.session.flush()
    return alert


# ---------------------------------------------------------------- candidates' saved searches


def candidate_alerts(firm: Firm, candidate: Candidate) -> list[JobAlert]:
    """The candidate's saved searches still running, oldest first (one query)."""
    return list(
        db.session.scalars(
            select(JobAlert)
            .where(
                JobAlert.firm_id == firm.id, JobAlert.candidate_id == candidate.id, JobAlert.unsubscribed_at.is_(None)
            )
            .order_by(JobAlert.created_at, JobAlert.id)
        )
    )


def save_for_candidate(
    firm: Firm,
    candidate: Candidate,
    keywords: str | None,
    location: str | None,
    remote: str | None,
    now: datetime | None = None,
) -> JobAlert:
    """A saved search for a signed-in candidate: active at once (their address is known)."""
    now = now or utcnow()
    keywords, location, remote = _criteria(keywords, location, remote)
    mine = select(JobAlert.id).where(
        JobAlert.firm_id == firm.id, JobAlert.candidate_id == candidate.id, JobAlert.unsubscribed_at.is_(None)
    )
    count = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    if count >= MAX_SAVED:
        raise DomainError(
            ngettext(
                "You can keep up to %(num)d saved search. Delete one to add another.",
                "You can keep up to %(num)d saved searches. Delete one to add another.",
                MAX_SAVED,
            )
        )
    same = db.session.scalar(
        mine.where(JobAlert.keywords == keywords, JobAlert.location == location, JobAlert.remote == remote)
    )
    if same is not None:
        raise DomainError(_("You already have this saved search."))
    alert = JobAlert(
        firm_id=firm.id,
        email=candidate.email or "",
        candidate_id=candidate.id,
        keywords=keywords,
        location=location,
        remote=remote,
        confirmed_at=now,
        created_at=now,
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def delete_for_candidate(firm: Firm, candidate: Candidate, alert_id: int) -> None:
    """Delete one of the candidate's own saved searches (another's, or another firm's: NotFound)."""
    alert = db.session.scalar(
        select(JobAlert).where(
            JobAlert.id == alert_id, JobAlert.firm_id == firm.id, JobAlert.candidate_id == candidate.id
        )
    )
    if alert is None:
        raise NotFound(_("This saved search does not exist."))
    db.session.delete(alert)
    db.session.flush()
