"""The careers site in headless Chromium at 375 px, with JavaScript off: find a job by filter
on the board, open it, and read it; no cookie is set, nothing is wider than the phone, and the
screenshots land in tests/artifacts/ (careers-board-375.png, careers-job-375.png)."""

from __future__ import annotations

import pytest

from portal.models import Firm, RemotePreference, Seniority
from tests.careers.support import advertise
from tests.factories import firm_context
from tests.support.fixtures.browser import screenshot
from tests.support.images import image_bytes
from tests.support.storage import set_stored_logo


@pytest.mark.browser
def test_find_a_job_by_filter_and_read_it_on_a_phone(app, firms, live_server, browser):
    f = firms.a.firm
    with firm_context(app) as s:
        firm = s.get(Firm, f.id)
        set_stored_logo(firm, image_bytes("PNG", (64, 64), colour=(20, 90, 60)), version=1)
        firm.primary_color, firm.accent_color = "#0b6e4f", "#b5461a"
        firm.welcome_md, firm.welcome_html = "x", "<p>Roles we are hiring for, for clients we know well.</p>"
    job = advertise(
        app, f, title="Senior Backend Engineer with a rather long title to wrap", client="Initech",
        location="Berlin, Germany", remote_policy=RemotePreference.HYBRID, seniority=Seniority.SENIOR,
        skills=["Python", "PostgreSQL", "Kubernetes"], pay_min=80000, pay_max=100000, publish_pay=True,
        description="Initech is rebuilding its **payments platform**.\n\n- Python and PostgreSQL\n- A small team",
        requirements="- 5+ years building backend services\n- Production PostgreSQL",
    )  # fmt: skip
    advertise(app, f, title="Chief Financial Officer", client="Globex", confidential=True,
              public_summary="A listed consumer-goods group in Munich", location="Munich, Germany",
              seniority=Seniority.EXECUTIVE, anticipated=True)  # fmt: skip
    advertise(app, f, title="Product Designer", client="Hooli", location="Amsterdam",
              remote_policy=RemotePreference.REMOTE, skills=["Figma"])  # fmt: skip

    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url(f, "/careers/"))
        assert page.locator("h1").inner_text() == "Jobs at Alpha Search"
        assert page.locator(".job-title").count() == 3
        page.fill("#q", "engineer")
        page.click(".more-filters > summary")
        page.select_option("#remote", "hybrid")
        page.click("button:has-text('Apply filters')")
        page.wait_for_load_state()
        assert "q=engineer" in page.url and page.locator(".job-title").count() == 1
        _fits(page)
        screenshot(page, "careers-board-375")
        page.click(f"a[href='/careers/jobs/{job.id}']")
        page.wait_for_load_state()
        assert "payments platform" in page.inner_text("main")
        assert (
            page.locator("a:has-text('Apply for this role')").get_attribute("href") == f"/careers/jobs/{job.id}/apply"
        )
        _fits(page)
        screenshot(page, "careers-job-375")
        assert context.cookies() == []
    finally:
        context.close()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide on a 375 px phone"
