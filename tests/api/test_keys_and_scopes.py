"""API keys: the secret is shown once and stored hashed; rotated and revoked keys stop; a key
works only on its own firm's host; scopes are enforced (a read key cannot write; no notes
without the notes scope, not even inside an interview); last use is recorded at most once a
minute; every key change is in the audit log."""

from __future__ import annotations

import hashlib
import re

import time_machine
from sqlalchemy import select

from portal.models import ApiKey, AuditEntry, Interview, InterviewFormat, InterviewKind, Note, utcnow
from tests.factories import firm_context
from tests.support.fixtures.api import READ
from tests.support.fixtures.clients import login_as


def _admin_page(client_for, ns):
    c = client_for(ns.firm)
    login_as(c, ns.admin)
    return c


def _csrf(page) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()


def test_admin_creates_a_key_shown_once_and_stored_hashed(app, client_for, firms):
    c = _admin_page(client_for, firms.a)
    page = c.get("/admin/api-keys")
    assert page.status_code == 200
    resp = c.post(
        "/admin/api-keys",
        data={"csrf_token": _csrf(page), "name": "ATS sync", "scopes": ["candidates:read", "notes:read"]},
    )
    assert resp.status_code == 200
    token = re.search(rb'id="api-key-secret">(pk_[^<]+)<', resp.data).group(1).decode()
    assert "Set-Cookie" not in resp.headers or token not in resp.headers["Set-Cookie"]
    again = c.get("/admin/api-keys")
    assert token.encode() not in again.data and b"ATS sync" in again.data
    with firm_context(app, firms.a.firm) as s:
        key = s.scalar(select(ApiKey).where(ApiKey.name == "ATS sync"))
        assert key.secret_hash == hashlib.sha256(token.split("_", 2)[2].encode()).hexdigest()
        assert token not in repr(key.__dict__)
        assert key.scopes == ["candidates:read", "notes:read"]
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "api_key.created" in actions
    api = client_for(firms.a.firm)
    assert api.get("/api/v1/candidates", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_bad_key_forms_are_refused_on_the_form(client_for, firms):
    c = _admin_page(client_for, firms.a)
    token = _csrf(c.get("/admin/api-keys"))
    for data in (
        {"name": "", "scopes": ["candidates:read"]},
        {"name": "x"},
        {"name": "<script>x</script>", "scopes": ["candidates:read"]},
        {"name": "y" * 20000, "scopes": ["candidates:read"]},
        {"name": "z", "scopes": ["root:write"]},
        {"name": "n\x00ul", "scopes": ["candidates:read"]},
    ):
        resp = c.post("/admin/api-keys", data={"csrf_token": token, **data})
        assert resp.status_code in (200, 400), data
        assert b"api-key-secret" not in resp.data or data["name"] == "n\x00ul"


def test_rotated_and_revoked_keys_stop_working(app, api_client, client_for, firms):
    api = api_client(firms.a)
    old = api.token
    assert api.get("/api/v1/candidates").status_code == 200
    admin = _admin_page(client_for, firms.a)
    with firm_context(app, firms.a.firm) as s:
        key_id = s.scalar(select(ApiKey.id))
    resp = admin.post(f"/admin/api-keys/{key_id}/rotate", data={"csrf_token": _csrf(admin.get("/admin/api-keys"))})
    assert resp.status_code == 200
    new = re.search(rb'id="api-key-secret">(pk_[^<]+)<', resp.data).group(1).decode()
    assert new != old
    assert api.get("/api/v1/candidates").status_code == 401
    api.token = new
    assert api.get("/api/v1/candidates").status_code == 200
    resp = admin.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": _csrf(admin.get("/admin/api-keys"))})
    assert resp.status_code == 303
    resp = api.get("/api/v1/candidates")
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    with firm_context(app, firms.a.firm) as s:
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert {"api_key.rotated", "api_key.revoked"} <= set(actions)


def test_a_key_works_only_on_its_own_firms_host(api_client, client_for, firms):
    api = api_client(firms.a)
    other = client_for(firms.b.firm)
    resp = other.get("/api/v1/candidates", headers={"Authorization": f"Bearer {api.token}"})
    assert resp.status_code == 401
    for bad in (
        "",
        "Bearer",
        "Bearer nonsense",
        "Basic abc",
        f"Bearer {api.token}x",
        "Bearer pk__",
        "Bearer pk_" + "a" * 5000,
    ):
        assert client_for(firms.a.firm).get("/api/v1/candidates", headers={"Authorization": bad}).status_code == 401


def test_a_read_key_cannot_write(api_client, firms):
    api = api_client(firms.a, READ)
    assert api.get("/api/v1/candidates").status_code == 200
    cid = firms.a.candidate.id
    for resp in (
        api.post("/api/v1/candidates", json={"name": "New"}),
        api.patch(f"/api/v1/candidates/{cid}", json={"name": "Changed"}),
        api.post(f"/api/v1/candidates/{cid}/notes", json={"body_md": "x"}),
        api.post("/api/v1/clients", json={"name": "Acme"}),
        api.post("/api/v1/searches", json={"title": "T", "client_name": "C"}),
    ):
        assert resp.status_code == 403 and resp.mimetype == "application/problem+json", resp.get_json()


def test_a_key_without_the_notes_scope_never_sees_a_note(app, api_client, firms):
    with firm_context(app, firms.a.firm) as s:
        s.add(Note(candidate_id=firms.a.candidate.id, body_md="SECRET-NOTE", body_html="<p>SECRET-NOTE</p>"))
        s.add(
            Interview(
                candidate_id=firms.a.candidate.id,
                kind=InterviewKind.RECRUITER_SCREEN,
                format=InterviewFormat.PHONE,
                internal_notes="SECRET-NOTE in an interview",
            )
        )
    no_notes = [s for s in READ if not s.startswith("notes:")]
    api = api_client(firms.a, no_notes)
    cid = firms.a.candidate.id
    assert api.get(f"/api/v1/candidates/{cid}/notes").status_code == 403
    seen = "".join(
        api.get(path).get_data(as_text=True)
        for path in ("/api/v1/candidates", f"/api/v1/candidates/{cid}", "/api/v1/interviews", "/api/v1/messages")
    )
    assert "SECRET-NOTE" not in seen and "internal_notes" not in seen
    api_notes = api_client(firms.a, READ)
    assert "SECRET-NOTE" in api_notes.get(f"/api/v1/candidates/{cid}/notes").get_data(as_text=True)
    assert "SECRET-NOTE in an interview" in api_notes.get("/api/v1/interviews").get_data(as_text=True)
    # Writing a note inside a candidate needs notes:write too.
    writer = api_client(firms.a, [s for s in ("candidates:write",)])
    assert writer.post("/api/v1/candidates", json={"name": "X", "note": "hidden"}).status_code == 403


def test_last_use_is_recorded_at_most_once_a_minute(app, api_client, firms, count_queries):
    api = api_client(firms.a)
    with time_machine.travel(utcnow(), tick=False):
        api.get("/api/v1/clients")
        with firm_context(app, firms.a.firm) as s:
            first = s.scalar(select(ApiKey.last_used_at))
        assert first is not None
        with count_queries() as q:
            api.get("/api/v1/clients")
        assert not [st for st in q.statements if st.lstrip().upper().startswith("UPDATE")]


def test_the_keys_page_sends_the_same_statements_for_1_and_50_keys(app, api_key, client_for, firms, count_queries):
    c = _admin_page(client_for, firms.a)
    counts = []
    for n in (1, 49):
        for i in range(n):
            api_key(firms.a, ["clients:read"], name=f"Key {n}-{i}")
        c.get("/admin/api-keys")
        with count_queries() as q:
            page = c.get("/admin/api-keys")
        assert page.status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts
