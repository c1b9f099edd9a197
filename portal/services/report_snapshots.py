"""The promises report, precomputed: the worker stores one ReportSnapshot per firm, scope and
standard period (portal.services.reports.build), so the page reads one row however big the
firm is. The plan tick refreshes them (every PLAN_TICK_MINUTES); an admin's "Refresh now"
enqueues the same job. A custom date range is computed live (about a dozen grouped
statements; at 100,000 candidates a few seconds on SQLite, see the README).

The "By search" table has a row per search with a case in the period (3,000 at 100,000
candidates, 95% of the report): a snapshot keeps them apart (ReportSnapshotRow, at their place
in the table's order; the document says how many, "by_search_count"), so the page decodes its
one page of them (`search_rows`) and the CSV download streams them all (`all_search_rows`).
A live report, or a snapshot written before they were kept apart, holds them in its document:
both functions read them there."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, Text, cast, delete, insert, select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Firm, Role, Search, User
from portal.models.base import utcnow
from portal.models.insight import ReportSnapshot, ReportSnapshotRow
from portal.services import exports, report_tables, reports

if TYPE_CHECKING:
    from sqlalchemy import Table

REFRESH_JOB = "worker.jobs.refresh_reports"
_ROWS = typing.cast("Table", ReportSnapshotRow.__table__)  # a declarative model's table (typed as a FromClause)


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
    # Locked (PostgreSQL) until the caller commits: a second refresh of these snapshots (two
    # schedulers, "Refresh now" during the tick) waits, then replaces the rows this one wrote.
    existing = {
        (s.scope, s.period): s
        for s in db.session.scalars(
            select(ReportSnapshot)
            .where(ReportSnapshot.firm_id == firm.id, ReportSnapshot.scope.in_([scope_key(r) for r in wanted]))
            .with_for_update()
        )
    }
    periods = reports.standard_periods(firm, now)
    n = 0
    for rid in wanted:
        for key in reports.STANDARD_PERIODS:
            data = reports.build(firm, periods[key], rid, now)
            searches = data.pop("by_search")
            data["by_search_count"] = len(searches)
            snap = existing.get((scope_key(rid), key)) or _created(firm, scope_key(rid), key, data, now)
            snap.data, snap.computed_at = data, now
            _store_rows(firm, snap.id, searches)
            n += 1
    db.session.flush()
    return n


def _store_rows(firm: Firm, snapshot_id: int, searches: list[dict]) -> None:
    """The snapshot's "By search" rows, replacing those it had (two statements)."""
    db.session.execute(delete(_ROWS).where(_ROWS.c.firm_id == firm.id, _ROWS.c.snapshot_id == snapshot_id))
    if searches:
        db.session.execute(
            insert(_ROWS),
            [
                {"firm_id": firm.id, "snapshot_id": snapshot_id, "position": i, "data": row}
                for i, row in enumerate(searches)
            ],
        )


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
            select(ReportSnapshot)
            .where(ReportSnapshot.firm_id == firm.id, ReportSnapshot.scope == scope, ReportSnapshot.period == period)
            .with_for_update()
        )
        if found is None:
            raise
        return found
    return snap


@dataclass(frozen=True)
class Shown:
    data: dict[str, Any]  # the report; a snapshot's keeps its "By search" rows apart
    computed_at: datetime
    live: bool  # computed for this request (a custom range, or no snapshot yet)
    snapshot_id: int | None = None  # the stored snapshot shown (None: a custom range)


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
            return Shown(snap.data, snap.computed_at, live=True, snapshot_id=snap.id)
        return Shown(snap.data, snap.computed_at, live=False, snapshot_id=snap.id)
    per = reports.period(firm, period_key, now)
    if per is None:
        return None
    return Shown(reports.build(firm, per, recruiter_id, now), now, live=True)


@dataclass(frozen=True)
class ShownPage:
    shown: Shown
    searches: report_tables.SearchPage  # which page of "By search"
    rows: list[dict[str, Any]]  # that page's rows


def report_page(
    firm: Firm, period_key: str, recruiter_id: int | None, page: str, now: datetime | None = None
) -> ShownPage | None:
    """The report to show (`report`) with one page of its "By search" rows; `page` is the
    ?page= argument (report_tables.search_page). None for an unknown period."""
    shown = report(firm, period_key, recruiter_id, now)
    if shown is None:
        return None
    number = report_tables.search_page(page, search_count(shown))
    return ShownPage(shown, number, search_rows(firm, shown, number.start, number.stop))


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


def search_count(shown: Shown) -> int:
    """How many rows the report's "By search" table has (no query)."""
    data = shown.data
    return len(data["by_search"]) if "by_search" in data else int(data["by_search_count"])


def search_rows(firm: Firm, shown: Shown, start: int, stop: int) -> list[dict[str, Any]]:
    """The "By search" rows [start, stop) in the table's order: one page (one statement, a
    range of the rows' key; none when the document holds them)."""
    if "by_search" in shown.data:
        return shown.data["by_search"][start:stop]
    stmt = _rows_text(firm, shown).where(_ROWS.c.position >= start, _ROWS.c.position < stop)
    return list(_decoded(db.session.scalars(stmt)))


def all_search_rows(firm: Firm, shown: Shown) -> Iterator[dict[str, Any]]:
    """Every "By search" row in the table's order, read as they are used (the CSV download: one
    streamed statement on a session of its own, see exports.streamed)."""
    if "by_search" in shown.data:
        return iter(shown.data["by_search"])
    return _decoded(row[0] for row in exports.streamed(firm.id, _rows_text(firm, shown)))


def _rows_text(firm: Firm, shown: Shown) -> Select[str]:
    """The snapshot's rows as their JSON text, in order (decoded by `_decoded`)."""
    return (
        select(cast(_ROWS.c.data, Text))
        .where(_ROWS.c.firm_id == firm.id, _ROWS.c.snapshot_id == shown.snapshot_id)
        .order_by(_ROWS.c.position)
    )


def _decoded(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The rows' JSON texts decoded a chunk at a time, as one array: a decoder call per row
    (the JSON type's) cost a download of 3,000 rows a third more than decoding the whole
    document it replaces."""
    found = iter(texts)
    while chunk := list(islice(found, exports.CHUNK)):
        yield from json.loads("[" + ",".join(chunk) + "]")
