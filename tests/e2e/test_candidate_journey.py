"""The candidate's journey on a phone (375x812, headless Chromium): sign in, read where they
stand and the feedback, approve a consent request, say "I'm interested", update availability."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidate,
    CandidateUpdate,
    CloseReason,
    Consent,
    ConsentState,
    Interest,
    JobSeeking,
    RemotePreference,
    Search,
    Stage,
    User,
)
from portal.services import skills
from tests.factories import PASSWORD, firm_context
from tests.support import candidate as h
from tests.support.fixtures.browser import open_menu, screenshot


def _world(app, f):
    with firm_context(app, f.firm):
        me = db.session.get(Candidate, f.candidate.id)
        me.name = "Alex Morgan"
        db.session.get(User, f.recruiter.id).name = "Riley Recruiter"
        skills.set_candidate_skills(f.firm, me, ["Python", "PostgreSQL"])
    s1 = h.make_search(
        app, f, title="Senior Backend Engineer", client="Initech", location="Berlin", pay_min=80000, pay_max=95000
    )
    cy1 = h.add(app, f, s1, f.candidate, Stage.CONTACTED)
    h.move(app, f, cy1.id, Stage.SCREENING)
    h.feedback(app, f, cy1.id, md="Thanks for the call! The team liked your **PostgreSQL** experience.")
    consent = h.request_consent(app, f, cy1.id)
    s2 = h.make_search(
        app,
        f,
        title="Platform Lead",
        client="Umbrella",
        confidential=True,
        location="Amsterdam",
        remote_policy=RemotePreference.HYBRID,
    )
    cy2 = h.add(app, f, s2, f.candidate, Stage.SCREENING)
    c2 = h.request_consent(app, f, cy2.id)
    h.approve(app, f, f.candidate, c2.id)
    h.move(app, f, cy2.id, Stage.PRESENTED)
    h.move(app, f, cy2.id, Stage.INTERVIEWING)
    s3 = h.make_search(app, f, title="Data Engineer", client="Globex", location="Munich")
    cy3 = h.add(app, f, s3, f.candidate, Stage.CONTACTED)
    h.close(app, f, cy3.id, CloseReason.ROLE_CLOSED, "The client paused hiring for this team.")
    role = h.make_search(app, f, title="Python Tech Lead", client="Hooli", location="Berlin")
    with firm_context(app, f.firm):
        skills.set_search_skills(f.firm, db.session.get(Search, role.id), ["Python", "PostgreSQL"], ["Kubernetes"])
    return consent, role


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
def test_candidate_journey_on_a_phone(app, firms, live_server, phone):
    f = firms.a
    consent, role = _world(app, f)
    page = phone

    # Sign in.
    page.goto(live_server.url(f.firm, "/login"))
    page.fill("#email", f.candidate.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")

    # Where they stand, in plain words; the confidential client is not named.
    assert page.locator("h1").inner_text() == "Hello, Alex"
    body = page.locator("main").inner_text()
    for text in (
        "Senior Backend Engineer",
        "Getting to know you",
        "Interviewing",
        "This search has ended for you",
        "The role was closed",
        "The client paused hiring",
        "Riley Recruiter",
        "We need your answer",
    ):
        assert text in body, text
    assert "Umbrella" in body  # revealed: they were asked for consent for it
    for code in ("screening", "role_closed", "presented", "Presented to client"):
        assert code not in body, code
    _no_sideways_scroll(page)

    # Touch targets: the navigation (behind "Menu" on a phone) and main buttons are big enough for a thumb.
    open_menu(page)
    for el in page.locator(".main-nav a").all() + page.locator("main .button").all():
        box = el.bounding_box()
        assert box and box["height"] >= 40, el.inner_text()

    # Feedback.
    open_menu(page)
    page.click(".main-nav >> text=Feedback")
    page.wait_for_url("**/me/feedback")
    assert "The team liked your PostgreSQL experience." in page.locator("main").inner_text()
    assert page.locator("main strong", has_text="PostgreSQL").count() == 1  # Markdown rendered
    _no_sideways_scroll(page)

    # Approve the consent request, with the role's details shown first.
    open_menu(page)
    page.click(".main-nav >> text=My searches")
    page.click(".attention a.button")
    page.wait_for_url(f"**/me/consents/{consent.id}")
    details = page.locator("main").inner_text()
    assert "Initech" in details and "Berlin" in details and "80,000" in details
    screenshot(page, "candidate-consent")
    page.fill("#comment", "Happy to go ahead.")
    page.click("text=Yes, send my profile")
    page.wait_for_selector(".flash-success")
    assert "You said yes" in page.locator("main").inner_text()
    _no_sideways_scroll(page)

    # A role that may fit: "I'm interested".
    open_menu(page)
    page.click(".main-nav >> text=Roles for you")
    page.wait_for_url("**/me/roles")
    card = page.locator("article.match-card", has_text="Python Tech Lead")
    assert "Required skills" in card.inner_text() and "Python" in card.inner_text()  # the reasons
    screenshot(page, "candidate-roles")
    card.locator("button", has_text="I'm interested").click()
    page.wait_for_selector(".flash-success")
    assert "You said you are interested" in page.locator("article.match-card", has_text="Python Tech Lead").inner_text()
    _no_sideways_scroll(page)

    # Update availability.
    open_menu(page)
    page.click(".main-nav >> text=Profile")
    page.wait_for_url("**/me/profile")
    page.check("input[name=job_seeking][value=active]")
    when = date.today() + timedelta(days=45)
    page.fill("#available_from", when.isoformat())
    page.fill("#notice_weeks", "4")
    screenshot(page, "candidate-profile")
    page.click("text=Save my profile")
    page.wait_for_selector(".flash-success")
    assert "Your recruiter can see the change now" in page.locator(".flashes").inner_text()
    _no_sideways_scroll(page)

    with firm_context(app, f.firm):
        me = db.session.get(Candidate, f.candidate.id)
        assert me.job_seeking == JobSeeking.ACTIVE and me.available_from == when and me.notice_weeks == 4
        assert db.session.get(Consent, consent.id).state == ConsentState.APPROVED
        assert db.session.scalar(select(Interest).where(Interest.search_id == role.id)) is not None
        assert db.session.scalar(select(CandidateUpdate)) is not None

    # The home page, for the README.
    open_menu(page)
    page.click(".main-nav >> text=My searches")
    page.wait_for_url("**/me/")
    assert page.locator(".attention").count() == 0  # nothing waits for an answer any more
    screenshot(page, "candidate-home")
