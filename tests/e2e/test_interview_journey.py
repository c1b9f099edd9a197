"""On a phone (375x812, headless Chromium): the candidate opens the proposed-times email's button
(read from the SMTP sink), signs in, picks a time, lands on the preparation page, downloads the
invitation (a real download, parsed by two iCalendar parsers) and asks to reschedule, which puts
the answer on the recruiter's needs-attention list; once the interview has taken place, the
candidate sends their debrief. Screenshots: tests/artifacts/interview-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from portal.extensions import db
from portal.models import Stage
from portal.models.interview import Interview, InterviewState
from tests.factories import PASSWORD, firm_context
from tests.support import candidate as portal_data
from tests.support import interview_services as ivs
from tests.support.fixtures.browser import screenshot

BUTTON = re.compile(r'<a href="([^"]+)"[^>]*>Choose your time</a>')


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_pick_a_time_prepare_download_and_ask_to_reschedule_on_a_phone(
    app, firms, run_jobs, smtp_sink, live_server, phone, tmp_path
):
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"  # links in emails: the live server's port
    a = firms.a
    search = portal_data.make_search(app, a, title="Staff Engineer", client="Globex", pay_min=90000, pay_max=110000)
    cy = portal_data.add(app, a, search, a.candidate, Stage.SCREENING)
    base = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=5)
    iv_id = ivs.schedule(
        app,
        a,
        cy.id,
        slots=[base.replace(hour=9), base.replace(hour=14), (base + timedelta(days=1)).replace(hour=10)],
        attendees=[
            {"name": "Dana Scully", "title": "Head of Engineering"},
            {"name": "Walter Skinner", "title": "Chief Technology Officer, Platform & Infrastructure"},
        ],
        candidate_notes_md="- A short walk through **a system you designed**\n- Questions about the team",
    )
    run_jobs()
    (mail,) = [m for m in smtp_sink.messages if "choose a time" in m.email["Subject"]]
    button = BUTTON.search(mail.email.get_body(preferencelist=("html",)).get_content()).group(1)
    assert urlsplit(button).path == f"/me/interviews/{iv_id}" and urlsplit(button).fragment == "pick"

    phone.goto(button)  # tapped in the email app, signed out
    phone.wait_for_url(re.compile(r"/login"))
    phone.get_by_label("Email").fill(a.candidate.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_url(re.compile(rf"/me/interviews/{iv_id}"))
    _fits(phone)
    screenshot(phone, "interview-1-choose-a-time")

    phone.locator("#pick label").nth(1).click()
    phone.get_by_role("button", name="Confirm this time").click()
    phone.wait_for_url(re.compile(rf"/me/interviews/{iv_id}$"))
    assert phone.get_by_text("your interview is confirmed").is_visible()
    assert phone.get_by_text("Dana Scully").is_visible() and phone.get_by_text("Globex").first.is_visible()
    _fits(phone)
    screenshot(phone, "interview-2-preparation-page")

    with phone.expect_download() as info:
        phone.get_by_role("link", name="Add to my calendar").click()
    download = info.value
    saved = tmp_path / "invite.ics"
    download.save_as(saved)
    cal, event, other = ivs.parse_both(Path(saved).read_text(encoding="utf-8"))
    with firm_context(app, a.firm):
        iv = db.session.get(Interview, iv_id)
        assert iv.state == InterviewState.SCHEDULED
        assert event.decoded("dtstart") == iv.starts_at == other.vevent.dtstart.value
        assert str(event["uid"]) == f"{iv.uid}@{a.firm.slug}" and int(event["sequence"]) == 1

    phone.get_by_text("Ask to reschedule").click()
    phone.get_by_label("Why do you need another time?").fill("My notice period meeting moved to that afternoon.")
    phone.get_by_label("When could you instead? (optional)").fill("Any morning the week after")
    _fits(phone)
    screenshot(phone, "interview-3-ask-to-reschedule")
    phone.get_by_role("button", name="Ask for another time").click()
    phone.wait_for_url(re.compile(rf"/me/interviews/{iv_id}$"))
    assert phone.get_by_role("heading", name="We are finding a new time").is_visible()
    _fits(phone)
    screenshot(phone, "interview-4-finding-a-new-time")
    with firm_context(app, a.firm):
        iv = db.session.get(Interview, iv_id)
        assert iv.state == InterviewState.NEEDS_NEW_TIME and iv.answer_seen_at is None

    # The recruiter finds a new time; the interview then takes place (here: it is moved into the
    # past directly) and the candidate sends their debrief from the phone.
    with firm_context(app, a.firm):
        iv = db.session.get(Interview, iv_id)
        iv.state = InterviewState.SCHEDULED
        iv.starts_at = datetime.now(UTC) - timedelta(hours=3)
    phone.goto(live_server.url(a.firm, f"/me/interviews/{iv_id}/debrief"))
    phone.get_by_label("How did it go?").fill("Good conversation; the system design part went well.")
    phone.get_by_text("4 –").click()
    phone.get_by_label("Any questions or concerns? (optional)").fill("When will the client decide?")
    _fits(phone)
    screenshot(phone, "interview-5-debrief")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my debrief").click()
    assert phone.get_by_role("heading", name="Thank you for your debrief").is_visible()
    _fits(phone)
    screenshot(phone, "interview-6-debrief-sent")
    with firm_context(app, a.firm):
        from portal.models.interview import Debrief

        debrief = db.session.scalars(db.select(Debrief).where(Debrief.interview_id == iv_id)).one()
        assert debrief.interest == 4 and "system design" in debrief.how_it_went
