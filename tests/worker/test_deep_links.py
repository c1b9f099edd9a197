"""Every email deep-links (issue 15): each message kind, as the mail server received it (text
and HTML), links to its own page on the firm's host; that page answers the addressee, sends a
signed-out visitor to sign in and then back to it, and is a 404 for another candidate. The
links carry no credential: a forwarded email lets nobody in."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import Candidacy, Candidate, Firm, Search, Stage, User, utcnow
from portal.services import availability, cadence, cadence_digest, interest, keep_in_touch, nurture
from portal.services import feedback as feedback_service
from tests.factories import PASSWORD, firm_context, make_candidate
from tests.support import candidate as portal_data
from tests.support.fixtures.clients import login_as
from tests.worker.test_nurture import give_skills, role

HOST = "http://alpha.localhost"


def _role_url(app, firm, search_id: int) -> str:
    """A role's link: its own page once the product has one, else its card on the roles list."""
    from portal.outbox import links

    with firm_context(app, firm) as s:
        return links.role(s.get(Firm, firm.id), search_id)


def _mail_to(run_jobs, smtp_sink, to: str, before: int) -> tuple[str, str]:
    """Deliver what is queued; the one new email to `to`: (text part, HTML part)."""
    run_jobs()
    mails = [m for m in smtp_sink.messages[before:] if m.rcpt_tos == [to]]
    assert len(mails) == 1, [m.email["Subject"] for m in mails]
    email = mails[0].email
    return (
        email.get_body(preferencelist=("plain",)).get_content(),
        email.get_body(preferencelist=("html",)).get_content(),
    )


def _assert_links(text: str, html: str, url: str) -> None:
    """The page's URL on the firm's host, in the text and as the HTML's link (button)."""
    assert url.startswith(f"{HOST}/") and "?" not in url, "a plain page address, no token or parameter"
    assert url in text.split(), text
    assert f'href="{url}"' in html, html


def _follow(client_for, firm, user, url: str, other: User | None, private: bool) -> str:
    """The page answers its addressee; a signed-out visitor signs in and lands on it; another
    candidate of the firm gets a 404 where the page is someone's own (a consent, a search)."""
    parts = urlsplit(url)
    path = parts.path
    signed_out = client_for(firm)
    resp = signed_out.get(path)
    assert resp.status_code == 302
    login = urlsplit(resp.headers["Location"])
    assert login.path == "/login" and parse_qs(login.query)["next"] == [path]
    assert b"Sign in to see this page" in signed_out.get(resp.headers["Location"]).data
    landed = signed_out.post(resp.headers["Location"], data={"email": user.email, "password": PASSWORD})
    assert landed.status_code == 302 and landed.headers["Location"] == path
    page = signed_out.get(path)
    assert page.status_code == 200
    if parts.fragment:
        assert f'id="{parts.fragment}"'.encode() in page.data, "the anchor the link points to"
    if other is not None:
        stranger = client_for(firm)
        login_as(stranger, other)
        assert stranger.get(path).status_code == (404 if private else 200)
    return page.get_data(as_text=True)


@pytest.fixture
def setup(app, firms, run_jobs):
    """Firm A's candidate in a search (screening; that message sent), and another candidate
    of the same firm."""
    a = firms.a
    search = portal_data.make_search(app, a, title="Staff Engineer")
    cy = portal_data.add(app, a, search, a.candidate, Stage.SCREENING)
    other = make_candidate(app, a.firm, email="other@alpha.example", owner=a.recruiter)
    run_jobs()
    return a, search, cy, other.login


def test_consent_request_links_to_that_consent(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, cy, other = setup
    before = len(smtp_sink.messages)
    consent = portal_data.request_consent(app, a, cy.id)
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = f"{HOST}/me/consents/{consent.id}"
    _assert_links(text, html, url)
    page = _follow(client_for, a.firm, a.candidate_user, url, other, private=True)
    assert "Staff Engineer" in page


def test_stage_change_links_to_that_search(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, _cy, other = setup
    cy = portal_data.add(app, a, portal_data.make_search(app, a, title="Tech Lead"), a.candidate, Stage.CONTACTED)
    run_jobs()
    before = len(smtp_sink.messages)
    portal_data.move(app, a, cy.id, Stage.SCREENING)
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = f"{HOST}/me/searches/{cy.id}"
    _assert_links(text, html, url)
    _follow(client_for, a.firm, a.candidate_user, url, other, private=True)


def test_feedback_links_to_that_feedback(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, cy, other = setup
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        fb = feedback_service.post_feedback(
            s.get(Firm, a.firm.id), s.get(User, a.recruiter.id), s.get(Candidacy, cy.id), "You did *well*."
        )
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = f"{HOST}/me/searches/{cy.id}#feedback-{fb.id}"
    _assert_links(text, html, url)
    page = _follow(client_for, a.firm, a.candidate_user, url, other, private=True)
    assert "You did <em>well</em>." in page


def test_closed_candidacy_links_to_that_search(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, cy, other = setup
    before = len(smtp_sink.messages)
    portal_data.close(app, a, cy.id)
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = f"{HOST}/me/searches/{cy.id}"
    _assert_links(text, html, url)
    page = _follow(client_for, a.firm, a.candidate_user, url, other, private=True)
    assert "We needed more Go experience." in page


def test_checkin_links_to_the_candidates_home(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    now = utcnow()
    search = portal_data.make_search(app, a, title="Platform Lead")
    cy = portal_data.add(app, a, search, a.candidate, Stage.SCREENING)
    run_jobs()
    with firm_context(app, a.firm) as s:
        row = s.get(Candidacy, cy.id)
        row.created_at = row.stage_changed_at = now - timedelta(days=30)
        s.get(Candidate, a.candidate.id).last_contacted_at = None
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        assert cadence.plan_checkins(s.get(Firm, a.firm.id), now, horizon=now) == 1
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = f"{HOST}/me/"
    _assert_links(text, html, url)
    page = _follow(client_for, a.firm, a.candidate_user, url, None, private=False)
    assert "Platform Lead" in page


def test_role_suggestion_links_to_that_role(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    give_skills(app, a.firm, candidate=a.candidate, skills=["Python"])
    py = role(app, a.firm, "Python Developer", ["Python"])
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        assert nurture.plan_nurture(s.get(Firm, a.firm.id), utcnow()) == 1
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    url = _role_url(app, a.firm, py.id)
    assert url in (f"{HOST}/me/roles#role-{py.id}", f"{HOST}/me/roles/{py.id}")
    _assert_links(text, html, url)
    page = _follow(client_for, a.firm, a.candidate_user, url, None, private=False)
    assert "Python Developer" in page


def test_several_roles_each_link_to_their_own(app, firms, run_jobs, smtp_sink):
    a = firms.a
    give_skills(app, a.firm, candidate=a.candidate, skills=["Python", "SQL"])
    first = role(app, a.firm, "Python Developer", ["Python"])
    second = role(app, a.firm, "Data Engineer", ["SQL"])
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        nurture.plan_nurture(s.get(Firm, a.firm.id), utcnow())
    text, html = _mail_to(run_jobs, smtp_sink, a.candidate.email, before)
    for search in (first, second):
        _assert_links(text, html, _role_url(app, a.firm, search.id))
    _assert_links(text, html, f"{HOST}/me/roles")  # and the list of them all (the button)


def test_availability_prompt_links_to_the_availability_form(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    stale = make_candidate(app, a.firm, email="stale@alpha.example", created_at=utcnow() - timedelta(weeks=20))
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        assert nurture.plan_availability_prompts(s.get(Firm, a.firm.id), utcnow()) == 1
    text, html = _mail_to(run_jobs, smtp_sink, stale.email, before)
    url = f"{HOST}/me/profile#confirmed"
    _assert_links(text, html, url)
    _follow(client_for, a.firm, stale.login, url, None, private=False)


def test_a_forwarded_link_opens_nothing_on_another_firms_host(app, setup, client_for, run_jobs, smtp_sink, firms):
    """Firm B's candidate, signed in on firm B's host, following firm A's consent link there:
    nothing of firm A (the id belongs to another firm: 404)."""
    a, _search, cy, _other = setup
    consent = portal_data.request_consent(app, a, cy.id)
    b = client_for(firms.b.firm)
    login_as(b, firms.b.candidate_user)
    assert b.get(f"/me/consents/{consent.id}").status_code == 404
    assert b.get(f"/me/searches/{cy.id}").status_code == 404


# ---------------------------------------------------------------- recruiter emails


def _recruiter_sees(client_for, firm, recruiter, url: str) -> str:
    """A recruiter's link: signed out, the sign-in page (next = the page); signed in, the page."""
    path = urlsplit(url).path
    signed_out = client_for(firm).get(path)
    assert signed_out.status_code == 302
    assert parse_qs(urlsplit(signed_out.headers["Location"]).query)["next"] == [path]
    c = client_for(firm)
    login_as(c, recruiter)
    page = c.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_consent_answer_links_the_recruiter_to_the_candidacy(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, cy, _other = setup
    consent = portal_data.request_consent(app, a, cy.id)
    before = len(smtp_sink.messages)
    portal_data.approve(app, a, a.candidate, consent.id)
    text, html = _mail_to(run_jobs, smtp_sink, a.recruiter.email, before)
    url = f"{HOST}/recruiter/candidacies/{cy.id}"
    _assert_links(text, html, url)
    assert text.startswith(f"Hello {a.recruiter.name},") and f"Hello {a.recruiter.name}," in html  # as every email
    assert a.candidate.name in _recruiter_sees(client_for, a.firm, a.recruiter, url)


def test_candidate_updates_link_the_recruiter_to_the_candidate(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    url = f"{HOST}/recruiter/candidates/{a.candidate.id}"
    actions = (
        lambda f, c: keep_in_touch.send_update(f, c, "offer"),
        lambda f, c: keep_in_touch.refer(f, c, "Sam Friend", "sam@friend.example"),
        lambda f, c: availability._record_change(f, c, [availability.Change("Job-seeking", "(none)", "Open")]),
    )
    for action in actions:
        before = len(smtp_sink.messages)
        with firm_context(app, a.firm) as s:
            action(s.get(Firm, a.firm.id), s.get(Candidate, a.candidate.id))
        text, html = _mail_to(run_jobs, smtp_sink, a.recruiter.email, before)
        _assert_links(text, html, url)
    assert a.candidate.name in _recruiter_sees(client_for, a.firm, a.recruiter, url)


def test_interest_links_the_recruiter_to_the_dashboard_section(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    search = portal_data.make_search(app, a, title="Data Lead")
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        interest.express_interest(s.get(Firm, a.firm.id), s.get(Candidate, a.candidate.id), search.id)
    text, html = _mail_to(run_jobs, smtp_sink, a.recruiter.email, before)
    url = f"{HOST}/recruiter/#interests"
    _assert_links(text, html, url)
    assert 'id="interests"' in _recruiter_sees(client_for, a.firm, a.recruiter, url)


def test_digest_items_link_to_their_pages(app, setup, client_for, run_jobs, smtp_sink):
    a, _search, cy, _other = setup
    consent = portal_data.request_consent(app, a, cy.id)
    with firm_context(app, a.firm) as s:
        row = s.get(Candidacy, cy.id)
        row.stage_changed_at = utcnow() - timedelta(days=40)
        assert s.get(Search, row.search_id).owner_id == a.recruiter.id
    before = len(smtp_sink.messages)
    with firm_context(app, a.firm) as s:
        cadence_digest.plan_recruiter_digests(s.get(Firm, a.firm.id), utcnow())
    text, html = _mail_to(run_jobs, smtp_sink, a.recruiter.email, before)
    candidacy_url = f"{HOST}/recruiter/candidacies/{cy.id}"  # the overdue item and the pending consent
    _assert_links(text, html, candidacy_url)
    for section in ("overdue", "consents"):
        _assert_links(text, html, f"{HOST}/recruiter/#{section}")
    assert consent.id
    _recruiter_sees(client_for, a.firm, a.recruiter, candidacy_url)
