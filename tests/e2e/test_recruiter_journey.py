"""End to end in headless Chromium: a recruiter logs in, creates a search, adds a candidate,
requests consent, writes feedback, moves the card (drag and drop), closes the search."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidacy, Consent, Message, SearchState, Stage
from tests.factories import PASSWORD, firm_context
from tests.support.fixtures.browser import screenshot


@pytest.mark.browser
def test_recruiter_journey(app, firms, live_server, browser):
    f = firms.a
    app.config["GRACE_SECONDS"] = 300  # moves can be undone for five minutes
    url = lambda path: live_server.url(f.firm, path)  # noqa: E731
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(url("/login"))
        page.fill("#email", f.recruiter.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/recruiter/")
        assert page.locator("h1").inner_text() == "Needs attention"
        screenshot(page, "recruiter-dashboard")

        # Create a search.
        page.click("text=Searches")
        page.click("text=New search")
        page.fill("#title", "Staff Platform Engineer")
        page.fill("#client_name", "Initech")
        page.fill("#description_md", "Own the **platform**.\n\n- Kubernetes\n- Go")
        page.fill("#location", "Berlin")
        page.select_option("#remote_policy", "hybrid")
        page.fill("#pay_min", "90000")
        page.fill("#pay_max", "110000")
        screenshot(page, "recruiter-search-form")
        page.click("button:has-text('Create search')")
        page.wait_for_selector("text=Search “Staff Platform Engineer” created.")
        assert page.locator(".prose strong").first.inner_text() == "platform"
        screenshot(page, "recruiter-search-page")

        # Add the candidate from the talent pool, at "Screening".
        page.fill("#add-q", f.candidate.name)
        page.click("form.inline-search button")
        page.select_option(f"#stage-{f.candidate.id}", "screening")
        page.click("button:has-text('Add')")
        page.wait_for_selector(f"text={f.candidate.name} added to Staff Platform Engineer")
        assert "/board" in page.url

        # Moving to "Presented" without consent is refused, clearly.
        card = page.locator(".board-card").first
        card.locator("select[name=stage]").select_option("presented")
        card.locator("button:has-text('Move')").click()
        page.wait_for_selector(".flash-error")
        assert "has not approved sending their profile" in page.locator(".flash-error").inner_text()

        # Request consent from the candidacy page.
        page.click(f".board-card h3 a:has-text('{f.candidate.name}')")
        page.click("button:has-text('Request consent')")
        page.wait_for_selector("text=Consent requested")
        assert "Consent asked" in page.locator("#consent").inner_text()
        screenshot(page, "recruiter-candidacy-consent-asked")

        # Write feedback: preview first (server-side), then post.
        page.get_by_label("Feedback for the candidate").fill("Thank you for a **great** first call.")
        page.click("button[value=preview]")
        page.wait_for_selector(".preview strong")
        assert page.locator(".preview strong").inner_text() == "great"
        screenshot(page, "recruiter-feedback-preview")
        page.click("button[value=post]")
        page.wait_for_selector("text=Feedback posted")

        # The candidate says yes (in their portal).
        with firm_context(app, f.firm):
            consent = db.session.scalar(select(Consent))
            from portal.services import consent as consent_service

            consent_service.answer_consent(f.firm, f.candidate, consent.id, approve=True)
            cid = db.session.scalar(select(Candidacy.id))
            search_id = db.session.scalar(select(Candidacy.search_id))

        # Drag the card to "Presented to client" (board.js submits the card's move form).
        page.goto(url(f"/recruiter/searches/{search_id}/board"))
        page.drag_and_drop(f"#card-{cid}", ".column[data-stage=presented]", source_position={"x": 4, "y": 4})
        page.wait_for_selector("text=moved to “Presented to client”")
        assert page.locator(f".column[data-stage=presented] #card-{cid}").count() == 1
        assert page.locator(".undo-banner button:has-text('Undo')").count() == 1
        assert page.locator("main").inner_text().count("moved to “Presented to client”") == 1  # said once
        screenshot(page, "recruiter-board-after-drag")

        # The same board on a phone.
        phone = browser.new_context(
            viewport={"width": 375, "height": 812}, storage_state=context.storage_state()
        ).new_page()
        phone.goto(url(f"/recruiter/searches/{search_id}/board"))
        assert phone.locator(f"#card-{cid}").is_visible()
        wide = phone.evaluate(
            """() => Array.from(document.querySelectorAll("body *")).filter(e => !e.closest(".board .column") && e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, wide
        screenshot(phone, "recruiter-board-375px")
        phone.context.close()

        # Close the search: every open candidacy is closed and the candidate told.
        page.goto(url(f"/recruiter/searches/{search_id}"))
        page.select_option("#state", "cancelled")
        page.select_option("#reason", "role_closed")
        page.fill("#explanation", "The client has paused hiring for this role.")
        # First who reads what (nothing is sent yet), then the confirmation.
        page.click("button:has-text('Preview who is told what')")
        page.wait_for_selector("text=Who will read what")
        screenshot(page, "recruiter-search-close-preview")
        page.click("button:has-text('Confirm: close the search')")
        page.wait_for_selector("text=Search closed as cancelled")
        screenshot(page, "recruiter-search-closed")
        assert not errors, errors
    finally:
        context.close()
    with firm_context(app, f.firm):
        cy = db.session.get(Candidacy, cid)
        assert cy.stage == Stage.CLOSED
        assert db.session.get(type(cy.search), search_id).state == SearchState.CANCELLED
        kinds = [m.kind for m in db.session.scalars(select(Message).where(Message.candidacy_id == cid))]
        assert "consent_requested" in kinds and "feedback_posted" in kinds and "candidacy_closed" in kinds


@pytest.mark.browser
def test_demo_recruiter_screens(app, live_server, browser):
    """The demo data on the recruiter's pages, at desktop and phone width (README screenshots)."""
    from portal.devtools.demo import load_demo
    from portal.models import Firm, Search
    from portal.tenancy import as_firm

    with app.app_context():
        load_demo()
        demo = db.session.scalar(select(Firm).where(Firm.slug == "demo"))
        with as_firm(demo.id):
            backend = db.session.scalar(select(Search.id).where(Search.title == "Senior Backend Engineer"))
            alex_cy = db.session.scalar(
                select(Candidacy.id).where(Candidacy.search_id == backend).order_by(Candidacy.id).offset(2).limit(1)
            )
        db.session.remove()
    for width, suffix in ((1280, ""), (375, "-375px")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url(demo, "/login"))
        page.fill("#email", "recruiter@demo.example")
        page.fill("#password", app.config["DEMO_PASSWORD"])
        page.click("button[type=submit]")
        page.wait_for_url("**/recruiter/")
        assert "Liam O'Brien" in page.locator("#overdue").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"recruiter-demo-dashboard{suffix}")
        page.goto(live_server.url(demo, f"/recruiter/searches/{backend}/board"))
        # Six at every open stage, Alex (the first demo login) and Priya, who applied on the careers site.
        assert page.locator(".board-card").count() == 8
        screenshot(page, f"recruiter-demo-board{suffix}")
        page.goto(live_server.url(demo, "/recruiter/candidates"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"recruiter-demo-talent-pool{suffix}")
        page.goto(live_server.url(demo, f"/recruiter/candidacies/{alex_cy}"))
        screenshot(page, f"recruiter-demo-candidacy{suffix}")
        context.close()
