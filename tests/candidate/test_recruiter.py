"""One rule decides who the candidate's recruiter is: the search card, the home page and the
Keep-in-touch page name the same person, with their photo and short line."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Candidate, Stage, User
from portal.services import recruiter_profile
from tests.factories import firm_context, make_candidate, make_user
from tests.support import candidate as h
from tests.support.fixtures.clients import login_as
from tests.support.images import image_bytes


def _recruiter_line(html: str) -> str:
    start = html.index('class="recruiter')
    return html[start : html.index("</div>", start)]


def _second(app, f):
    return make_user(app, f.firm, email="second@alpha.example", name="Second Recruiter")


def test_card_home_and_keep_in_touch_name_the_same_recruiter(app, firms, cand_client):
    """The case that differed: the candidate's own recruiter is not the search's owner. The card
    named the search's owner and Keep in touch the candidate's own recruiter."""
    f = firms.a
    other = _second(app, f)
    s = h.make_search(app, f, title="Role Two", owner_id=other.id)
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    card = _recruiter_line(cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True))
    kit = _recruiter_line(cand_client.get("/me/keep-in-touch").get_data(as_text=True))
    home = _recruiter_line(cand_client.get("/me/").get_data(as_text=True))
    for html in (card, kit, home):
        assert "Second Recruiter" in html and f.recruiter.name not in html


def test_a_deactivated_search_owner_passes_to_the_candidates_own_recruiter_everywhere(app, firms, cand_client):
    """The other case that differed: the card showed no recruiter at all, Keep in touch the owner."""
    f = firms.a
    other = _second(app, f)
    s = h.make_search(app, f, title="Role Two", owner_id=other.id)
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    with firm_context(app, f.firm):
        db.session.get(User, other.id).active = False
    card = _recruiter_line(cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True))
    kit = _recruiter_line(cand_client.get("/me/keep-in-touch").get_data(as_text=True))
    assert f.recruiter.name in card and f.recruiter.name in kit and "Second Recruiter" not in card + kit


def test_a_candidate_with_no_own_recruiter_still_has_one_on_keep_in_touch(app, firms, client_for):
    f = firms.a
    other = _second(app, f)
    ownerless = make_candidate(app, f.firm)
    s = h.make_search(app, f, title="Role Two", owner_id=other.id)
    h.add(app, f, s, ownerless, Stage.SCREENING)
    c = client_for(f.firm)
    login_as(c, ownerless.login)
    assert "Second Recruiter" in _recruiter_line(c.get("/me/keep-in-touch").get_data(as_text=True))


def test_the_email_names_the_same_recruiter_as_the_card(app, firms, cand_client):
    from sqlalchemy import select

    from portal.models import Message

    f = firms.a
    other = _second(app, f)
    s = h.make_search(app, f, title="Role Two", owner_id=other.id)
    cy = h.add(app, f, s, f.candidate, Stage.CONTACTED)
    h.move(app, f, cy.id, Stage.SCREENING)
    with firm_context(app, f.firm):
        msg = db.session.scalars(select(Message).where(Message.kind == "stage_changed")).first()
        assert "Second Recruiter" in msg.body_text
    assert "Second Recruiter" in _recruiter_line(cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True))


def test_photo_and_line_are_shown_wherever_the_recruiter_is(app, firms, cand_client):
    f = firms.a
    with firm_context(app, f.firm):
        me = db.session.get(User, f.recruiter.id)
        recruiter_profile.set_photo(f.firm, me, image_bytes("PNG"))
        recruiter_profile.update_about(f.firm, me, "I place engineers in Berlin & answer within a day.")
    s = h.make_search(app, f, title="Role One")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    for path in ("/me/", f"/me/searches/{cy.id}", "/me/keep-in-touch"):
        html = _recruiter_line(cand_client.get(path).get_data(as_text=True))
        assert f"/people/{f.recruiter.id}/photo?v=1" in html, path
        assert "I place engineers in Berlin &amp; answer within a day." in html, path
    photo = cand_client.get(f"/people/{f.recruiter.id}/photo?v=1")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    with firm_context(app, f.firm):
        assert db.session.get(Candidate, f.candidate.id).owner_id == f.recruiter.id
