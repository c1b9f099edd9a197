"""The report page, its CSV downloads, who may see what, the snapshot job and its freshness."""

from __future__ import annotations

import csv
import io
import re

import pytest

from portal.models import Firm
from portal.models.insight import ReportSnapshot
from portal.services import report_snapshots
from tests.factories import firm_context
from tests.reports.fixture import NOW, build_fixture
from tests.support.fixtures.clients import login_as


def _snapshot(app, kiwi, now=NOW):
    with firm_context(app, kiwi.firm) as s:
        return report_snapshots.refresh(s.get(Firm, kiwi.firm.id), now)


@pytest.fixture
def kiwi(app):
    return build_fixture(app)


def _client(client_for, kiwi, user):
    c = client_for(kiwi.firm)
    login_as(c, user)
    return c


def test_snapshots_for_the_firm_and_each_owner(app, kiwi):
    assert _snapshot(app, kiwi) == 3 * 4  # firm, Ann, Bob x four standard periods
    assert _snapshot(app, kiwi) == 12  # again: updated in place
    with firm_context(app, kiwi.firm) as s:
        from sqlalchemy import func, select

        assert s.scalar(select(func.count(ReportSnapshot.id))) == 12


def test_admin_sees_the_firm_with_charts_tables_and_freshness(app, kiwi, client_for):
    _snapshot(app, kiwi)
    c = _client(client_for, kiwi, kiwi.admin)
    html = c.get("/recruiter/reports?period=week").get_data(as_text=True)
    assert "The whole firm" in html
    # 01:00 on 19 Nov in Auckland: the snapshot's time, in the firm's zone (and the reader's locale)
    assert "Figures as of Nov 19, 1:00\u202fAM (refreshed every 60 minutes)" in html
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg and "aria-labelledby" in svg
    assert "60 %" in html  # cadence 3/5
    assert html.count("<table>") == 9  # every table but the exceptions (a list of links)
    assert "Ann Archer" in html and "Bob Baker" in html  # by recruiter
    assert f"/recruiter/candidacies/{kiwi.ids['c6_cy']}" in html  # an exception links to its page
    assert f"/recruiter/candidates/{kiwi.ids['c2']}" in html


def test_admin_picks_a_recruiter(app, kiwi, client_for):
    _snapshot(app, kiwi)
    c = _client(client_for, kiwi, kiwi.admin)
    html = c.get(f"/recruiter/reports?period=week&recruiter={kiwi.ann.id}").get_data(as_text=True)
    assert "Ann Archer’s searches" in html
    assert "67 %" in html  # Ann's cadence 2/3
    assert c.get("/recruiter/reports?recruiter=999999").status_code == 404
    assert c.get("/recruiter/reports?recruiter=abc").status_code == 404


def test_a_recruiter_sees_only_their_own(app, kiwi, client_for):
    _snapshot(app, kiwi)
    c = _client(client_for, kiwi, kiwi.ann)
    html = c.get("/recruiter/reports?period=week").get_data(as_text=True)
    assert "Your searches" in html and "Bob Baker" not in html and "CFO" not in html
    assert c.get(f"/recruiter/reports?recruiter={kiwi.bob.id}").status_code == 404
    assert c.get(f"/recruiter/reports/export.csv?table=by_search&recruiter={kiwi.bob.id}").status_code == 404
    assert c.post("/recruiter/reports/refresh").status_code == 403
    rows = list(
        csv.reader(
            io.StringIO(c.get("/recruiter/reports/export.csv?table=by_search&period=week").get_data(as_text=True))
        )
    )
    assert [r[0] for r in rows[1:]] == ["Head of Data"]


def test_another_firms_recruiter_is_a_404(app, kiwi, firms, client_for):
    _snapshot(app, kiwi)
    c = client_for(firms.b.firm)
    login_as(c, firms.b.admin)
    assert c.get(f"/recruiter/reports?recruiter={kiwi.ann.id}").status_code == 404
    assert c.get(f"/recruiter/reports/export.csv?table=promises&recruiter={kiwi.ann.id}").status_code == 404


def test_csv_is_formula_safe(app, kiwi, client_for):
    _snapshot(app, kiwi)
    c = _client(client_for, kiwi, kiwi.admin)
    resp = c.get("/recruiter/reports/export.csv?table=survey_comments&period=week")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    comments = [r[2] for r in rows[1:]]
    assert comments == ["'-slow", "'=HYPERLINK(1) kept me posted"]
    promises = list(
        csv.reader(
            io.StringIO(c.get("/recruiter/reports/export.csv?table=promises&period=week").get_data(as_text=True))
        )
    )
    assert promises[1][1:4] == ["3", "5", "60 %"]
    assert c.get("/recruiter/reports/export.csv?table=nothing").status_code == 404


def test_cell_escaping_of_every_leading_character():
    from portal.services.exports import cell

    assert [cell(v) for v in ("=1", "+1", "-1", "@x", "ok")] == ["'=1", "'+1", "'-1", "'@x", "ok"]


def test_no_snapshot_yet_computes_once_and_stores(app, kiwi, client_for):
    c = _client(client_for, kiwi, kiwi.admin)
    html = c.get("/recruiter/reports?period=30d").get_data(as_text=True)
    assert "(computed just now)" in html
    html = c.get("/recruiter/reports?period=30d").get_data(as_text=True)
    assert "refreshed every 60 minutes" in html
    with firm_context(app, kiwi.firm) as s:
        from sqlalchemy import select

        assert s.scalars(select(ReportSnapshot.period).where(ReportSnapshot.scope == "firm")).all()


def test_custom_dates_and_bad_input(app, kiwi, client_for):
    c = _client(client_for, kiwi, kiwi.admin)
    html = c.get("/recruiter/reports?period=custom&from=2026-11-15&to=2026-11-15").get_data(as_text=True)
    assert "Nov 15, 2026 to Nov 15, 2026" in html and "(computed just now)" in html  # in the reader's locale
    resp = c.get("/recruiter/reports?period=custom&from=%00bad&to=" + "9" * 20000)
    assert resp.status_code == 200
    assert "Please give both dates" in resp.get_data(as_text=True)


def test_page_queries_are_bounded(app, client_for, count_queries):
    """The snapshot page sends the same number of statements for 0 and 40 more candidacies."""
    counts = []
    for n, slug in ((0, "small"), (40, "large")):
        kiwi = build_fixture(app, slug=slug, extra_candidates=n)
        _snapshot(app, kiwi)
        c = _client(client_for, kiwi, kiwi.admin)
        c.get("/recruiter/reports?period=week")
        with count_queries() as q:
            assert c.get("/recruiter/reports?period=week").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_plan_firm_and_refresh_job_store_the_snapshots(app, kiwi):
    import time_machine
    from sqlalchemy import select

    from worker import jobs

    with time_machine.travel(NOW, tick=False):
        assert jobs.plan_firm(kiwi.firm.id)["reports"] == 12
        assert jobs.refresh_reports(kiwi.firm.id) == 12
    with firm_context(app, kiwi.firm) as s:
        snap = s.scalar(select(ReportSnapshot).where(ReportSnapshot.scope == "firm", ReportSnapshot.period == "week"))
        assert snap.computed_at == NOW
        # The plan wrote check-ins to c2 and c4 before the snapshot: every active candidate heard.
        assert (snap.data["promises"]["cadence"]["kept"], snap.data["promises"]["cadence"]["total"]) == (5, 5)
        assert report_snapshots.headline(s.get(Firm, kiwi.firm.id), "week").close_loop_share == 0.5


def test_refresh_now_enqueues_the_job(app, kiwi, client_for):
    from portal.extensions import DEFAULT, get_queue

    c = _client(client_for, kiwi, kiwi.admin)
    with app.app_context():
        queue = get_queue(DEFAULT, app)
        queue.empty()
    resp = c.post("/recruiter/reports/refresh", data={"period": "week"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/recruiter/reports?period=week")
    with app.app_context():
        jobs = get_queue(DEFAULT, app).jobs
        assert [(j.func_name, j.args) for j in jobs] == [("worker.jobs.refresh_reports", (kiwi.firm.id,))]
        get_queue(DEFAULT, app).empty()


def test_by_search_is_paged_and_the_csv_holds_every_search(app, kiwi, client_for, monkeypatch):
    """A firm's report has a row per search (thousands in a large firm): the page shows one
    page of them in the same order, with a pager; the CSV download holds them all."""
    from portal.services import report_tables

    _snapshot(app, kiwi)
    monkeypatch.setattr(report_tables, "SEARCHES_PER_PAGE", 1)
    c = _client(client_for, kiwi, kiwi.admin)

    def by_search(html: str) -> str:
        return re.search(r'aria-labelledby="by-search-h">(.*?)</section>', html, re.S).group(1)

    first = by_search(c.get("/recruiter/reports?period=week").get_data(as_text=True))
    assert "Page 1 of 2" in first and "CFO" in first and "Head of Data" not in first
    assert 'href="/recruiter/reports?page=2&amp;period=week#by-search-h" rel="next"' in first
    second = by_search(c.get("/recruiter/reports?period=week&page=2").get_data(as_text=True))
    assert "Page 2 of 2" in second and "Head of Data" in second and "CFO" not in second
    assert 'rel="next"' not in second and 'href="/recruiter/reports?period=week#by-search-h"' in second
    for past in ("99", "9" * 40):  # past the last page: the last
        assert "Page 2 of 2" in by_search(c.get(f"/recruiter/reports?period=week&page={past}").get_data(as_text=True))
    for bad in ("0", "x", "-1", "²"):
        assert "Page 1 of 2" in by_search(c.get(f"/recruiter/reports?period=week&page={bad}").get_data(as_text=True))
    rows = list(
        csv.reader(
            io.StringIO(c.get("/recruiter/reports/export.csv?table=by_search&period=week").get_data(as_text=True))
        )
    )
    assert [r[0] for r in rows[1:]] == ["CFO", "Head of Data"]


def test_formats_match_babel_and_gettext(app):
    """The per-page formatter gives what format_decimal and gettext per cell gave."""
    from babel.numbers import format_decimal
    from flask_babel import force_locale

    from portal.services import report_tables

    with app.test_request_context("/"):
        for lang in ("en", "de", "ar"):
            with force_locale(lang):
                f = report_tables.Formats()
                for value in (0, 2.25, -3.35, 8.55, 1234.56, 99.95):
                    for digits in (0, 1):
                        pattern = "0." + "0" * digits if digits else "0"
                        assert f.num(value, digits) == format_decimal(value, format=pattern, locale=lang)
        with force_locale("en"):
            f = report_tables.Formats()
            assert (f.pct(3, 5), f.pct(0, 0), f.pct(1, 3)) == ("60 %", "no cases", "33 %")


def test_by_search_rows_are_stored_apart_and_replaced(app, kiwi):
    """A snapshot's "By search" rows are rows of their own, in the table's order, replaced by
    each refresh (never added to) and deleted with their snapshot."""
    from sqlalchemy import delete, func, select

    from portal.models import ReportSnapshotRow

    def stored():
        with firm_context(app, kiwi.firm) as s:
            snap = s.scalar(
                select(ReportSnapshot).where(ReportSnapshot.scope == "firm", ReportSnapshot.period == "week")
            )
            rows = s.scalars(
                select(ReportSnapshotRow.data)
                .where(ReportSnapshotRow.snapshot_id == snap.id)
                .order_by(ReportSnapshotRow.position)
            ).all()
            return snap.data, [r["name"] for r in rows], s.scalar(select(func.count()).select_from(ReportSnapshotRow))

    _snapshot(app, kiwi)
    data, names, total = stored()
    assert "by_search" not in data and data["by_search_count"] == 2 and names == ["CFO", "Head of Data"]
    _snapshot(app, kiwi)
    assert stored() == (data, names, total)
    with firm_context(app, kiwi.firm) as s:
        s.execute(delete(ReportSnapshot).where(ReportSnapshot.firm_id == kiwi.firm.id))
        s.flush()
        assert s.scalar(select(func.count()).select_from(ReportSnapshotRow)) == 0


def test_a_snapshot_holding_its_rows_shows_the_same(app, kiwi, client_for, monkeypatch):
    """A snapshot written before the rows were kept apart (its document holds them) shows the
    same page, pages and CSV until its next refresh."""
    from sqlalchemy import delete, select

    from portal.models import ReportSnapshotRow
    from portal.services import report_tables

    _snapshot(app, kiwi)
    monkeypatch.setattr(report_tables, "SEARCHES_PER_PAGE", 1)
    c = _client(client_for, kiwi, kiwi.admin)
    urls = [f"/recruiter/reports?period=week&page={n}" for n in ("1", "2", "3")]
    urls += [f"/recruiter/reports/export.csv?table={t}&period=week" for t in report_tables.BUILDERS]

    def shown():
        return [re.sub(r'name="csrf_token"[^>]*>', "", c.get(u).get_data(as_text=True)) for u in urls]

    apart = shown()
    with firm_context(app, kiwi.firm) as s:
        snap = s.scalar(select(ReportSnapshot).where(ReportSnapshot.scope == "firm", ReportSnapshot.period == "week"))
        rows = s.scalars(
            select(ReportSnapshotRow.data)
            .where(ReportSnapshotRow.snapshot_id == snap.id)
            .order_by(ReportSnapshotRow.position)
        ).all()
        data = {k: v for k, v in snap.data.items() if k != "by_search_count"}
        snap.data = {**data, "by_search": rows}
        s.execute(delete(ReportSnapshotRow).where(ReportSnapshotRow.snapshot_id == snap.id))
    assert shown() == apart
    assert "CFO" in apart[0] and "Head of Data" in apart[1] and "Page 2 of 2" in apart[2]
