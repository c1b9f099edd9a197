"""Your account on a phone (375 px, headless Chromium, no JavaScript needed): from the
candidate's settings to the list of devices, a password change, and signing out a device."""

import pytest

from tests.factories import PASSWORD
from tests.support.fixtures.browser import screenshot


@pytest.mark.browser
def test_account_page_on_a_phone(app, browser, firms, live_server, run_jobs, smtp_sink):
    f = firms.a
    phone = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    laptop = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        for ctx in (laptop, phone):
            page = ctx.new_page()
            page.set_default_timeout(10_000)
            page.goto(live_server.url(f.firm, "/login"))
            page.fill("#email", f.candidate.email)
            page.fill("#password", PASSWORD)
            page.check("#remember")
            page.click("main button[type=submit]")
            page.wait_for_url("**/me/")

        page.goto(live_server.url(f.firm, "/me/settings"))
        page.click("text=Where you're signed in")  # Settings > How you sign in > Devices
        page.wait_for_url("**/account")
        assert page.locator("h1").count() == 1 and page.locator("h1").inner_text() == "Your account"
        rows = page.locator("li.session")
        assert rows.count() == 2
        assert "This device" in rows.nth(0).inner_text() and "Chrome on Linux" in rows.nth(0).inner_text()
        assert "kept signed in" in rows.nth(1).inner_text()
        # Labels tied to inputs, unique ids, no sideways scrolling, thumb-sized buttons.
        ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids))
        for name in ("current_password", "password", "confirm"):
            assert page.locator(f"label[for={name}]").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for button in page.locator("main button").all():
            box = button.bounding_box()
            assert box and box["height"] >= 36, button.inner_text()
        screenshot(page, "account-phone")

        # A wrong current password is a plain form error; then the change goes through.
        page.fill("#current_password", "not-my-password")
        page.fill("#password", "a-much-better-secret")
        page.fill("#confirm", "a-much-better-secret")
        page.click("text=Change my password")
        assert "That is not your current password." in page.locator("main").inner_text()
        page.fill("#current_password", PASSWORD)
        page.fill("#password", "a-much-better-secret")
        page.fill("#confirm", "a-much-better-secret")
        page.click("text=Change my password")
        page.wait_for_url("**/account")
        assert "Your password is changed" in page.locator("main").inner_text()
        assert page.locator("li.session").count() == 1

        # The laptop was signed out at once, remember-me cookie and all.
        other = laptop.pages[0]
        other.goto(live_server.url(f.firm, "/me/"))
        assert "/login" in other.url
        run_jobs()
        assert [m.rcpt_tos for m in smtp_sink.wait_for(1)] == [[f.candidate.email]]
    finally:
        phone.close()
        laptop.close()
