"""On a phone (375x812, headless Chromium): the candidate reads a check-in in their portal, taps
"Reply" and writes a question; the recruiter sees it at the top of Needs attention and replies on
the candidate's page; the candidate sees the answer under their question. Screenshots:
tests/artifacts/conversation-*.png on every run; the README's copies in docs/screenshots/ are
refreshed only with PORTAL_UPDATE_SCREENSHOTS=1 (a test run never changes the work tree)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from tests.factories import PASSWORD
from tests.support import candidate as portal_data
from tests.support.fixtures.browser import screenshot

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    path = screenshot(page, name)
    if os.environ.get("PORTAL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / f"{name}.png")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_candidate_asks_in_the_portal_and_reads_the_recruiters_answer_on_a_phone(app, firms, live_server, browser):
    a = firms.a
    portal_data.message(
        app, a, a.candidate, subject="Your weekly check-in", body="No decision yet: the client meets on Thursday."
    )
    phone_ctx = browser.new_context(viewport={"width": 375, "height": 812})
    desk_ctx = browser.new_context(viewport={"width": 375, "height": 812})
    try:
        phone = phone_ctx.new_page()
        phone.set_default_timeout(10_000)
        _sign_in(phone, live_server.url(a.firm, "/login"), a.candidate.email)
        phone.wait_for_url(re.compile(r"/me/"))
        phone.goto(live_server.url(a.firm, "/me/messages"))
        phone.get_by_text("Read", exact=True).first.click()
        assert phone.get_by_text("the client meets on Thursday").is_visible()
        phone.get_by_role("link", name=re.compile("^Reply")).first.click()
        assert phone.get_by_text("Replying to “Your weekly check-in”").is_visible()
        phone.get_by_label("Your message").fill("Thank you! Should I prepare anything for Thursday?")
        _fits(phone)
        _shot(phone, "conversation-1-candidate-writes")
        phone.get_by_role("button", name="Send").click()
        phone.wait_for_url(re.compile(r"/me/messages"))
        assert phone.get_by_text("We'll reply by").first.is_visible()
        _fits(phone)

        rec = desk_ctx.new_page()
        rec.set_default_timeout(10_000)
        _sign_in(rec, live_server.url(a.firm, "/login"), a.recruiter.email)
        rec.wait_for_url(re.compile(r"/recruiter/"))
        rec.goto(live_server.url(a.firm, "/recruiter/"))
        waiting = rec.locator("#messages")
        assert "Should I prepare anything" in waiting.inner_text()
        _shot(rec, "conversation-2-needs-attention")
        waiting.get_by_role("link", name=re.compile("^Reply")).click()
        rec.get_by_label(re.compile("Your reply")).fill("Bring two examples of systems you designed. Good luck!")
        rec.get_by_role("button", name="Send the reply").click()
        rec.wait_for_url(re.compile(r"/recruiter/candidates/"))
        assert rec.get_by_text("Reply sent").is_visible()
        _fits(rec)

        phone.goto(live_server.url(a.firm, "/me/messages"))
        text = phone.locator(".conversation").inner_text()
        assert text.index("Should I prepare anything") < text.index("Bring two examples")
        assert phone.get_by_text("We'll reply by").count() == 0
        _fits(phone)
        _shot(phone, "conversation-3-candidate-reads-the-answer")
    finally:
        phone_ctx.close()
        desk_ctx.close()
