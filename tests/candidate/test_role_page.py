"""Each suggested role has its own page: description, requirements, location, pay, why it fits
and "I'm interested". Only roles the matching service suggests to this candidate are reachable;
a confidential client is never named."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidate, Interest, Search, SearchState, Seniority, Stage
from portal.services import skills
from tests.factories import firm_context
from tests.support import candidate as h


def _skills(app, f, names):
    with firm_context(app, f.firm):
        skills.set_candidate_skills(f.firm, db.session.get(Candidate, f.candidate.id), names)


def _role(app, f, title, required, nice=(), **kw):
    s = h.make_search(app, f, title=title, **kw)
    with firm_context(app, f.firm):
        skills.set_search_skills(f.firm, db.session.get(Search, s.id), list(required), list(nice))
    return s


def test_the_page_shows_the_description_requirements_pay_and_why_it_fits(app, firms, cand_client):
    f = firms.a
    _skills(app, f, ["Python", "PostgreSQL"])
    s = _role(
        app,
        f,
        "Python Lead",
        ["Python", "Go"],
        nice=["PostgreSQL"],
        description_md="You will lead a **small team** building payments.",
        requirements_md="- Five years of backend work",
        location="Berlin",
        pay_min=80000,
        pay_max=95000,
        seniority=Seniority.LEAD,
    )
    roles = cand_client.get("/me/roles").get_data(as_text=True)
    assert f'href="/me/roles/{s.id}"' in roles
    resp = cand_client.get(f"/me/roles/{s.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<h1" in html and "Python Lead" in html
    assert "<strong>small team</strong>" in html and "Five years of backend work" in html
    assert "Skills needed:</strong> Go, Python" in html and "Nice to have:</strong> PostgreSQL" in html
    assert "Berlin" in html and "80,000 – 95,000 EUR a year" in html and "Lead" in html
    assert "Why it may fit you" in html and "Not on your profile yet: Go." in html
    assert "I&#39;m interested" in html or "I'm interested" in html
    resp = cand_client.post(f"/me/roles/{s.id}/interest", data={"next": f"/me/roles/{s.id}"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/me/roles/{s.id}")  # back on the role
    page = cand_client.get(f"/me/roles/{s.id}").get_data(as_text=True)
    assert "You said you are interested" in page and "We told your recruiter you are interested" in page


def test_roles_not_suggested_closed_on_hold_or_already_theirs_are_404(app, firms, cand_client):
    f = firms.a
    _skills(app, f, ["Python"])
    unrelated = _role(app, f, "Rust Wizard", ["Rust"])
    filled = _role(app, f, "Filled Python Role", ["Python"], state=SearchState.FILLED)
    cancelled = _role(app, f, "Cancelled Python Role", ["Python"], state=SearchState.CANCELLED)
    on_hold = _role(app, f, "Held Python Role", ["Python"], state=SearchState.ON_HOLD)
    mine = _role(app, f, "My Python Role", ["Python"])
    h.add(app, f, mine, f.candidate, Stage.SCREENING)
    suggested = _role(app, f, "Open Python Role", ["Python"])
    assert cand_client.get(f"/me/roles/{suggested.id}").status_code == 200  # the control
    for s in (unrelated, filled, cancelled, on_hold, mine):
        assert cand_client.get(f"/me/roles/{s.id}").status_code == 404, s.title
    assert cand_client.get("/me/roles/999999").status_code == 404


def test_a_role_that_closes_stops_being_reachable(app, firms, cand_client):
    f = firms.a
    _skills(app, f, ["Python"])
    s = _role(app, f, "Python Role", ["Python"])
    assert cand_client.get(f"/me/roles/{s.id}").status_code == 200
    with firm_context(app, f.firm):
        db.session.get(Search, s.id).state = SearchState.FILLED
    assert cand_client.get(f"/me/roles/{s.id}").status_code == 404


def test_another_firms_role_is_404(app, firms, cand_client):
    _skills(app, firms.a, ["Python"])
    b = firms.b
    with firm_context(app, b.firm):
        skills.set_candidate_skills(b.firm, db.session.get(Candidate, b.candidate.id), ["Python"])
    theirs = _role(app, b, "Beta Python Role", ["Python"])
    assert cand_client.get(f"/me/roles/{theirs.id}").status_code == 404
    assert cand_client.post(f"/me/roles/{theirs.id}/interest").status_code == 404
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(func.count()).select_from(Interest)) == 0


def test_a_confidential_client_is_never_named(app, firms, cand_client):
    f = firms.a
    _skills(app, f, ["Python"])
    with firm_context(app, f.firm):
        from portal.models import Client

        db.session.add(Client(firm_id=f.firm.id, name="Umbrella Secret", aliases="UMBR Corp"))
    s = _role(
        app,
        f,
        "Python Lead",
        ["Python"],
        client="Umbrella Secret",
        confidential=True,
        client_wording="a leading pharma group",
        description_md="Umbrella Secret is growing. Join [UMBR Corp](https://www.umbrella-secret.example) in Berlin.",
        requirements_md="Experience like Umbrella Secret's own platform team.",
    )
    html = cand_client.get(f"/me/roles/{s.id}").get_data(as_text=True)
    assert "Confidential client" in html and "A leading pharma group is growing." in html
    lowered = html.lower()
    assert "umbrella" not in lowered and "umbr" not in lowered
