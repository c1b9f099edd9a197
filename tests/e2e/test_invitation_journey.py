"""End to end in headless Chromium: a recruiter invites a candidate, the candidate opens
the link from the email, chooses a password, signs out, signs in and sees the home page."""

from __future__ import annotations

import re

import pytest

from portal.models import Candidate, Role, User
from portal.services import accounts
from portal.services.firms import create_user
from tests.factories import firm_context
from tests.support.fixtures.browser import open_menu, screenshot


@pytest.mark.browser
def test_invited_candidate_sets_password_and_signs_in(app, firms, live_server, phone, run_jobs, smtp_sink):
    # Links in emails point at the firm's host on the live server's port.
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"
    with firm_context(app, firms.a.firm) as s:
        firm = s.get(type(firms.a.firm), firms.a.firm.id)
        user = create_user(firm, email="jamie.lee@example.org", name="Jamie Lee", role=Role.CANDIDATE)
        cand = Candidate(user_id=user.id, name="Jamie Lee", email=user.email, owner_id=firms.a.recruiter.id)
        s.add(cand)
        s.flush()
        accounts.invite_user(firm, user, s.get(User, firms.a.recruiter.id), candidate=cand)
    assert run_jobs() == 1
    (mail,) = smtp_sink.messages
    assert mail.rcpt_tos == ["jamie.lee@example.org"]
    text = mail.email.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/invitation/\S+", text).group(0)
    assert link.startswith(f"http://alpha.localhost:{live_server.port}/invitation/")

    page = phone
    page.goto(link)
    assert page.locator("h1").inner_text() == "Welcome, Jamie Lee"
    page.get_by_label("New password").fill("jamie-chooses-this")
    page.get_by_label("Repeat the password").fill("jamie-chooses-this")
    screenshot(page, "invitation-set-password")
    page.get_by_role("button", name="Set password and sign in").click()
    page.wait_for_url("**/me/")
    assert page.locator("h1").inner_text() == "Hello, Jamie"
    assert "Your password is set" in page.locator(".flashes").inner_text()

    # The link is spent.
    page.goto(link)
    assert page.locator("h1").inner_text() == "This link cannot be used"

    # Sign out, then sign in with the chosen password.
    page.goto(live_server.url(firms.a.firm, "/me/"))
    open_menu(page)  # on a phone, signing out is in the header's menu
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.get_by_label("Email").fill("jamie.lee@example.org")
    page.get_by_label("Password").fill("jamie-chooses-this")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me/")
    assert page.locator("h1").inner_text() == "Hello, Jamie"
    assert "Alpha Search" in page.locator(".site-header").inner_text()
    # Nothing spills sideways on a 375 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "candidate-home-after-invitation")
