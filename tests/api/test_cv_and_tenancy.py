"""CVs through the API (their own scope: upload checked by content, download as an attachment),
and the API's share of the cross-firm rule: tests/core/test_tenancy.py drives every id route of
the URL map, the API's included (with a firm-A key of every scope); here, that it does cover them."""

from __future__ import annotations

import io

from tests.core.test_tenancy import _id_rules, _is_api_rule

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_cv_upload_and_download_need_the_cv_scope(api_client, firms):
    cid = firms.a.candidate.id
    api = api_client(firms.a)
    assert api.get(f"/api/v1/candidates/{cid}/cv").status_code == 404
    bad = api.put(f"/api/v1/candidates/{cid}/cv", data={"file": (io.BytesIO(b"MZ\x90 not a pdf"), "cv.pdf")})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    missing = api.put(f"/api/v1/candidates/{cid}/cv", data={})
    assert missing.status_code == 422
    up = api.put(f"/api/v1/candidates/{cid}/cv", data={"file": (io.BytesIO(PDF), "Ada <script>.pdf")})
    assert up.status_code == 200, up.get_json()
    assert up.get_json()["has_cv"] is True
    down = api.get(f"/api/v1/candidates/{cid}/cv")
    assert down.status_code == 200 and down.data == PDF
    assert down.headers["Content-Disposition"].startswith("attachment")
    no_cv_scope = api_client(firms.a, ["candidates:write"])
    assert no_cv_scope.get(f"/api/v1/candidates/{cid}/cv").status_code == 403
    assert no_cv_scope.put(f"/api/v1/candidates/{cid}/cv", data={"file": (io.BytesIO(PDF), "a.pdf")}).status_code == 403
    other = api_client(firms.b)
    assert other.get(f"/api/v1/candidates/{cid}/cv").status_code == 404
    assert other.put(f"/api/v1/candidates/{cid}/cv", data={"file": (io.BytesIO(PDF), "a.pdf")}).status_code == 404


def test_the_cross_firm_test_covers_every_api_id_route(app):
    api_rules = {r.endpoint for r in _id_rules(app) if _is_api_rule(r)}
    assert {"api.CandidateItem", "api.candidacy_move", "api.consent_item", "api.interview_item"} <= api_rules
    assert len(api_rules) >= 14


def test_foreign_ids_in_a_body_are_404(api_client, firms):
    api = api_client(firms.a)
    resp = api.post("/api/v1/candidacies", json={"search_id": 2**31 - 1, "candidate_id": firms.b.candidate.id})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
