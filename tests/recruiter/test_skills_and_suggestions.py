"""Skills on searches and candidates (through the firm's vocabulary), the talent-pool skill
filter, and "Suggested from your talent pool" on the search page."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidacy, Candidate, Search
from portal.services import skills
from tests.factories import firm_context
from tests.recruiter.test_searches import FORM
from tests.support.recruiter import flashes, make_search, people


def _with_skills(app, f, candidate, names):
    with firm_context(app, f.firm):
        skills.set_candidate_skills(f.firm, db.session.get(Candidate, candidate.id), names)


def _search_skills(app, f, search, required, nice=()):
    with firm_context(app, f.firm):
        skills.set_search_skills(f.firm, db.session.get(Search, search.id), list(required), list(nice))


def test_search_form_takes_required_and_nice_skills(app, rec):
    resp = rec.client.post(
        "/recruiter/searches/new", data={**FORM, "required_skills": "python, JS", "nice_skills": "kubernetes, Python"}
    )
    assert resp.status_code == 303
    with firm_context(app, rec.f.firm):
        s = db.session.scalar(select(Search))
        got = sorted((link.skill.name, link.required) for link in s.skills)
    assert got == [("JavaScript", True), ("Kubernetes", False), ("Python", True)]
    page = rec.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "JavaScript" in page and "Kubernetes" in page
    edit = rec.client.get(f"/recruiter/searches/{s.id}/edit").get_data(as_text=True)
    assert 'value="JavaScript, Python"' in edit and 'value="Kubernetes"' in edit
    rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "required_skills": "Go", "nice_skills": ""})
    with firm_context(app, rec.f.firm):
        s = db.session.get(Search, s.id)
        assert [(link.skill.name, link.required) for link in s.skills] == [("Go", True)]


def test_candidate_form_takes_skills(app, rec):
    rec.client.post(
        "/recruiter/candidates/new",
        data={"name": "Sk Illed", "job_seeking": "open", "skills": "postgres, Python, python"},
    )
    with firm_context(app, rec.f.firm):
        c = db.session.scalar(select(Candidate).where(Candidate.name == "Sk Illed"))
        assert sorted(s.skill.name for s in c.skills) == ["PostgreSQL", "Python"]
    rec.client.post(
        f"/recruiter/candidates/{c.id}/edit", data={"name": "Sk Illed", "job_seeking": "open", "skills": "Python"}
    )
    with firm_context(app, rec.f.firm):
        assert [s.skill.name for s in db.session.get(Candidate, c.id).skills] == ["Python"]


def test_too_many_skills_is_a_clear_message(app, rec):
    many = ", ".join(f"Skill{i}" for i in range(40))
    resp = rec.client.post("/recruiter/candidates/new", data={"name": "Many", "job_seeking": "open", "skills": many})
    assert resp.status_code == 400 and "at most 30" in resp.get_data(as_text=True)


def test_talent_pool_skill_filter_understands_synonyms(app, rec):
    f = rec.f
    js, py, both = people(app, f, 3)
    _with_skills(app, f, js, ["JavaScript"])
    _with_skills(app, f, py, ["Python"])
    _with_skills(app, f, both, ["Python", "JavaScript"])
    import re

    def names(q):
        html = rec.client.get("/recruiter/candidates" + q).get_data(as_text=True)
        return sorted(re.findall(r'<a href="/recruiter/candidates/\d+"><strong>([^<]+)</strong>', html))

    assert names("?skills=js") == sorted([js.name, both.name])
    assert names("?skills=python,+javascript") == [both.name]
    assert names("?skills=js,+JavaScript") == sorted([js.name, both.name])
    assert names("?skills=cobol") == []


def test_suggestions_on_the_search_page_with_one_click_add(app, rec):
    f = rec.f
    s = make_search(app, f, title="Backend")
    _search_skills(app, f, s, ["Python", "PostgreSQL"], ["Kubernetes"])
    strong, weak, none = people(app, f, 3)
    _with_skills(app, f, strong, ["Python", "PostgreSQL"])
    _with_skills(app, f, weak, ["Kubernetes"])
    _with_skills(app, f, none, ["Figma"])
    html = rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)
    section = html[html.index('id="suggestions"') :]
    section = section[: section.index("</section>")]
    assert strong.name in section and weak.name in section and none.name not in section
    assert section.index(strong.name) < section.index(weak.name)
    assert "Required skills:" in section and "&#10003; PostgreSQL" in section
    resp = rec.client.post(
        f"/recruiter/searches/{s.id}/candidates",
        data={"candidate_id": strong.id, "stage": "identified", "next": f"/recruiter/searches/{s.id}#suggestions"},
        follow_redirects=True,
    )
    assert f"{strong.name} added to Backend" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        assert db.session.scalar(select(Candidacy.candidate_id)) == strong.id
    html = rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)
    section = html[html.index('id="suggestions"') :]
    assert f"Add {strong.name} to the pipeline" not in section


def test_search_page_with_suggestions_has_a_constant_query_count(app, rec, count_queries):
    f = rec.f
    s = make_search(app, f)
    _search_skills(app, f, s, ["Python"], ["SQL"])
    (first,) = people(app, f, 1)
    _with_skills(app, f, first, ["Python"])
    url = f"/recruiter/searches/{s.id}"
    rec.client.get(url)
    with count_queries() as one:
        html = rec.client.get(url).get_data(as_text=True)
    assert html.count("to the pipeline</button>") == 1
    for i, c in enumerate(people(app, f, 49)):
        _with_skills(app, f, c, ["Python", "SQL"] if i % 2 else ["SQL"])
    with count_queries() as fifty:
        html = rec.client.get(url).get_data(as_text=True)
    assert html.count("to the pipeline</button>") == 10
    assert fifty.count == one.count


def test_a_closed_search_suggests_nobody(app, rec):
    f = rec.f
    s = make_search(app, f)
    _search_skills(app, f, s, ["Python"])
    (c,) = people(app, f, 1)
    _with_skills(app, f, c, ["Python"])
    rec.client.post(
        f"/recruiter/searches/{s.id}/close", data={"state": "cancelled", "reason": "role_closed", "confirm": "1"}
    )
    html = rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)
    assert 'id="suggestions"' not in html
