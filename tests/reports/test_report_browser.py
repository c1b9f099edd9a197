"""The report in Chromium at 1280 px and 375 px: charts drawn, nothing wider than the phone,
screenshots saved (tests/artifacts/report-*.png; docs/screenshots holds the README's copies)."""

from __future__ import annotations

from portal.models import Firm
from portal.services import report_snapshots
from tests.factories import PASSWORD, firm_context
from tests.reports.fixture import NOW, build_fixture
from tests.support.fixtures.browser import screenshot


def test_report_at_desktop_and_phone_widths(app, live_server, browser):
    kiwi = build_fixture(app, slug="kiwishots")
    with firm_context(app, kiwi.firm) as s:
        report_snapshots.refresh(s.get(Firm, kiwi.firm.id), NOW)
    for width, height in ((1280, 900), (375, 812)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url(kiwi.firm, "/login"))
        page.fill("#email", kiwi.admin.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url(kiwi.firm, "/recruiter/reports?period=week"))
        assert page.locator("h1").inner_text() == "Promises report"
        assert page.locator("svg[role=img]").count() == 4
        box = page.locator("svg[role=img]").first.bounding_box()
        assert box is not None and 250 < box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"report-{width}")
        context.close()
