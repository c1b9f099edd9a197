"""Idempotent POSTs (a repeat gives the first answer, never a second object; the same key with a
different body is a 422 problem) and the per-key rate limit (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select

from portal.models import Candidate, IdempotentRequest, utcnow
from tests.factories import firm_context


def _count(app, firm, model) -> int:
    with firm_context(app, firm) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_repeated_post_gives_one_object(app, api_client, firms):
    api = api_client(firms.a)
    before = _count(app, firms.a.firm, Candidate)
    headers = {"Idempotency-Key": "create-ada-1"}
    first = api.post("/api/v1/candidates", json={"name": "Ada"}, headers=headers)
    second = api.post("/api/v1/candidates", json={"name": "Ada"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _count(app, firms.a.firm, Candidate) == before + 1
    # The same key with another body is refused; without a key, a POST makes a new object.
    other = api.post("/api/v1/candidates", json={"name": "Grace"}, headers=headers)
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert _count(app, firms.a.firm, Candidate) == before + 1


def test_idempotency_is_per_api_key_and_expires(app, api_client, firms):
    one, two = api_client(firms.a), api_client(firms.a)
    headers = {"Idempotency-Key": "same"}
    a = one.post("/api/v1/clients", json={"name": "Acme"}, headers=headers).get_json()
    b = two.post("/api/v1/clients", json={"name": "Acme Two"}, headers=headers).get_json()
    assert a["id"] != b["id"]
    with time_machine.travel(utcnow() + dt.timedelta(hours=25), tick=False):
        again = one.post("/api/v1/clients", json={"name": "Other"}, headers=headers)
        assert again.status_code == 201 and again.get_json()["name"] == "Other"
    assert _count(app, firms.a.firm, IdempotentRequest) == 2


def test_move_is_idempotent_too(app, api_client, firms):
    api = api_client(firms.a)
    search = api.post("/api/v1/searches", json={"title": "Role", "client_name": "Acme"}).get_json()
    cy = api.post("/api/v1/candidacies", json={"search_id": search["id"], "candidate_id": firms.a.candidate.id})
    cy = cy.get_json()
    body = {"stage": "contacted", "version": cy["version"]}
    headers = {"Idempotency-Key": "move-1"}
    first = api.post(f"/api/v1/candidacies/{cy['id']}/move", json=body, headers=headers)
    second = api.post(f"/api/v1/candidacies/{cy['id']}/move", json=body, headers=headers)
    assert first.status_code == second.status_code == 200 and first.get_json() == second.get_json()


def test_a_bad_idempotency_key_is_a_problem(api_client, firms):
    api = api_client(firms.a)
    for bad in ("", "x" * 201, "with space"):
        resp = api.post("/api/v1/clients", json={"name": "Acme"}, headers={"Idempotency-Key": bad})
        assert resp.status_code == 422 and resp.mimetype == "application/problem+json", bad


def test_rate_limit_per_key_with_retry_after(app, api_client, firms):
    app.config["RATELIMIT_API"] = "3 per minute"
    api, other = api_client(firms.a), api_client(firms.a)
    codes = [api.get("/api/v1/clients").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = api.get("/api/v1/clients")
    assert resp.status_code == 429 and resp.mimetype == "application/problem+json"
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    assert other.get("/api/v1/clients").status_code == 200  # per key, not per address
