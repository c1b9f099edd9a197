"""My data: the export holds the profile and never notes; deletion erases the person."""

import io
import json
import zipfile
from io import BytesIO

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Audience,
    AuditEntry,
    Candidacy,
    Candidate,
    CandidateTag,
    CandidateUpdate,
    CloseReason,
    Consent,
    Feedback,
    Interest,
    Message,
    MessageState,
    Note,
    Stage,
    User,
)
from tests.factories import PASSWORD, firm_context, make_candidate
from tests.support import candidate as h
from tests.support.fixtures.clients import login_as
from tests.support.storage import stored


def _setup(app, f, cand_client):
    s = h.make_search(app, f, title="Export Role")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    h.feedback(app, f, cy.id, md="EXPORTED-FEEDBACK")
    h.note(app, f, f.candidate.id, cy.id, md="INTERNAL-NOTE-SECRET")
    consent = h.request_consent(app, f, cy.id)
    cand_client.post(f"/me/consents/{consent.id}", data={"approve": "y", "comment": "MY-CONSENT-COMMENT"})
    cand_client.post(
        "/me/profile/cv", data={"cv": (BytesIO(h.PDF_BYTES), "resume.pdf")}, content_type="multipart/form-data"
    )
    cand_client.post("/me/keep-in-touch/update", data={"choice": "offer", "text": "MY-UPDATE-TEXT"})
    other = make_candidate(app, f.firm, name="Other Person Name")
    h.add(app, f, s, other, Stage.SCREENING)
    return s, cy, consent


def test_export_has_the_profile_and_never_notes_or_others(app, firms, cand_client):
    f = firms.a
    _setup(app, f, cand_client)
    resp = cand_client.get("/me/settings/my-data.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.data)
    assert data["profile"]["email"] == f.candidate.email and data["profile"]["name"] == f.candidate.name
    assert data["searches"][0]["role"] == "Export Role" and data["searches"][0]["status"] == "Getting to know you"
    assert data["feedback"][0]["text"] == "EXPORTED-FEEDBACK"
    assert data["consents"][0]["your_comment"] == "MY-CONSENT-COMMENT"
    assert any("Export Role" in m["subject"] for m in data["messages"])
    assert any(u["text"].endswith("MY-UPDATE-TEXT") for u in data["updates_you_sent"])
    raw = resp.get_data(as_text=True)
    assert "INTERNAL-NOTE-SECRET" not in raw and "Other Person Name" not in raw
    assert "screening" not in raw  # internal stage codes stay internal


def test_zip_has_json_and_cv(app, firms, cand_client):
    _setup(app, firms.a, cand_client)
    resp = cand_client.get("/me/settings/my-data.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(resp.data)) as zf:
        assert sorted(zf.namelist()) == ["cv/resume.pdf", "my-data.json"]
        assert zf.read("cv/resume.pdf") == h.PDF_BYTES
        assert b"INTERNAL-NOTE-SECRET" not in zf.read("my-data.json")


def test_notes_appear_nowhere_in_the_portal(app, firms, cand_client):
    f = firms.a
    s, cy, _consent = _setup(app, f, cand_client)
    paths = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("candidate.") and "GET" in r.methods and "<" not in r.rule
    ]
    paths += [f"/me/searches/{cy.id}", "/me/messages?page=1"]
    for path in paths:
        resp = cand_client.get(path)
        assert resp.status_code in (200, 404), path
        assert b"INTERNAL-NOTE-SECRET" not in resp.data, path


def test_delete_needs_password_and_confirmation(app, firms, cand_client):
    resp = cand_client.post("/me/settings/delete", data={"password": "wrong-password", "confirm": "y"})
    assert resp.status_code == 400 and "password is not right" in resp.get_data(as_text=True)
    resp = cand_client.post("/me/settings/delete", data={"password": PASSWORD})
    assert resp.status_code == 400 and "tick the box" in resp.get_data(as_text=True)
    with firm_context(app, firms.a.firm):
        assert db.session.get(Candidate, firms.a.candidate.id).deleted_at is None


def test_delete_erases_personal_data_closes_candidacies_and_tells_the_recruiter(
    app, firms, cand_client, client_for, auth
):
    f = firms.a
    s, cy, consent = _setup(app, f, cand_client)
    with firm_context(app, f.firm):
        c = db.session.get(Candidate, f.candidate.id)
        c.phone, c.summary = "+49 111", "MY-SUMMARY"
        db.session.add(CandidateTag(firm_id=f.firm.id, candidate_id=c.id, name="python"))
        cv_file = c.cv_path
        db.session.add(Interest(firm_id=f.firm.id, candidate_id=c.id, search_id=s.id))
    assert stored(app, f.firm, cv_file)
    closed_before = None
    with firm_context(app, f.firm):
        closed_before = db.session.scalar(
            select(func.count()).select_from(Message).where(Message.kind == "candidacy_closed")
        )
    resp = cand_client.post("/me/settings/delete", data={"password": PASSWORD, "confirm": "y"})
    assert resp.status_code == 200 and "Your account is deleted" in resp.get_data(as_text=True)
    assert not stored(app, f.firm, cv_file)
    with firm_context(app, f.firm):
        c = db.session.get(Candidate, f.candidate.id)
        assert c.deleted_at is not None and c.name == "Deleted candidate"
        for attr in ("email", "phone", "summary", "headline", "location", "cv_path", "cv_filename", "user_id"):
            assert getattr(c, attr) is None, attr
        assert c.skills == [] and c.tags == []
        u = db.session.get(User, f.candidate_user.id)
        assert not u.active and u.name == "Deleted candidate" and f.candidate.email not in u.email
        assert u.password_hash is None
        row = db.session.get(Candidacy, cy.id)
        assert row.stage == Stage.CLOSED and row.close_reason == CloseReason.WITHDREW
        assert db.session.get(Consent, consent.id).comment is None
        assert db.session.scalar(select(Note).where(Note.candidate_id == c.id)) is None
        assert db.session.scalar(select(Feedback).where(Feedback.candidacy_id == cy.id)) is None
        assert db.session.scalar(select(Interest).where(Interest.candidate_id == c.id)) is None
        # No close-the-loop email to the erased address; the recruiter is told instead.
        assert (
            db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "candidacy_closed"))
            == closed_before
        )
        told = db.session.scalars(select(Message).where(Message.kind == "account_deleted")).all()
        assert [m.to_email for m in told] == [f.recruiter.email]
        assert "Export Role" in told[0].body_text and f.candidate.name not in told[0].body_text
        # Nothing in the database still holds their name, address, or what they wrote.
        for m in db.session.scalars(select(Message)).all():
            for secret in (f.candidate.email, f.candidate.name, "MY-UPDATE-TEXT", "MY-CONSENT-COMMENT"):
                assert secret not in (m.to_email or "") + (m.to_name or "") + m.subject + m.body_text + m.body_html, (
                    m.kind,
                    secret,
                )
            if m.candidate_id == c.id:
                assert m.state != MessageState.PENDING
        for up in db.session.scalars(select(CandidateUpdate)).all():
            assert "MY-UPDATE-TEXT" not in up.body
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "candidate.deleted")).all()
        assert len(audit) == 1 and audit[0].details == {"candidate_id": c.id}
        assert f.candidate.name not in json.dumps(audit[0].details) + (audit[0].target or "")
    # Signed out, and the login no longer works.
    assert cand_client.get("/me/").status_code == 302
    again = client_for(f.firm)
    assert auth(again).login(f.candidate.email, PASSWORD).status_code == 400
    # Messages to recruiters about others are untouched.
    with firm_context(app, f.firm):
        assert (
            db.session.scalar(select(func.count()).select_from(Message).where(Message.audience == Audience.RECRUITER))
            >= 1
        )


def test_delete_leaves_other_candidates_alone(app, firms, cand_client, client_for):
    f = firms.a
    other = make_candidate(app, f.firm, name="Still Here", phone="+1 555")
    s = h.make_search(app, f)
    ocy = h.add(app, f, s, other, Stage.SCREENING)
    h.add(app, f, s, f.candidate, Stage.SCREENING)
    cand_client.post("/me/settings/delete", data={"password": PASSWORD, "confirm": "y"})
    with firm_context(app, f.firm):
        o = db.session.get(Candidate, other.id)
        assert o.name == "Still Here" and o.phone == "+1 555" and o.deleted_at is None
        assert db.session.get(Candidacy, ocy.id).stage == Stage.SCREENING
    c2 = client_for(f.firm)
    login_as(c2, other.login)
    assert c2.get("/me/").status_code == 200
