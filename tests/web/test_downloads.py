"""CVs and data exports are never kept by a browser or a shared cache (Trust item 4):
every download says `Cache-Control: no-store` and nothing that would allow storing it."""

from __future__ import annotations

from io import BytesIO

from tests.support.fixtures.clients import login_as

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _assert_no_store(resp, what):
    assert resp.status_code == 200, what
    directives = {d.strip().split("=")[0] for d in resp.headers.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, f"{what}: Cache-Control is {resp.headers.get('Cache-Control')!r}"
    assert not directives & {"public", "max-age", "s-maxage", "immutable"}, f"{what}: {resp.headers['Cache-Control']!r}"
    assert "attachment" in resp.headers["Content-Disposition"], what


def test_cv_and_export_downloads_are_no_store(client_for, firms):
    cand = client_for(firms.a.firm)
    login_as(cand, firms.a.candidate_user)
    resp = cand.post("/me/profile/cv", data={"cv": (BytesIO(PDF), "resume.pdf")}, content_type="multipart/form-data")
    assert resp.status_code in (302, 303)
    _assert_no_store(cand.get("/me/profile/cv"), "the candidate's own CV")
    _assert_no_store(cand.get("/me/settings/my-data.json"), "the JSON export")
    _assert_no_store(cand.get("/me/settings/my-data.zip"), "the ZIP export")
    staff = client_for(firms.a.firm)
    login_as(staff, firms.a.recruiter)
    _assert_no_store(staff.get(f"/recruiter/candidates/{firms.a.candidate.id}/cv"), "the recruiter's CV download")
