"""Every candidate page runs a bounded number of SQL queries: the same with 1 and 50 rows."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.markdown import render_markdown
from portal.models import Candidacy, Candidate, Client, Feedback, Search, Stage
from portal.services import consent as consent_service
from portal.services import pipeline, skills
from tests.factories import firm_context, make_candidate
from tests.support.fixtures.clients import login_as

PAGES = [
    "/me/",
    "/me/feedback",
    "/me/consents",
    "/me/roles",
    "/me/profile",
    "/me/keep-in-touch",
    "/me/messages",
    "/me/settings",
    "/me/settings/my-data.json",
    "/me/settings/my-data.zip",
]


def _world(app, f, n):
    """A candidate in n searches (each with history, feedback, a consent and messages), and
    n further open roles that match their skills."""
    cand = make_candidate(app, f.firm, name=f"Busy {n}", owner=f.recruiter)
    with firm_context(app, f.firm):
        me = db.session.get(Candidate, cand.id)
        skills.set_candidate_skills(f.firm, me, ["Python", "SQL"])
        client = Client(firm_id=f.firm.id, name=f"Client {n}")
        db.session.add(client)
        db.session.flush()
        first = None
        for i in range(n):
            s = Search(
                firm_id=f.firm.id,
                client_id=client.id,
                title=f"Role {i}",
                owner_id=f.recruiter.id,
                confidential=i % 2 == 0,
            )
            db.session.add(s)
            db.session.flush()
            cy = pipeline.add_to_search(f.firm, f.recruiter, s, me, Stage.CONTACTED)
            pipeline.move(f.firm, f.recruiter, cy, Stage.SCREENING)
            db.session.add(
                Feedback(
                    firm_id=f.firm.id,
                    candidacy_id=cy.id,
                    author_id=f.recruiter.id,
                    body_md=f"fb {i}",
                    body_html=render_markdown(f"fb {i}"),
                )
            )
            c = consent_service.request_consent(f.firm, f.recruiter, cy)
            first = first or (cy.id, c.id)
            if i % 3 == 0:
                pipeline.close(f.firm, f.recruiter, cy, pipeline.CloseReason.NOT_A_FIT, "no")
            other = Search(firm_id=f.firm.id, client_id=client.id, title=f"Open {i}", owner_id=f.recruiter.id)
            db.session.add(other)
            db.session.flush()
            skills.set_search_skills(f.firm, other, ["Python"], ["SQL"])
    return cand, first


def _count(count_queries, client, path):
    with count_queries() as counter:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return counter.count


@pytest.mark.parametrize("n", [50])
def test_query_count_does_not_grow_with_data(app, firms, client_for, n, count_queries):
    f = firms.a
    small, small_ids = _world(app, f, 1)
    big, big_ids = _world(app, f, n)
    results = {}
    for who, (cand, ids) in (("small", (small, small_ids)), ("big", (big, big_ids))):
        c = client_for(f.firm)
        login_as(c, cand.login)
        pages = PAGES + [f"/me/searches/{ids[0]}", f"/me/consents/{ids[1]}"]
        c.get("/me/")  # warm-up (first request per client loads the session)
        results[who] = {
            p.replace(str(ids[0]), "<cy>").replace(str(ids[1]), "<consent>"): _count(count_queries, c, p) for p in pages
        }
    assert results["small"] == results["big"], results
    pages_only = {p: n for p, n in results["big"].items() if "/my-data." not in p}
    assert max(pages_only.values()) <= 20, results["big"]
    # The data export gathers every kind of data the firm holds (one statement per kind: the
    # conversation and its files, and survey answers, are the newest kinds).
    assert max(results["big"].values()) <= 23, results["big"]


def test_the_big_world_really_is_big(app, firms, client_for):
    """Guard against a query-count test that passes because the data was not there."""
    f = firms.a
    cand, _ = _world(app, f, 5)
    c = client_for(f.firm)
    login_as(c, cand.login)
    html = c.get("/me/").get_data(as_text=True)
    assert html.count('class="card search-card') == 5
    assert c.get("/me/feedback").get_data(as_text=True).count('class="card feedback"') == 5
    assert c.get("/me/roles").get_data(as_text=True).count("match-card") == 5
    with firm_context(app, f.firm):
        assert db.session.scalar(select(func.count()).select_from(Candidacy)) >= 5
