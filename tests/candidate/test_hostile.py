"""Hostile input on every candidate form: overlong text, script, control characters.
Always a clear message or a safe store, never a 500, never half a change."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidate, CandidateUpdate, Consent, ConsentState, Message, Stage
from tests.candidate.test_profile import _form
from tests.factories import firm_context
from tests.support import candidate as h

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LONG = "w" * 20000


def _forms(consent_id):
    """(path, valid data, text fields) for every candidate form that takes text."""
    return [
        (
            "/me/profile",
            _form(),
            [
                "name",
                "phone",
                "headline",
                "location",
                "desired_roles",
                "desired_locations",
                "summary",
                "skills",
                "email",
            ],
        ),
        (f"/me/consents/{consent_id}", {"approve": "y", "comment": "ok"}, ["comment"]),
        ("/me/keep-in-touch/update", {"choice": "other", "text": "hello"}, ["text"]),
        (
            "/me/keep-in-touch/referral",
            {"name": "Robin", "email": "robin@example.com", "note": "n"},
            ["name", "email", "note"],
        ),
        ("/me/settings/delete", {"password": "not-it", "confirm": "y"}, ["password"]),
    ]


@pytest.fixture
def consent_id(app, firms):
    s = h.make_search(app, firms.a)
    cy = h.add(app, firms.a, s, firms.a.candidate, Stage.SCREENING)
    return h.request_consent(app, firms.a, cy.id).id


def _snapshot(app, f):
    with firm_context(app, f.firm):
        c = db.session.get(Candidate, f.candidate.id)
        return (
            c.name,
            c.email,
            c.summary,
            c.headline,
            c.availability_changed_at,
            c.deleted_at,
            len(db.session.scalars(select(CandidateUpdate)).all()),
            [x.state for x in db.session.scalars(select(Consent)).all()],
        )


def test_overlong_text_in_every_field_is_refused_whole(app, firms, cand_client, consent_id):
    before = _snapshot(app, firms.a)
    for path, valid, fields in _forms(consent_id):
        for name in fields:
            resp = cand_client.post(path, data={**valid, name: LONG})
            assert resp.status_code == 400, (path, name, resp.status_code)
            assert "at most" in resp.get_data(as_text=True), (path, name)
    assert _snapshot(app, firms.a) == before


def test_script_in_every_text_field_is_harmless(app, firms, cand_client, consent_id):
    for path, valid, fields in _forms(consent_id):
        if path.endswith("/delete"):
            continue
        data = dict(valid)
        for name in fields:
            if name != "email":
                data[name] = SCRIPT[:100] if name in ("phone",) else SCRIPT
        if path == "/me/profile":
            data["phone"] = "<b>1</b>"
        resp = cand_client.post(path, data=data)
        assert resp.status_code in (303, 400), (path, resp.status_code)
    for page in (
        "/me/",
        "/me/profile",
        f"/me/consents/{consent_id}",
        "/me/consents",
        "/me/keep-in-touch",
        "/me/messages",
        "/me/settings",
        "/me/feedback",
        "/me/roles",
    ):
        html = cand_client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, page
    with firm_context(app, firms.a.firm):
        # Stored as text (it is what they typed) ...
        assert db.session.get(Candidate, firms.a.candidate.id).summary == SCRIPT
        assert db.session.get(Consent, consent_id).state == ConsentState.APPROVED
        # ... and never live markup in an email to the recruiter.
        for m in db.session.scalars(select(Message)).all():
            assert "<script>alert" not in m.body_html and "<img src=x" not in m.body_html, m.kind


def test_control_characters_never_break_the_database(app, firms, cand_client, consent_id):
    nasty = "a\x00b\x07c\x1bd"
    resp = cand_client.post("/me/keep-in-touch/update", data={"choice": "other", "text": nasty})
    assert resp.status_code == 303
    resp = cand_client.post(f"/me/consents/{consent_id}", data={"decline": "y", "comment": nasty})
    assert resp.status_code == 303
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(CandidateUpdate.body)) == "abcd"
        assert db.session.get(Consent, consent_id).comment == "abcd"


def test_garbage_ids_and_methods(app, firms, cand_client):
    for path in ("/me/searches/abc", "/me/consents/-1", "/me/messages/99999999999999999999", "/me/roles/0/interest"):
        resp = cand_client.get(path) if "interest" not in path else cand_client.post(path)
        assert resp.status_code in (404, 405), path
    assert cand_client.get("/me/roles/1/interest").status_code == 405
