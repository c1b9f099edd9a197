"""The API end to end on one firm: create a candidate, a search and a candidacy, move it with the
board's rules, read it back; lists page with a cursor; errors are problem details; no cookies."""

from __future__ import annotations

from portal.models import AuditEntry
from tests.factories import firm_context


def _candidate(c, **extra):
    resp = c.post("/api/v1/candidates", json={"name": "Ada Lovelace", "email": "ada@example.com", **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_create_read_and_list_a_candidate(api_client, firms):
    c = api_client(firms.a)
    made = _candidate(c, skills=["Python"], tags=["Backend"], availability={"notice_weeks": 4})
    assert made["skills"] == ["Python"] and made["tags"] == ["backend"] and made["availability"]["notice_weeks"] == 4
    got = c.get(f"/api/v1/candidates/{made['id']}")
    assert got.status_code == 200 and got.get_json()["email"] == "ada@example.com"
    assert "Set-Cookie" not in got.headers
    listed = c.get("/api/v1/candidates?limit=1")
    body = listed.get_json()
    assert listed.status_code == 200 and len(body["data"]) == 1 and body["next_cursor"]
    rest = c.get(f"/api/v1/candidates?limit=1&cursor={body['next_cursor']}").get_json()
    ids = {body["data"][0]["id"], *(row["id"] for row in rest["data"])}
    assert made["id"] in ids and firms.a.candidate.id in ids and rest["next_cursor"] is None


def test_the_pipeline_through_the_api(app, api_client, firms):
    app.config["GRACE_SECONDS"] = 300
    c = api_client(firms.a)
    cand = _candidate(c)
    search = c.post("/api/v1/searches", json={"title": "Data engineer", "client_name": "Initech"}).get_json()
    cy = c.post("/api/v1/candidacies", json={"search_id": search["id"], "candidate_id": cand["id"]})
    assert cy.status_code == 201, cy.get_json()
    cy = cy.get_json()
    moved = c.post(f"/api/v1/candidacies/{cy['id']}/move", json={"stage": "contacted", "version": cy["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["stage"] == "contacted" and moved.get_json()["version"] == cy["version"] + 1
    # A stale version is refused as on the board (409), and nothing moved.
    stale = c.post(f"/api/v1/candidacies/{cy['id']}/move", json={"stage": "screening", "version": cy["version"]})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    # Presenting needs the candidate's consent (the board's gate).
    version = moved.get_json()["version"]
    gate = c.post(f"/api/v1/candidacies/{cy['id']}/move", json={"stage": "presented", "version": version})
    assert gate.status_code == 422 and "consent" in gate.get_json()["detail"]
    undo = c.post(f"/api/v1/candidacies/{cy['id']}/undo")
    assert undo.status_code == 200, undo.get_json()
    assert undo.get_json()["stage"] == "identified"
    closed = c.post(
        f"/api/v1/candidacies/{cy['id']}/close",
        json={"reason": "not_a_fit", "explanation": "", "version": undo.get_json()["version"]},
    )
    assert closed.status_code == 200 and closed.get_json()["stage"] == "closed"
    with firm_context(app, firms.a.firm) as s:
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
        details = [e.details for e in s.query(AuditEntry) if e.action.startswith("api.")]
    assert "api.candidacy.moved" in actions and "api.candidacy.closed" in actions
    assert all(d["api_key"] == "Test key" for d in details)


def test_errors_are_problem_details(api_client, client_for, firms):
    c = api_client(firms.a)
    for resp, status in (
        (c.get("/api/v1/candidates/999999"), 404),
        (c.get("/api/v1/nowhere"), 404),
        (c.delete("/api/v1/candidates"), 405),
        (c.post("/api/v1/candidates", json={"name": 5}), 422),
        (c.post("/api/v1/candidates", data="not json", content_type="application/json"), 400),
        (c.get("/api/v1/candidates?limit=500"), 422),
        (c.get("/api/v1/candidates?cursor=%%%"), 422),
        (client_for(firms.a.firm).get("/api/v1/candidates"), 401),
    ):
        assert resp.status_code == status, (resp.request.path, resp.status_code, resp.get_data(as_text=True)[:300])
        body = resp.get_json(force=True)
        assert resp.mimetype == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    bad = c.post("/api/v1/candidates", json={"name": 5}).get_json()
    assert "name" in bad["errors"]


def test_openapi_document_and_reference_page(client_for, firms):
    c = client_for(firms.a.firm)
    spec = c.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"] == "3.1.0"
    assert "/api/v1/candidacies/{candidacy_id}/move" in spec.get_json()["paths"]
    page = c.get("/api/v1/docs")
    assert page.status_code == 200 and b"POST /api/v1/candidacies/{candidacy_id}/move" in page.data
    assert b"<script" not in page.data


def test_control_characters_in_json_are_dropped(api_client, firms):
    c = api_client(firms.a)
    resp = c.post("/api/v1/candidates", json={"name": "Nul\x00 Byte\x07", "tags": ["t\x00ag"]})
    assert resp.status_code == 201 and resp.get_json()["name"] == "Nul Byte" and resp.get_json()["tags"] == ["tag"]
    huge = c.post("/api/v1/candidates", json={"name": "x" * 20000})
    assert huge.status_code == 422 and "name" in huge.get_json()["errors"]
    script = c.post("/api/v1/candidates", json={"name": "<script>alert(1)</script>"})
    assert script.status_code == 422 and script.mimetype == "application/problem+json"
