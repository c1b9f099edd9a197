"""Two-factor on a phone (375 px, headless Chromium, no JavaScript needed): a recruiter of a
firm that requires it is sent to enrolment at sign-in, scans nothing (types the key shown as
text), keeps the recovery codes, signs out, and signs in again with a code. Each step's page
passes axe-core (these pages are not reached by the accessibility crawl's logins)."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine

from portal.models import Firm, utcnow
from tests.e2e.test_accessibility import AXE_JS, AXE_RUN, STRUCTURE
from tests.factories import PASSWORD, firm_context
from tests.support.fixtures.browser import open_menu, screenshot


@pytest.fixture(scope="module")
def axe_source():
    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed (run `npm ci`; `make test` does)")
    return AXE_JS.read_text(encoding="utf-8")


def _axe_clean(page, axe_source) -> None:
    """The crawl's structure checks (one h1, error summaries linking their fields...) and axe-core."""
    assert page.evaluate(STRUCTURE) == [], page.url
    page.evaluate(axe_source)
    violations = page.evaluate(AXE_RUN)
    assert violations == [], violations


def _submit(page) -> None:
    """Click the form's button and wait for the answer: a form posting to its own address
    keeps the URL, so without this the next check can read the page mid-navigation."""
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _sign_in(page, live_server, firm, email):
    page.goto(live_server.url(firm, "/login"))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    _submit(page)


@pytest.mark.browser
def test_enrol_at_sign_in_then_sign_in_with_a_code_on_a_phone(app, browser, firms, live_server):
    f = firms.a
    with firm_context(app, f.firm) as s:
        s.get(Firm, f.firm.id).require_two_factor = True
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        _sign_in(page, live_server, f.firm, f.recruiter.email)
        page.wait_for_url("**/login/two-factor/setup")
        assert page.locator("img[src^='data:image/svg+xml']").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "two-factor-setup-phone")
        secret = re.sub(r"\s", "", page.locator("code.secret").inner_text())
        page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
        _submit(page)
        assert "does not match" in page.locator("main").inner_text()
        page.fill("#code", pyotp.TOTP(secret).now())
        _submit(page)
        assert len(page.locator("ul.recovery-codes li").all()) == 10
        screenshot(page, "two-factor-codes-phone")
        page.click("text=I have saved them, continue")
        page.wait_for_url("**/recruiter/")
        open_menu(page)
        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_url("**/login")

        with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
            _sign_in(page, live_server, f.firm, f.recruiter.email)
            page.wait_for_url("**/login/two-factor")
            screenshot(page, "two-factor-code-phone")
            page.fill("#code", pyotp.TOTP(secret).now())
            _submit(page)
            page.wait_for_url("**/recruiter/")
    finally:
        ctx.close()


@pytest.mark.browser
def test_the_two_factor_pages_pass_axe(app, browser, firms, live_server, axe_source):
    """The sign-in's two steps and the account pages, with and without an error, on a laptop."""
    f = firms.a
    with firm_context(app, f.firm) as s:
        s.get(Firm, f.firm.id).require_two_factor = True
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        _sign_in(page, live_server, f.firm, f.admin.email)
        page.wait_for_url("**/login/two-factor/setup")
        _axe_clean(page, axe_source)
        page.fill("#code", "abc")
        _submit(page)
        _axe_clean(page, axe_source)  # with the error
        secret = re.sub(r"\s", "", page.locator("code.secret").inner_text())
        page.fill("#code", pyotp.TOTP(secret).now())
        _submit(page)
        _axe_clean(page, axe_source)  # the recovery codes
        page.goto(live_server.url(f.firm, "/account/two-factor"))
        _axe_clean(page, axe_source)
        page.goto(live_server.url(f.firm, "/admin/two-factor"))
        _axe_clean(page, axe_source)
        open_menu(page)
        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_url("**/login")
        _sign_in(page, live_server, f.firm, f.admin.email)
        page.wait_for_url("**/login/two-factor")
        _axe_clean(page, axe_source)
        page.fill("#code", "12345")
        _submit(page)
        _axe_clean(page, axe_source)  # with the error
    finally:
        ctx.close()
