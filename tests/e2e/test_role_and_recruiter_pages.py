"""In headless Chromium: a role's own page from the roles list, and the recruiter's photo and
line on the candidate's pages, at 375 px and 1280 px (screenshots in tests/artifacts/)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Candidate, Search, Stage, User
from portal.services import recruiter_profile, skills
from tests.factories import PASSWORD, firm_context
from tests.support import candidate as h
from tests.support.fixtures.browser import screenshot
from tests.support.images import image_bytes


def _world(app, f):
    with firm_context(app, f.firm):
        rec = db.session.get(User, f.recruiter.id)
        rec.name = "Riley Recruiter"
        recruiter_profile.set_photo(f.firm, rec, image_bytes("PNG", (500, 500), colour=(40, 90, 160)))
        recruiter_profile.update_about(f.firm, rec, "I place backend engineers in Berlin and answer within a day.")
        skills.set_candidate_skills(f.firm, db.session.get(Candidate, f.candidate.id), ["Python", "PostgreSQL"])
    mine = h.make_search(app, f, title="Senior Backend Engineer", location="Berlin")
    h.add(app, f, mine, f.candidate, Stage.SCREENING)
    role = h.make_search(
        app,
        f,
        title="Python Tech Lead",
        client="Hooli",
        location="Berlin",
        pay_min=90000,
        pay_max=110000,
        description_md="Lead a team of five building **payments**.\n\n- Own the architecture\n- Mentor two juniors",
        requirements_md="Five years of backend work, some of it leading people.",
    )
    with firm_context(app, f.firm):
        skills.set_search_skills(f.firm, db.session.get(Search, role.id), ["Python", "PostgreSQL"], ["Kubernetes"])
    return role


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_role_page_and_recruiter_photo(app, firms, live_server, browser, width):
    f = firms.a
    role = _world(app, f)
    context = browser.new_context(viewport={"width": width, "height": 812 if width == 375 else 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url(f.firm, "/login"))
        page.fill("#email", f.candidate.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/me/")
        photo = page.locator(".recruiter img.recruiter-photo").first
        assert photo.evaluate("img => img.complete && img.naturalWidth") == recruiter_profile.PHOTO_STORED_SIDE
        assert "answer within a day" in page.locator(".recruiter").first.inner_text()
        screenshot(page, f"candidate-home-recruiter-{width}")

        page.goto(live_server.url(f.firm, "/me/roles"))
        page.click(f"a[href='/me/roles/{role.id}'] >> nth=0")
        page.wait_for_url(f"**/me/roles/{role.id}")
        main = page.locator("main").inner_text()
        for text in (
            "Python Tech Lead",
            "Lead a team of five",
            "Five years of backend work",
            "90,000",
            "Why it may fit",
        ):
            assert text in main, text
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"candidate-role-{width}")
        page.click('button:has-text("I\'m interested")')
        page.wait_for_selector(".flash-success")

        page.goto(live_server.url(f.firm, "/me/keep-in-touch"))
        assert "Riley Recruiter" in page.locator(".recruiter").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"candidate-keep-in-touch-{width}")
    finally:
        context.close()
