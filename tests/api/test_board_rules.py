"""An API move follows the board's rules because it calls the same service: the consent gate
and the version check refuse it as they refuse a board move (same words), and once the
candidate approves, both may present."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Candidacy, Stage
from tests.factories import firm_context
from tests.support.recruiter import add, approve_consent, flashes, make_search, people


def _version(app, f, cid) -> int:
    with firm_context(app, f.firm):
        return db.session.get(Candidacy, cid).version


def test_consent_gate_refuses_an_api_move_as_it_refuses_a_board_move(app, rec, api_client):
    api = api_client(rec.f)
    s = make_search(app, rec.f)
    board_cy, api_cy = (add(app, rec.f, s, p, Stage.SCREENING) for p in people(app, rec.f, 2))
    board = rec.client.post(
        f"/recruiter/candidacies/{board_cy.id}/move",
        data={"stage": "presented", "version": board_cy.version},
        follow_redirects=True,
    )
    assert "has not approved sending their profile" in flashes(board.get_data(as_text=True))
    resp = api.post(f"/api/v1/candidacies/{api_cy.id}/move", json={"stage": "presented", "version": api_cy.version})
    assert resp.status_code == 422 and "has not approved sending their profile" in resp.get_json()["detail"]
    assert resp.mimetype == "application/problem+json"
    with firm_context(app, rec.f.firm):
        assert db.session.get(Candidacy, api_cy.id).stage == Stage.SCREENING
    # The candidate says yes: the API may present, like the board.
    approve_consent(app, rec.f, api_cy)
    version = _version(app, rec.f, api_cy.id)
    ok = api.post(f"/api/v1/candidacies/{api_cy.id}/move", json={"stage": "presented", "version": version})
    assert ok.status_code == 200 and ok.get_json()["stage"] == "presented"


def test_version_check_refuses_a_stale_api_move_as_on_the_board(app, rec, api_client):
    api = api_client(rec.f)
    s = make_search(app, rec.f)
    cy = add(app, rec.f, s, people(app, rec.f, 1)[0], Stage.CONTACTED)
    seen = cy.version
    board = rec.client.post(
        f"/recruiter/candidacies/{cy.id}/move", data={"stage": "screening", "version": seen}, follow_redirects=True
    )
    assert "moved to" in flashes(board.get_data(as_text=True))
    stale = api.post(f"/api/v1/candidacies/{cy.id}/move", json={"stage": "identified", "version": seen})
    assert stale.status_code == 409 and "Someone else changed" in stale.get_json()["detail"]
    with firm_context(app, rec.f.firm):
        assert db.session.get(Candidacy, cy.id).stage == Stage.SCREENING
    stale_close = api.post(
        f"/api/v1/candidacies/{cy.id}/close", json={"reason": "withdrew", "explanation": "", "version": seen}
    )
    assert stale_close.status_code == 409
