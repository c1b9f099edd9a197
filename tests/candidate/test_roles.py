"""Roles that may fit: matches with reasons, confidential clients hidden, "I'm interested"."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Audience, Candidate, Interest, Message, SearchState, Stage
from portal.services import skills
from tests.factories import firm_context
from tests.support import candidate as h


def _skills(app, f, candidate_id, names):
    with firm_context(app, f.firm):
        skills.set_candidate_skills(f.firm, db.session.get(Candidate, candidate_id), names)


def _role(app, f, title, required, client="Initech", **kw):
    s = h.make_search(app, f, title=title, client=client, **kw)
    with firm_context(app, f.firm):
        from portal.models import Search

        skills.set_search_skills(f.firm, db.session.get(Search, s.id), required, [])
    return s


def test_matching_roles_with_reasons_and_hidden_confidential_client(app, firms, cand_client):
    f = firms.a
    _skills(app, f, f.candidate.id, ["Python", "PostgreSQL"])
    _role(app, f, "Python Lead", ["Python", "Go"], client="Umbrella Secret", confidential=True)
    _role(app, f, "Rust Wizard", ["Rust"])
    _role(app, f, "Future Python Role", ["Python"], anticipated=True)
    _role(app, f, "Filled Python Role", ["Python"], state=SearchState.FILLED)
    html = cand_client.get("/me/roles").get_data(as_text=True)
    assert "Python Lead" in html and "Future Python Role" in html and "expected soon" in html
    assert "Rust Wizard" not in html and "Filled Python Role" not in html
    assert "Umbrella" not in html and "Confidential client" in html
    assert "Not on your profile yet" in html or "not on your profile yet" in html
    assert "I&#39;m interested" in html or "I'm interested" in html


def test_interest_is_recorded_once_and_tells_the_recruiter(app, firms, cand_client):
    f = firms.a
    _skills(app, f, f.candidate.id, ["Python"])
    s = _role(app, f, "Python Lead", ["Python"])
    resp = cand_client.post(f"/me/roles/{s.id}/interest", follow_redirects=True)
    assert resp.status_code == 200 and "We told your recruiter" in resp.get_data(as_text=True)
    again = cand_client.post(f"/me/roles/{s.id}/interest", follow_redirects=True)
    assert "already told us" in again.get_data(as_text=True)
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Interest)) == 1
        msgs = db.session.scalars(select(Message).where(Message.kind == "interest")).all()
        assert len(msgs) == 1 and msgs[0].audience == Audience.RECRUITER
        assert msgs[0].to_email == f.recruiter.email and f.candidate.name in msgs[0].subject
    html = cand_client.get("/me/roles").get_data(as_text=True)
    assert "You said you are interested" in html


def test_interest_in_a_closed_or_own_search_is_refused(app, firms, cand_client):
    f = firms.a
    closed = _role(app, f, "Closed Role", ["Python"], state=SearchState.CANCELLED)
    assert cand_client.post(f"/me/roles/{closed.id}/interest").status_code == 404
    mine = _role(app, f, "Mine", ["Python"])
    h.add(app, f, mine, f.candidate, Stage.SCREENING)
    resp = cand_client.post(f"/me/roles/{mine.id}/interest", follow_redirects=True)
    assert "already in this search" in resp.get_data(as_text=True)
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Interest)) == 0


def test_no_skills_explains_how_to_get_matches(app, firms, cand_client):
    html = cand_client.get("/me/roles").get_data(as_text=True)
    assert "No open roles match your profile right now" in html


def test_skills_on_the_profile_are_set_and_shown(app, firms, cand_client):
    from tests.candidate.test_profile import _form

    resp = cand_client.post("/me/profile", data=_form(skills="python, JS , Leadership,,"))
    assert resp.status_code == 303
    html = cand_client.get("/me/profile").get_data(as_text=True)
    assert "JavaScript, Leadership, Python" in html
    from portal.models import CandidateUpdate

    with firm_context(app, firms.a.firm):
        body = db.session.scalar(select(CandidateUpdate.body))
        assert "Skills:" in body
    too_many = ", ".join(f"skill{i}" for i in range(60))
    resp = cand_client.post("/me/profile", data=_form(skills=too_many))
    assert resp.status_code == 400 and "at most 40" in resp.get_data(as_text=True)
