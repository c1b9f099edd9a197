"""On a phone (375x812, headless Chromium), signed out: tap the consent email's button (read from
the caught mail), sign in with the password, land on that consent and approve it. The sign-in
link flow joins this journey where it is built (issue 15, item 1)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from portal.models import Stage
from tests.factories import PASSWORD
from tests.support import candidate as portal_data
from tests.support.fixtures.browser import screenshot

BUTTON = re.compile(r'<a href="([^"]+)"[^>]*>Approve or decline</a>')


def test_the_consent_emails_button_signs_in_and_lands_on_the_consent(
    app, firms, run_jobs, smtp_sink, live_server, phone
):
    a = firms.a
    cy = portal_data.add(app, a, portal_data.make_search(app, a, title="Staff Engineer"), a.candidate, Stage.SCREENING)
    consent = portal_data.request_consent(app, a, cy.id)
    run_jobs()
    (mail,) = [m for m in smtp_sink.messages if m.email["Subject"].startswith("May we present you")]
    html = mail.email.get_body(preferencelist=("html",)).get_content()
    link = urlsplit(BUTTON.search(html).group(1))
    assert link.netloc == "alpha.localhost" and link.path == f"/me/consents/{consent.id}" and not link.query

    phone.goto(live_server.url(a.firm, link.path))  # the same host, served on the test port
    assert urlsplit(phone.url).path == "/login"
    assert phone.get_by_text("Sign in to see this page.").is_visible()
    screenshot(phone, "deep-link-1-sign-in")
    phone.get_by_label("Email").fill(a.candidate.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(re.compile(rf"/me/consents/{consent.id}$"))
    screenshot(phone, "deep-link-2-landed")
    phone.get_by_role("button", name="Yes, send my profile").click()
    expect(phone.get_by_text("Thank you. We will send your profile")).to_be_visible()


def test_on_a_phone_the_consent_email_a_sign_in_link_and_the_answer(
    app, firms, run_jobs, smtp_sink, live_server, phone
):
    """Issue 15's journey: open the consent email from the caught mail, tap its button, ask for a
    sign-in link, open it from the caught mail, approve the consent; no password anywhere."""
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"  # links in emails: the live server's port
    a = firms.a
    cy = portal_data.add(app, a, portal_data.make_search(app, a, title="Staff Engineer"), a.candidate, Stage.SCREENING)
    consent = portal_data.request_consent(app, a, cy.id)
    run_jobs()
    (mail,) = [m for m in smtp_sink.messages if m.email["Subject"].startswith("May we present you")]
    button = BUTTON.search(mail.email.get_body(preferencelist=("html",)).get_content()).group(1)
    assert urlsplit(button).path == f"/me/consents/{consent.id}" and not urlsplit(button).query

    phone.goto(button)  # tapped in the email app, signed out
    phone.wait_for_url(re.compile(r"/login\?next="))
    screenshot(phone, "consent-by-link-1-sign-in")
    phone.get_by_role("link", name="No password? Email me a sign-in link").click()
    phone.get_by_label("Email").fill(a.candidate.email)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Email me a sign-in link").click()
    screenshot(phone, "consent-by-link-2-link-sent")

    run_jobs()
    texts = [m.email.get_body(preferencelist=("plain",)).get_content() for m in smtp_sink.messages]
    (link,) = [found.group(0) for t in texts if (found := re.search(r"http://\S+/login/link/\S+", t))]
    phone.goto(link)  # opened from the caught mail
    screenshot(phone, "consent-by-link-3-open-link")
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(re.compile(rf"/me/consents/{consent.id}$"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "consent-by-link-4-landed")
    phone.get_by_role("button", name="Yes, send my profile").click()
    expect(phone.get_by_text("Thank you. We will send your profile")).to_be_visible()
    screenshot(phone, "consent-by-link-5-approved")
