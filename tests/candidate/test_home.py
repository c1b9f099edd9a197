"""My searches: stage in candidate words, history, last contact, recruiter, closed ones."""

from datetime import timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.models import CloseReason, Stage, StageChange, utcnow
from tests.factories import firm_context, make_candidate
from tests.support import candidate as h


def test_home_shows_each_search_in_candidate_words(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Platform Lead", location="Berlin")
    h.add(app, f, s, f.candidate, Stage.SCREENING)
    html = cand_client.get("/me/").get_data(as_text=True)
    assert "Platform Lead" in html and "Initech" in html and "Berlin" in html
    assert "Getting to know you" in html
    assert "Next, we decide together whether to put you forward." in html
    assert "Screening" not in html  # the internal word
    assert f.recruiter.name in html and f.recruiter.email in html
    assert "You last heard from us on" in html  # the stage message set last_contacted_at


def test_closed_candidacy_stays_with_reason_and_explanation(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f, title="Data Lead")
    cy = h.add(app, f, s, f.candidate, Stage.CONTACTED)
    h.close(app, f, cy.id, CloseReason.CLIENT_DECLINED, "They hired internally.")
    html = cand_client.get("/me/").get_data(as_text=True)
    assert "Data Lead" in html
    assert "This search has ended for you" in html
    assert "The client decided not to proceed" in html
    assert "They hired internally." in html
    assert "client_declined" not in html and "Client declined" not in html


def test_timeline_hides_undone_changes(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f)
    cy = h.add(app, f, s, f.candidate, Stage.CONTACTED)
    change = h.move(app, f, cy.id, Stage.SCREENING)
    with firm_context(app, f.firm):
        db.session.execute(update(StageChange).where(StageChange.id == change.id).values(undone_at=utcnow()))
        from portal.models import Candidacy

        db.session.get(Candidacy, cy.id).stage = Stage.CONTACTED
    html = cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True)
    timeline = html[html.index('class="timeline"') :]
    assert "We have been in touch" in timeline
    assert "Getting to know you" not in timeline
    # The stepper is back on the first step too ("Getting to know you" is only ahead).
    assert '<li class="step current" aria-current="step">In touch' in html


def test_timeline_lists_history_newest_first(app, firms, cand_client):
    f = firms.a
    s = h.make_search(app, f)
    cy = h.add(app, f, s, f.candidate, Stage.CONTACTED)
    h.move(app, f, cy.id, Stage.SCREENING)
    with firm_context(app, f.firm):
        rows = db.session.scalars(select(StageChange).where(StageChange.candidacy_id == cy.id)).all()
        rows[0].created_at = utcnow() - timedelta(days=3)
    html = cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True)
    timeline = html.split('class="timeline"')[1]
    assert timeline.index("Getting to know you") < timeline.index("We have been in touch")


def test_empty_home_explains(app, firms, cand_client):
    html = cand_client.get("/me/").get_data(as_text=True)
    assert "You are not in any search" in html


def test_candidate_without_profile_gets_a_plain_page(app, firms, client_for):
    from portal.models import Role
    from tests.factories import make_user
    from tests.support.fixtures.clients import login_as

    u = make_user(app, firms.a.firm, Role.CANDIDATE, email="lonely@alpha.example")
    c = client_for(firms.a.firm)
    login_as(c, u)
    resp = c.get("/me/")
    assert resp.status_code == 200 and "not ready yet" in resp.get_data(as_text=True)


def test_other_candidates_searches_never_show(app, firms, cand_client):
    f = firms.a
    other = make_candidate(app, f.firm, name="Zed Other")
    s = h.make_search(app, f, title="Hidden Role For Other")
    h.add(app, f, s, other, Stage.SCREENING)
    html = cand_client.get("/me/").get_data(as_text=True)
    assert "Hidden Role For Other" not in html
