"""The promises report, precomputed: the worker stores one ReportSnapshot per firm, scope and
standard period (portal.services.reports.build), so the page reads one row however big the
firm is. The plan tick refreshes them (every PLAN_TICK_MINUTES); an admin's "Refresh now"
enqueues the same job. A custom date range is computed live (about a dozen grouped
statements; at 100,000 candidates a few seconds on SQLite, see the README)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Firm, Role, Search, User
from portal.models.base import utcnow
from portal.models.insight import ReportSnapshot
from portal.services import reports

REFRESH_JOB = "worker.jobs.refresh_reports"


def scope_key(recruiter_id: int | None) -> str:
    return "firm" if recruiter_id is None else f"recruiter:{recruiter_id}"


def scopes(firm: Firm) -> list[int | None]:
    """The firm, and every active recruiter or admin who owns a search (one statement)."""
    owners = db.session.scalars(
        select(User.id)
        .where(
            User.firm_id == firm.id,
            User.active.is_(True),
            User.role.in_((Role.RECRUITER, Role.ADMIN)),
            select(Search.id).where(Search.owner_id == User.id).exists(),
        )
        .order_by(User.id)
    ).all()
    return [None, *owners]


def refresh(firm: Firm, now: datetime | None = None, recruiter_ids: list[int | None] | None = None) -> int:
    """Compute and store the standard periods' reports for the firm and its recruiters (or the
    scopes given). Flushes; the caller commits. Returns how many snapshots were written."""
    now = now or utcnow()
    wanted = scopes(firm) if recruiter_ids is None else recruiter_ids
    existing = {
        (s.scope, s.period): s
        for s in db.session.scalars(select(ReportSnapshot).where(ReportSnapshot.firm_id == firm.id))
    }
    periods = reports.standard_periods(firm, now)
    n = 0
    for rid in wanted:
        for key in reports.STANDARD_PERIODS:
            data = reports.build(firm, periods[key], rid, now)
            snap = existing.get((scope_key(rid), key)) or _created(firm, scope_key(rid), key, data, now)
            snap.data, snap.computed_at = data, now
            n += 1
    db.session.flush()
    return n


def _created(firm: Firm, scope: str, period: str, data: dict, now: datetime) -> ReportSnapshot:
    """A new snapshot row, or the one a second planner inserted a moment ago (two schedulers,
    an admin's "Refresh now" during the tick): the insert runs in a savepoint, so losing the
    race on the unique (firm, scope, period) costs the row, never the planner's transaction."""
    snap = ReportSnapshot(firm_id=firm.id, scope=scope, period=period, data=data, computed_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(snap)
    except IntegrityError:
        found = db.session.scalar(
            select(ReportSnapshot).where(
                ReportSnapshot.firm_id == firm.id, ReportSnapshot.scope == scope, ReportSnapshot.period == period
            )
        )
        if found is None:
            raise
        return found
    return snap


@dataclass(frozen=True)
class Shown:
    data: dict[str, Any]
    computed_at: datetime
    live: bool  # computed for this request (a custom range, or no snapshot yet)


def report(firm: Firm, period_key: str, recruiter_id: int | None, now: datetime | None = None) -> Shown | None:
    """The report to show: the stored snapshot of a standard period (computed and stored once
    if there is none yet), or a custom range computed live. None for an unknown period."""
    now = now or utcnow()
    if period_key in reports.STANDARD_PERIODS:
        snap = db.session.scalar(
            select(ReportSnapshot).where(
                ReportSnapshot.firm_id == firm.id,
                ReportSnapshot.scope == scope_key(recruiter_id),
                ReportSnapshot.period == period_key,
            )
        )
        if snap is None:
            refresh(firm, now, [recruiter_id])
            snap = db.session.scalar(
                select(ReportSnapshot).where(
                    ReportSnapshot.firm_id == firm.id,
                    ReportSnapshot.scope == scope_key(recruiter_id),
                    ReportSnapshot.period == period_key,
                )
            )
            assert snap is not None
            return Shown(snap.data, snap.computed_at, live=True)
        return Shown(snap.data, snap.computed_at, live=False)
    per = reports.period(firm, period_key, now)
    if per is None:
        return None
    return Shown(reports.build(firm, per, recruiter_id, now), now, live=True)


def headline(firm: Firm, period_key: str = "quarter", recruiter_id: int | None = None) -> reports.Headline | None:
    """The headline of the stored snapshot (no computation), or None when there is none yet:
    what the weekly email and the public figures may read to stay equal to the page."""
    snap = db.session.scalar(
        select(ReportSnapshot).where(
            ReportSnapshot.firm_id == firm.id,
            ReportSnapshot.scope == scope_key(recruiter_id),
            ReportSnapshot.period == period_key,
        )
    )
    return reports.headline_from(snap.data) if snap is not None else None
