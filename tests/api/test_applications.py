"""Applications from the careers site through the API: listed (by search), read one by one, only
with the applications scope; what an ATS pulls to follow new applicants."""

from __future__ import annotations

from tests.careers.helpers import advertised, form, post_apply


def test_applications_are_listed_and_read_with_their_scope(app, firms, client_for, api_client):
    f = firms.a
    search = advertised(app, f, title="Go Engineer")
    other = advertised(app, f, title="Data Engineer")
    visitor = client_for(f.firm)
    assert post_apply(visitor, search.id, form(email="ana@example.com", name="Ana Apply")).status_code == 303
    assert post_apply(visitor, other.id, form(email="ben@example.com", name="Ben Apply")).status_code == 303

    reader = api_client(f, scopes=["applications:read"])
    listed = reader.get(f"/api/v1/applications?search_id={search.id}")
    assert listed.status_code == 200, listed.get_json()
    (row,) = listed.get_json()["data"]
    assert row["search_id"] == search.id and row["source"] == "careers" and row["note"]
    one = reader.get(f"/api/v1/applications/{row['id']}")
    assert one.status_code == 200 and one.get_json()["candidate_id"] == row["candidate_id"]
    assert len(reader.get("/api/v1/applications").get_json()["data"]) == 2

    without = api_client(f, scopes=["candidates:read"])
    refused = without.get("/api/v1/applications")
    assert refused.status_code == 403 and refused.headers["Content-Type"].startswith("application/problem+json")
    # Another firm's key never sees them: its own (empty) list, and a 404 for this firm's id.
    stranger = api_client(firms.b, scopes=["applications:read"])
    assert stranger.get("/api/v1/applications").get_json()["data"] == []
    assert stranger.get(f"/api/v1/applications/{row['id']}").status_code == 404
