"""The candidate's side of the interview follow-up on a phone (375x812, headless Chromium): the
home with the next interview first ("Your interview on ..."), the debrief form, filled in with
the keyboard and sent, then shown read-only with a thank-you. Screenshots in tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidate, Debrief, Stage, utcnow
from tests.factories import PASSWORD, firm_context
from tests.support import candidate as h
from tests.support.fixtures.browser import screenshot
from tests.support.interviews import make_interview


def _next_weekday_at(hour: int, days: int) -> datetime:
    day = (utcnow() + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def test_home_and_debrief_on_a_phone(app, firms, live_server, phone):
    f = firms.a
    with firm_context(app, f.firm):
        me = db.session.get(Candidate, f.candidate.id)
        me.name, me.timezone = "Alex Morgan", "Europe/Berlin"
    s = h.make_search(app, f, title="Platform Engineer", client="Vandelay", location="Berlin")
    cy = h.add(app, f, s, f.candidate, Stage.SCREENING)
    held = make_interview(app, f, cy, utcnow() - timedelta(days=1, hours=2))
    upcoming = make_interview(app, f, cy, _next_weekday_at(8, 2), round=2)
    make_interview(app, f, cy, _next_weekday_at(13, 9), round=3)
    page = phone

    page.goto(live_server.url(f.firm, "/login"))
    page.fill("#email", f.candidate.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")

    interviews = page.locator("section.interviews")
    first = interviews.locator("li").first.inner_text()
    local = upcoming.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    with app.app_context():  # the locale's words (English here): "Tuesday, May 12 at 10:00 AM"
        from portal import i18n

        when = f"{i18n.day(local.date(), 'weekday_long')} at {i18n.when(local, format='time', zone='Europe/Berlin')}"
    assert f"Your interview on {when}" in first
    assert "INTERNAL-INTERVIEW-NOTE" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "interview-home-375")

    # The to-do leads to the debrief.
    page.locator("#todo").get_by_role("link", name="Tell us how it went").click()
    page.wait_for_url(f"**/me/interviews/{held.id}/debrief")
    assert page.locator("h1").inner_text() == "How did your interview go?"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "debrief-form-375")

    # Sent without the interest: a clear message on the form, what was typed kept.
    page.fill("#how_it_went", "It went well: we talked about queues and on-call.")
    page.get_by_role("button", name="Send my debrief").click()
    page.wait_for_load_state()
    assert "Please choose how interested you are" in page.locator("main").inner_text()
    assert page.input_value("#how_it_went").startswith("It went well")
    # Keyboard only: the interest radios, the questions box, the button.
    page.focus("input[name=interest][value='4']")
    page.keyboard.press("Space")
    page.focus("#questions")
    page.keyboard.type("Is the role hybrid?")
    page.keyboard.press("Tab")
    with page.expect_navigation():  # the form's answer, not the page before it (a race under load)
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Thank you for your debrief" in body and "Is the role hybrid?" in body and "4 – Interested" in body
    screenshot(page, "debrief-sent-375")
    with firm_context(app, f.firm):
        d = db.session.scalar(select(Debrief))
        assert (d.interview_id, d.interest, d.questions) == (held.id, 4, "Is the role hybrid?")
