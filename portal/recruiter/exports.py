"""CSV downloads for recruiters: the talent pool with the filters of its page, and a search's
pipeline. Thin: each export is audited (committed first), then portal.services.exports streams
the rows (a generator response, constant memory). Another firm's search is a 404."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, flash, g, redirect, request, stream_with_context, url_for

from portal.i18n import gettext as _
from portal.models import Search, Stage
from portal.recruiter.blueprint import bp
from portal.recruiter.candidates import _pool_filters
from portal.recruiter.common import get_or_404
from portal.recruiter.forms import PoolFilterForm, opt
from portal.services import audit, exports
from portal.services import searches as search_service
from portal.web.actions import actor, run


def csv_response(pieces: Iterator[str], name: str) -> Response:
    """A streamed CSV download (never cached, never sniffed as anything else)."""
    return Response(
        stream_with_context(pieces),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/candidates/export.csv")
def talent_export():
    form = PoolFilterForm(request.args)
    staff = search_service.staff(g.firm)
    form.owner.choices = [opt("", _("Anyone")), opt("me", _("Me"))] + [opt(u.id, u.name) for u in staff]
    filters, error = _pool_filters(form)
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    if error:
        flash(_("Not exported: %(reason)s", reason=error), "error")
        return redirect(url_for("recruiter.talent", **args), code=303)
    run(lambda: audit.record(g.firm, actor(), "export.talent_pool", None, {"filters": args} if args else None))
    rows = exports.talent_pool_rows(g.firm, filters)
    return csv_response(exports.write_csv(exports.POOL_HEADER, rows), exports.filename(g.firm, "talent-pool"))


@bp.route("/searches/<int:search_id>/pipeline.csv")
def pipeline_export(search_id: int):
    search = get_or_404(Search, search_id)
    wanted = request.args.get("stage") or None
    stage = Stage(wanted) if wanted in {s.value for s in Stage} else None
    details = {"search_id": search.id, "stage": stage.value if stage else None}
    run(lambda: audit.record(g.firm, actor(), "export.pipeline", search.title, details))
    rows = exports.pipeline_rows(search, stage)
    name = exports.filename(g.firm, search.title, "pipeline")
    return csv_response(exports.write_csv(exports.PIPELINE_HEADER, rows), name)
