"""The first demo candidate's screens on a phone (375x812, headless Chromium): the home page
starts with the to-do, each search card shows its stepper without sideways scrolling, and a
consent request reads as answered once answered (yes and no). Screenshots are saved under
tests/artifacts/candidate-screens-*.png to be looked at."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.fixtures.browser import screenshot

DEMO = SimpleNamespace(slug="demo")


def _sign_in(app, live_server, page, email):
    page.goto(live_server.url(DEMO, "/login"))
    page.fill("#email", email)
    page.fill("#password", app.config["DEMO_PASSWORD"])
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for ol in page.locator("ol.stepper").all():
        assert ol.evaluate("e => e.scrollWidth <= e.clientWidth")
        for li in ol.locator("li").all():
            box = li.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375


@pytest.mark.browser
def test_first_demo_candidate_on_a_phone(app, live_server, phone):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    page = phone
    _sign_in(app, live_server, page, "candidate@demo.example")

    # The to-do comes first, then the searches, each with its stepper.
    main = page.locator("main")
    todo = page.locator("#todo")
    assert todo.locator("h2").inner_text().startswith("To do")
    assert main.inner_text().index("To do") < main.inner_text().index("Your searches")
    assert page.locator("ol.stepper").count() >= 3
    current = [li.inner_text() for li in page.locator('ol.stepper li[aria-current="step"]').all()]
    assert any(c.startswith("Interviews") for c in current) and any(c.startswith("Ended") for c in current)
    _fits(page)
    screenshot(page, "candidate-screens-home")

    # The search page shows the same stepper.
    page.click("article.search-card h2 a >> nth=0")
    page.wait_for_url("**/me/searches/*")
    assert page.locator('ol.stepper li[aria-current="step"]').count() == 1
    _fits(page)
    screenshot(page, "candidate-screens-search")

    # Answer the consent from the to-do: the page then says what was decided and what next.
    page.goto(live_server.url(DEMO, "/me/"))
    todo.locator("a.button").first.click()
    page.wait_for_url("**/me/consents/*")
    assert "May we send your profile" in page.locator("h1").inner_text()
    _fits(page)
    screenshot(page, "candidate-screens-consent-asked")
    page.click("text=Yes, send my profile")
    page.wait_for_selector(".flash-success")
    assert page.locator("h1").inner_text().startswith("You said yes")
    body = main.inner_text()
    assert "What happens next" in body and "May we send" not in body
    _fits(page)
    screenshot(page, "candidate-screens-consent-approved")

    # Home: nothing left to do.
    page.goto(live_server.url(DEMO, "/me/"))
    assert "Nothing for you to do right now" in todo.inner_text()
    _fits(page)
    screenshot(page, "candidate-screens-home-done")


@pytest.mark.browser
def test_a_declined_consent_on_a_phone(app, live_server, phone):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    page = phone
    _sign_in(app, live_server, page, "candidate2@demo.example")
    page.locator("#todo a.button").first.click()
    page.wait_for_url("**/me/consents/*")
    page.click("text=No, do not send it")
    page.wait_for_selector(".flash-success")
    assert page.locator("h1").inner_text().startswith("You said no")
    assert "Changed your mind?" in page.locator("main").inner_text()
    _fits(page)
    screenshot(page, "candidate-screens-consent-declined")
