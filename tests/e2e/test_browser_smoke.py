import pytest

from tests.support.fixtures.browser import screenshot


@pytest.mark.browser
def test_login_page_renders_in_chromium_on_a_phone(firms, live_server, phone):
    phone.goto(live_server.url(firms.a.firm, "/login"))
    assert phone.locator("h1").inner_text() == "Sign in to Alpha Search"
    phone.fill("#email", firms.a.candidate.email)
    phone.fill("#password", "correct-horse-battery")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/me/")
    assert "Hello" in phone.locator("h1").inner_text()
    screenshot(phone, "smoke-candidate-home")
