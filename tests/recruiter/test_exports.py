"""CSV exports of the talent pool (with the page's filters) and of a search's pipeline: safe
against spreadsheet formula injection, streamed (a generator response, one SELECT whatever the
size, bounded memory for 100,000 rows), named sensibly, recruiters only, firm-scoped, audited."""

from __future__ import annotations

import csv
import gc
import inspect
import io
import os

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Candidate, CandidateTag, Stage, utcnow
from portal.services import exports
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, make_search, people


def parse(resp) -> list[list[str]]:
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def bulk_candidates(app, f, n: int, prefix: str = "Person") -> None:
    """n talent-pool members in one INSERT on the engine (fast enough for 100,000)."""
    import secrets

    now = utcnow()
    rows = [
        {
            "firm_id": f.firm.id,
            "name": f"{prefix} {i:06d}",
            "email": f"{prefix.lower()}{i}@example.org",
            "headline": "Engineer, Python and SQL",
            "job_seeking": "open",
            "unsubscribe_token": secrets.token_hex(16),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    with app.app_context(), db.engine.begin() as conn:
        conn.execution_options(all_firms=True)  # the test's bulk data, for one firm
        conn.execute(Candidate.__table__.insert(), rows)


def rss_bytes() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("plain", "plain"),
        ("a\r\nb", "a\nb"),
        ("nul\x00byte", "nulbyte"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_a_quote(value, cell):
    assert exports.cell(value) == cell


def test_the_talent_pool_export_escapes_formulas_and_applies_the_filters(app, rec):
    f = rec.f
    people(app, f, 1, name="=cmd|' /C calc'!A0", headline="@SUM(1+1)", phone="+44 20 7946 0000")
    people(app, f, 1, name="Zed Plain", location="-Berlin")
    with firm_context(app, f.firm):
        zed = db.session.scalar(select(Candidate).where(Candidate.name == "Zed Plain"))
        db.session.add(CandidateTag(firm_id=f.firm.id, candidate_id=zed.id, name="fintech"))
    resp = rec.client.get("/recruiter/candidates/export.csv")
    assert resp.status_code == 200 and resp.is_streamed
    assert resp.mimetype == "text/csv"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="alpha-talent-pool-') and disposition.endswith('.csv"')
    table = parse(resp)
    assert table[0] == exports.POOL_HEADER
    by_name = {row[1]: row for row in table[1:]}
    evil = by_name["'=cmd|' /C calc'!A0"]
    assert evil[4] == "'@SUM(1+1)" and evil[3] == "'+44 20 7946 0000"
    assert by_name["Zed Plain"][5] == "'-Berlin" and by_name["Zed Plain"][8] == "fintech"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    # The page's filters apply.
    table = parse(rec.client.get("/recruiter/candidates/export.csv?tags=fintech"))
    assert [row[1] for row in table[1:]] == ["Zed Plain"]
    table = parse(rec.client.get("/recruiter/candidates/export.csv?q=Zed"))
    assert [row[1] for row in table[1:]] == ["Zed Plain"]
    # Audited, with the filters.
    with firm_context(app, f.firm):
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.talent_pool")).all()
    assert len(entries) == 3 and entries[-1].details == {"filters": {"q": "Zed"}}


def test_the_page_links_to_the_export_with_its_filters(rec):
    page = rec.client.get("/recruiter/candidates?tags=fintech").get_data(as_text=True)
    assert "/recruiter/candidates/export.csv?tags=fintech" in page


def test_filters_that_are_not_understood_are_said_not_exported(rec):
    resp = rec.client.get("/recruiter/candidates/export.csv?silent=-5")
    assert resp.status_code == 303 and "/recruiter/candidates" in resp.headers["Location"]


def test_the_pipeline_export_lists_the_search_with_a_stage_filter(app, rec):
    f = rec.f
    search = make_search(app, f, title="Head of Data / EMEA")
    a, b = people(app, f, 2)
    add(app, f, search, a)
    add(app, f, search, b, stage=Stage.SCREENING)
    page = rec.client.get(f"/recruiter/searches/{search.id}").get_data(as_text=True)
    assert f"/recruiter/searches/{search.id}/pipeline.csv" in page
    resp = rec.client.get(f"/recruiter/searches/{search.id}/pipeline.csv")
    assert resp.status_code == 200 and resp.is_streamed
    assert 'filename="alpha-head-of-data-emea-pipeline-' in resp.headers["Content-Disposition"]
    table = parse(resp)
    assert table[0] == exports.PIPELINE_HEADER
    assert sorted(row[2] for row in table[1:]) == sorted([a.name, b.name])
    table = parse(rec.client.get(f"/recruiter/searches/{search.id}/pipeline.csv?stage=screening"))
    assert [row[2] for row in table[1:]] == [b.name]
    with firm_context(app, f.firm):
        assert (
            db.session.scalar(select(AuditEntry.target).where(AuditEntry.action == "export.pipeline")) == search.title
        )


def test_exports_are_for_staff_of_the_firm_only(app, rec, client_for):
    other = make_search(app, rec.firms.b)
    assert rec.client.get(f"/recruiter/searches/{other.id}/pipeline.csv").status_code == 404
    cand = client_for(rec.f.firm)
    login_as(cand, rec.f.candidate_user)
    assert cand.get("/recruiter/candidates/export.csv").status_code in (302, 403)
    # Firm B's people are not in firm A's export.
    people(app, rec.firms.b, 1, name="Beta Person")
    table = parse(rec.client.get("/recruiter/candidates/export.csv"))
    assert "Beta Person" not in {row[1] for row in table}


def test_the_export_costs_the_same_sql_for_10_and_1000_rows(app, rec, count_queries):
    counts = []
    for n, prefix in ((10, "Few"), (990, "Many")):
        bulk_candidates(app, rec.f, n, prefix)
        with count_queries() as q:
            resp = rec.client.get("/recruiter/candidates/export.csv")
            rows = parse(resp)
        counts.append(q.count)
        assert len(rows) > n
    assert counts[0] == counts[1], counts


def test_100000_rows_stream_in_bounded_memory(app, rec):
    bulk_candidates(app, rec.f, 100_000)
    resp = rec.client.get("/recruiter/candidates/export.csv")
    assert resp.is_streamed and inspect.isgenerator(resp.response) or hasattr(resp.response, "__next__")
    size = rows = 0
    gc.collect()
    before = peak = rss_bytes()
    try:
        for piece in resp.response:  # the generator, piece by piece, as a server would send it
            size += len(piece)
            rows += piece.count(b"\r\n") if isinstance(piece, bytes) else piece.count("\r\n")
            peak = max(peak, rss_bytes())
    finally:
        resp.close()
    assert rows == 100_001 + 1  # the header, 100,000 people, and the firm's own candidate
    assert size > 8_000_000  # about 10 MB of CSV (100,000 rows as Python objects: ~100 MB) ...
    assert peak - before < 25_000_000, peak - before  # ... never held in memory at once


def test_a_skill_filter_applies_to_the_export(app, rec):
    from portal.services import skills

    people(app, rec.f, 1, name="Sam Skilled")
    people(app, rec.f, 1, name="Una Unskilled")
    with firm_context(app, rec.f.firm):
        sam = db.session.scalar(select(Candidate).where(Candidate.name == "Sam Skilled"))
        skills.set_candidate_skills(rec.f.firm, sam, ["Python"])
    table = parse(rec.client.get("/recruiter/candidates/export.csv?skills=Python"))
    assert [row[1] for row in table[1:]] == ["Sam Skilled"] and table[1][9] == "Python"
    assert parse(rec.client.get("/recruiter/candidates/export.csv?skills=Cobol"))[1:] == []
