"""End to end in headless Chromium on a 375 px phone: a visitor finds a role on the job board by
a filter, opens it, applies with a CV, opens the confirmation email from the SMTP sink, follows
its one-tap link and lands on their candidacy in the portal, reading "We have your application"."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.models import Search
from tests.factories import firm_context
from tests.support.candidate import PDF_BYTES
from tests.support.fixtures.browser import screenshot
from tests.support.recruiter import make_search


@pytest.mark.browser
def test_a_visitor_applies_with_a_cv_and_lands_in_the_portal(
    app, firms, live_server, phone, run_jobs, smtp_sink, tmp_path
):
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"  # links in emails: the live server's port
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    try:
        search = make_search(app, firms.a, title="Platform Engineer", location="Lisbon")
        other = make_search(app, firms.a, title="Office Manager", location="Leeds")
        with firm_context(app, firms.a.firm):
            for sid in (search.id, other.id):
                db.session.get(Search, sid).advertised = True
        cv = tmp_path / "Maria Silva CV.pdf"
        cv.write_bytes(PDF_BYTES)
        page = phone
        page.goto(live_server.url(firms.a.firm, "/careers/"))
        page.get_by_label("Keywords").fill("platform")
        with page.expect_navigation():
            page.get_by_label("Keywords").press("Enter")
        results = page.locator("main").inner_text()
        assert "Platform Engineer" in results and "Office Manager" not in results
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "careers-apply-board-filtered")
        with page.expect_navigation():
            page.get_by_role("link", name="Platform Engineer").click()
        screenshot(page, "careers-apply-job")
        with page.expect_navigation():
            page.get_by_role("link", name="Apply for this role").click()
        assert page.locator("h1").inner_text() == "Apply: Platform Engineer"
        page.get_by_label("Your name").fill("Maria Silva")
        page.get_by_label("Email").fill("maria.silva@example.com")
        page.get_by_label("Where you live (optional)").fill("Porto")
        page.get_by_label("Your CV (PDF or Word .docx, up to 5 MB)").set_input_files(str(cv))
        page.get_by_label("A short note (optional)").fill("I run Kubernetes clusters for a living.")
        page.get_by_label("I have read the privacy notice above and accept it").check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "careers-apply-form")
        page.get_by_role("button", name="Send my application").click()
        page.wait_for_url(re.compile(r"/careers/jobs/\d+/applied$"))
        assert "We have your application for Platform Engineer" in page.locator("main").inner_text()
        screenshot(page, "careers-apply-thanks")

        assert run_jobs() >= 1
        mails = [m for m in smtp_sink.messages if m.rcpt_tos == ["maria.silva@example.com"]]
        assert len(mails) == 1
        text = mails[0].email.get_body(preferencelist=("plain",)).get_content()
        assert "We have your application and will reply within 7 days" in text
        link = re.search(r"http://\S+/login/link/\S+", text).group(0)
        assert link.startswith(f"http://alpha.localhost:{live_server.port}/login/link/")

        page.goto(link)
        screenshot(page, "careers-apply-email-link")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/me/searches/\d+$"))
        main = page.locator("main").inner_text()
        assert "We have your application" in main and "Platform Engineer" in main
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "careers-apply-landed")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
