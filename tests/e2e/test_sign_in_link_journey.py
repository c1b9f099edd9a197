"""End to end in headless Chromium on a 375 px phone: a signed-out candidate opens a page of
their portal, asks for a sign-in link instead of a password, opens it from the caught email,
and lands on that page; the same link opened again lets nobody in."""

from __future__ import annotations

import re

import pytest

from tests.support.fixtures.browser import screenshot


@pytest.mark.browser
def test_a_candidate_signs_in_by_link_and_lands_on_the_page_asked_for(
    app, firms, live_server, phone, run_jobs, smtp_sink
):
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"  # links in emails: the live server's port
    page = phone
    page.goto(live_server.url(firms.a.firm, "/me/settings"))
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="No password? Email me a sign-in link").click()
    page.wait_for_url(re.compile(r"/login/link\?next="))
    page.get_by_label("Email").fill(firms.a.candidate.email)
    screenshot(page, "sign-in-link-request")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_load_state()
    assert "we have just emailed it a sign-in link" in page.locator(".flashes").inner_text()

    assert run_jobs() == 1
    (mail,) = smtp_sink.messages
    assert mail.rcpt_tos == [firms.a.candidate.email]
    text = mail.email.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/login/link/\S+", text).group(0)
    assert link.startswith(f"http://alpha.localhost:{live_server.port}/login/link/")

    page.goto(link)
    assert page.locator("h1").inner_text() == "Sign in to Alpha Search"
    screenshot(page, "sign-in-link-open")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me/settings")
    assert page.locator("#signin").inner_text() == "How you sign in"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "sign-in-link-landed")

    # Spent: opened again (a forwarded copy, say) it signs in nobody.
    context = page.context.browser.new_context(viewport={"width": 375, "height": 812})
    other = context.new_page()
    try:
        other.goto(link)
        assert other.locator("h1").inner_text() == "This link cannot be used"
    finally:
        context.close()
