"""The promises report page (/recruiter/reports), its CSV downloads and the admins' "Refresh
now". Admins see the firm and may pick a recruiter; a recruiter sees their own work only (any
other scope is a 404, as for another firm's object). Thin: figures from
portal.services.report_snapshots, tables from portal.services.report_tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import select

from portal import i18n
from portal.extensions import DEFAULT, db, get_queue
from portal.i18n import gettext as _
from portal.models import Role, User
from portal.recruiter.blueprint import bp
from portal.recruiter.exports import csv_response
from portal.services import audit, exports, report_periods, report_snapshots, report_tables, reports
from portal.services import searches as search_service
from portal.web.actions import actor, run


def _scope() -> int | None:
    """The recruiter whose work is shown (None: the firm). Admins choose; others see their own."""
    wanted = request.args.get("recruiter", "")
    if not current_user.is_admin:
        if wanted not in ("", str(current_user.id)):
            abort(404)
        return current_user.id
    if not wanted:
        return None
    if not wanted.isdigit():
        abort(404)
    user = db.session.scalar(select(User).where(User.id == int(wanted), User.role.in_((Role.RECRUITER, Role.ADMIN))))
    if user is None:
        abort(404)
    return user.id


def _period_key() -> tuple[str, str | None]:
    """The period asked for, and a message when custom dates were unreadable."""
    key = request.args.get("period", "quarter")
    if key == "custom":
        try:
            first = date.fromisoformat(request.args.get("from", "")[:10])
            last = date.fromisoformat(request.args.get("to", "")[:10])
        except ValueError:
            return "quarter", _("Please give both dates of a custom period (year-month-day). Showing this quarter.")
        if (last - first).days > 800 or (first - last).days > 800:
            return "quarter", _("A custom period may span at most about two years. Showing this quarter.")
        return f"custom:{first.isoformat()}:{last.isoformat()}", None
    return (key if key in reports.STANDARD_PERIODS else "quarter"), None


def _words(data: dict, f: report_tables.Formats) -> dict:
    """What the page says in the reader's language: the period, each promise, the figures."""
    return {
        "period_text": report_periods.period_label(data["period"]),
        "promise_label": lambda key: f.promises[key],
        "one_decimal": f.num,
        "no_decimal": lambda value: f.num(value, 0),
        "day_of": lambda iso: i18n.day(date.fromisoformat(iso[:10])),  # a stored "YYYY-MM-DD…", as the reader writes it
    }


@bp.route("/reports")
def report_page():
    recruiter_id = _scope()
    key, problem = _period_key()
    found = run(lambda: report_snapshots.report_page(g.firm, key, recruiter_id, request.args.get("page", "")))
    if found is None:
        abort(404)
    shown, data, f = found.shown, found.shown.data, report_tables.Formats()
    tables = report_tables.page_tables(data, found.rows, f)
    return render_template(
        "recruiter/report.html",
        data=data,
        **_words(data, f),
        shown=shown,
        tables=tables,
        search_page=found.searches,
        charts=report_tables.charts(data, tables, f),
        headline=reports.headline_from(data),
        staff=search_service.staff(g.firm) if current_user.is_admin else [],
        recruiter_id=recruiter_id,
        period_key=key.split(":")[0],
        custom=key.split(":")[1:] if key.startswith("custom:") else ["", ""],
        problem=problem,
        refresh_minutes=current_app.config["PLAN_TICK_MINUTES"],
        args={k: v for k, v in request.args.items() if k in ("period", "from", "to", "recruiter") and v},
    )


@bp.route("/reports/export.csv")
def report_csv():
    """One table of the report (?table=promises, exceptions, by_search ...) as CSV."""
    name = request.args.get("table", "")
    recruiter_id = _scope()
    key, _problem = _period_key()
    shown = run(lambda: report_snapshots.report(g.firm, key, recruiter_id))
    if shown is None:
        abort(404)
    rows = report_snapshots.all_search_rows(g.firm, shown) if name == "by_search" else None
    table = report_tables.table(shown.data, name, rows)
    if table is None:
        abort(404)
    details = {"table": name, "period": key, "scope": report_snapshots.scope_key(recruiter_id)}
    run(lambda: audit.record(g.firm, actor(), "export.report", name, details))
    return csv_response(exports.write_csv(table.header, table.rows), exports.filename(g.firm, "report", name))


@bp.route("/reports/refresh", methods=["POST"])
def report_refresh():
    if not current_user.is_admin:
        abort(403)
    try:
        get_queue(DEFAULT).enqueue(report_snapshots.REFRESH_JOB, g.firm.id)
        flash(_("The figures are being refreshed; reload the page in a minute."), "success")
    except (RedisError, OSError):
        flash(
            _(
                "The figures could not be refreshed now (the queue is unavailable). "
                "They refresh on their own within the hour."
            ),
            "error",
        )
    args: dict[str, Any] = {k: v for k, v in request.form.items() if k in ("period", "from", "to", "recruiter") and v}
    return redirect(url_for("recruiter.report_page", **args), code=303)
