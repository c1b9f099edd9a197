"""Hostile input: 20,000 characters or <script> in any field of any recruiter form gives a clear
message, never a 500, and stores nothing (the whole database is compared before and after)."""

import io

import pytest
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Stage, StageChange
from tests.factories import firm_context
from tests.support.recruiter import add, make_search, people

LONG = "x" * 20_000
SCRIPT = "<script>alert(1)</script>"
ERROR_MARKERS = ('class="error"', 'class="error-summary"', 'class="flash flash-error"')

SEARCH = {
    "title": "Role",
    "client_name": "Client",
    "confidential": "y",
    "description_md": "d",
    "requirements_md": "r",
    "required_skills": "",
    "nice_skills": "",
    "seniority": "senior",
    "location": "Berlin",
    "remote_policy": "remote",
    "pay_min": "1",
    "pay_max": "2",
    "pay_currency": "EUR",
    "engagement": "retained",
    "owner_id": "",
    "state": "open",
    "anticipated": "",
}
CANDIDATE = {
    "name": "N",
    "email": "n@example.com",
    "phone": "1",
    "headline": "h",
    "location": "l",
    "seniority": "mid",
    "job_seeking": "open",
    "summary": "s",
    "skills": "",
    "tags": "t",
    "owner_id": "",
    "note": "n",
}


def _dump(app) -> dict:
    """Every row of every table."""
    with app.app_context():
        out = {}
        with db.engine.connect().execution_options(all_firms=True) as conn:  # the test reads every firm
            for table in db.metadata.sorted_tables:
                rows = conn.execute(table.select()).all()
                out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
        return out


@pytest.fixture
def world(app, rec):
    f = rec.f
    s = make_search(app, f)
    (c,) = people(app, f, 1, email="c@example.com")
    cy = add(app, f, s, f.candidate, Stage.CONTACTED)
    with firm_context(app, f.firm):
        change = db.session.scalar(select(StageChange.id).where(StageChange.candidacy_id == cy.id))
    return {"s": s, "c": c, "cy": cy, "change": change}


def _forms(w):
    s, c, cy = w["s"], w["c"], w["cy"]
    return [
        ("/recruiter/searches/new", SEARCH),
        (f"/recruiter/searches/{s.id}/edit", SEARCH),
        (f"/recruiter/searches/{s.id}/close", {"state": "filled", "reason": "role_closed", "explanation": "e"}),
        ("/recruiter/candidates/new", CANDIDATE),
        (f"/recruiter/candidates/{c.id}/edit", {**CANDIDATE, "email": c.email}),
        (f"/recruiter/candidates/{c.id}/notes", {"body": "b"}),
        (f"/recruiter/candidacies/{cy.id}/notes", {"body": "b"}),
        (f"/recruiter/candidacies/{cy.id}/feedback", {"body": "b", "action": "post"}),
        (f"/recruiter/candidacies/{cy.id}/move", {"stage": "screening", "version": cy.version}),
        (f"/recruiter/candidacies/{cy.id}/close", {"reason": "not_a_fit", "explanation": "e", "version": cy.version}),
        (f"/recruiter/candidacies/{cy.id}/undo", {"change_id": w["change"]}),
        (f"/recruiter/searches/{s.id}/candidates", {"candidate_id": c.id, "stage": "identified"}),
        (f"/recruiter/candidates/{c.id}/searches", {"search_id": s.id, "stage": "identified"}),
        ("/recruiter/candidates/import/confirm", {"payload": "bmFtZQpBCg=="}),
    ]


PLUMBING = {"action"}  # which submit button was pressed (anything but "post" previews, storing nothing)


@pytest.mark.parametrize("bad", [LONG, SCRIPT], ids=["20000-chars", "script"])
def test_every_field_of_every_form(app, rec, world, bad):
    before = _dump(app)
    tried = 0
    for url, base in _forms(world):
        for field in base:
            if field in PLUMBING:
                continue
            resp = rec.client.post(url, data={**base, field: bad}, follow_redirects=True)
            body = resp.get_data(as_text=True)
            assert resp.status_code in (200, 400), (url, field, resp.status_code)
            assert any(m in body for m in ERROR_MARKERS), (url, field)
            assert SCRIPT not in body, (url, field)
            tried += 1
            after = _dump(app)
            changed = [t for t in before if before[t] != after[t]]
            assert not changed, (url, field, changed)
    assert tried >= 50


def test_plumbing_fields_and_filters_never_fail(app, rec, world):
    cy, s = world["cy"], world["s"]
    for bad in (LONG, SCRIPT):
        resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "ok", "action": bad})
        assert resp.status_code == 200 and "Preview" in resp.get_data(as_text=True)
        resp = rec.client.post(
            f"/recruiter/candidacies/{cy.id}/notes", data={"body": "fine", "next": bad}, follow_redirects=True
        )
        assert resp.status_code == 200 and SCRIPT not in resp.get_data(as_text=True)
        for url in ("/recruiter/searches", "/recruiter/candidates", f"/recruiter/searches/{s.id}/add", "/recruiter/"):
            for param in (
                "q",
                "state",
                "owner",
                "client",
                "tags",
                "skills",
                "seeking",
                "location",
                "stage",
                "silent",
                "after",
                "scope",
            ):
                resp = rec.client.get(url, query_string={param: bad})
                assert resp.status_code == 200, (url, param)
                assert SCRIPT not in resp.get_data(as_text=True)


def test_hostile_csv_rows_are_named_and_nothing_is_imported(app, rec):
    before = _dump(app)
    content = (
        f"name,email,location\nFine,fine@example.com,Berlin\n{LONG},long@example.com,x\n{SCRIPT},s@example.com,x\n"
    )
    resp = rec.client.post(
        "/recruiter/candidates/import",
        data={"file": (io.BytesIO(content.encode()), "x.csv")},
        content_type="multipart/form-data",
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "rows 3, 4" in body and SCRIPT not in body
    assert _dump(app) == before


def test_hostile_cv_file_name_is_sanitised(app, rec, world):
    c = world["c"]
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/cv/upload",
        data={"cv": (io.BytesIO(b"%PDF-1.4\n%%EOF"), f"{SCRIPT}{'a' * 300}.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert resp.status_code == 200 and SCRIPT not in resp.get_data(as_text=True)
    with app.app_context():
        with db.engine.connect().execution_options(all_firms=True) as conn:  # the test reads every firm
            name = conn.execute(text("SELECT cv_filename FROM candidates WHERE id = :i"), {"i": c.id}).scalar()
    assert "<" not in name and len(name) <= 200 and name.endswith(".pdf")
