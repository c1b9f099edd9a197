"""Screenshots of what people see, on the demo data (`portal demo`), in headless Chromium at
375 x 812 (a phone) and 1280 x 800 (a laptop): every candidate page (as candidate@demo.example,
the first demo login), the recruiter's main pages, the admin home, and one email of each kind
as the worker delivered it (its HTML part, at 375 px, with scripts off as a mail client has them).

Every screenshot lands in tests/artifacts/screens/; with PORTAL_UPDATE_SCREENSHOTS=1 a curated
set is also written to docs/screenshots/ under stable names (the README shows them). Pages
are captured whole up to a few screens high (longer ones are clipped), so each PNG stays small.

These tests only look: they never change what a page or an email says, and never write
anywhere but those two folders (and the throwaway test database).
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Error as PlaywrightError

from portal import transaction
from portal.extensions import db
from portal.models import Message
from portal.models.base import utcnow
from portal.tenancy import all_firms
from tests.support.fixtures.clients import login_as
from tests.support.interview_services import demo_interviews

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "tests" / "artifacts" / "screens"
CURATED = ROOT / "docs" / "screenshots"
PHONE, LAPTOP = {"width": 375, "height": 812}, {"width": 1280, "height": 800}
SCREENS_HIGH = 3  # a full page is clipped at three viewports' height
FIRM = "demo"
CANDIDATE, RECRUITER, ADMIN = "candidate@demo.example", "recruiter@demo.example", "admin@demo.example"

# artifact name -> the committed file's name (written only with PORTAL_UPDATE_SCREENSHOTS=1).
CURATE = {
    "candidate-home-375": "candidate-home.png",
    "candidate-search-1-375": "candidate-search.png",
    "candidate-consent-open-375": "candidate-consent.png",
    "candidate-roles-375": "candidate-roles.png",
    "candidate-role-1-375": "candidate-role.png",
    "recruiter-dashboard-1280": "recruiter-dashboard.png",
    "recruiter-board-1280": "recruiter-board.png",
    "recruiter-candidacy-1280": "recruiter-candidacy.png",
    "email-checkin-375": "email-checkin.png",
}


def _update_docs() -> bool:
    return os.environ.get("PORTAL_UPDATE_SCREENSHOTS") == "1"


def _capture(page, **options) -> None:
    """page.screenshot, tried again after a frame when headless Chromium answers "Unable to capture
    screenshot" (it does, rarely, right after a viewport resize on a loaded machine): a picture
    is a record here, not a check, and the page has already answered 200."""
    for attempt in range(3):
        try:
            page.screenshot(**options)
            return
        except PlaywrightError as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(250)


def shoot(page, name: str, problems: list[str]) -> Path:
    """Save the page (whole, clipped at SCREENS_HIGH viewports) as tests/artifacts/screens/<name>.png;
    note a page wider than the window (a horizontal scrollbar) in `problems`."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    if width > size["width"]:
        problems.append(f"{name}: {width} px wide in a {size['width']} px window")
    path = SCREENS / f"{name}.png"
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, size["height"] * SCREENS_HIGH)}
    _capture(page, path=str(path), full_page=True, clip=clip)
    if _update_docs() and name in CURATE:
        # The committed copy shows what opens first: one window, not the whole page.
        CURATED.mkdir(parents=True, exist_ok=True)
        _capture(page, path=str(CURATED / CURATE[name]))
    return path


def _load_demo(app, live_server) -> None:
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"  # links and logos in emails reach the live server
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output


class Visit:
    """One signed-in browser context, shot at both sizes page after page."""

    def __init__(self, browser, live_server, email: str, password: str, problems: list[str]):
        self.origin = f"http://{FIRM}.localhost:{live_server.port}"
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems = problems
        self.page.goto(self.origin + "/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("main button[type=submit]")
        assert "/login" not in self.page.url, f"{email} could not sign in"

    def links(self, path: str, pattern: str) -> list[str]:
        """The distinct same-site links on `path` whose path matches `pattern`, in page order."""
        self.page.goto(self.origin + path)
        hrefs = self.page.eval_on_selector_all("main a[href]", "els => els.map(a => a.getAttribute('href'))")
        out: list[str] = []
        for href in hrefs:
            href = href.split("#")[0].replace(self.origin, "")
            if re.fullmatch(pattern, href) and href not in out:
                out.append(href)
        return out

    def shoot(self, name: str, path: str) -> None:
        for viewport in (PHONE, LAPTOP):
            self.page.set_viewport_size(viewport)
            response = self.page.goto(self.origin + path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            shoot(self.page, f"{name}-{viewport['width']}", self.problems)

    def close(self) -> None:
        self.context.close()


def _report(problems: list[str]) -> None:
    if problems:
        print("\nLayout notes:\n  " + "\n  ".join(problems))


@pytest.mark.browser
def test_candidate_pages(app, live_server, browser, run_jobs):
    """Every page of the first demo candidate, at both sizes (the demo's emails sent)."""
    _load_demo(app, live_server)
    run_jobs()
    problems: list[str] = []
    visit = Visit(browser, live_server, CANDIDATE, app.config["DEMO_PASSWORD"], problems)
    try:
        searches = visit.links("/me/", r"/me/searches/\d+")
        consents = visit.links("/me/consents", r"/me/consents/\d+")
        roles = visit.links("/me/roles", r"/me/roles/\d+")
        messages = visit.links("/me/messages", r"/me/messages/\d+")
        assert searches and consents and roles and messages, (searches, consents, roles, messages)
        for name, path in [
            ("candidate-home", "/me/"),
            ("candidate-consents", "/me/consents"),
            ("candidate-feedback", "/me/feedback"),
            ("candidate-roles", "/me/roles"),
            ("candidate-messages", "/me/messages"),
            ("candidate-keep-in-touch", "/me/keep-in-touch"),
            ("candidate-profile", "/me/profile"),
            ("candidate-settings", "/me/settings"),
            ("candidate-office-hours", "/me/office-hours"),
            ("candidate-account", "/account"),
            ("candidate-message", messages[0]),
        ]:
            visit.shoot(name, path)
        for i, path in enumerate(searches[:4], 1):
            visit.shoot(f"candidate-search-{i}", path)
        for i, path in enumerate(roles[:2], 1):
            visit.shoot(f"candidate-role-{i}", path)
        # Booking office hours in the browser, at 375 px: the confirmation the candidate lands on.
        visit.page.set_viewport_size(PHONE)
        visit.page.goto(visit.origin + "/me/office-hours")
        visit.page.locator("main input[name=slot]").first.check()
        visit.page.locator("main form:has(input[name=slot]) button[type=submit]").first.click()
        visit.page.wait_for_load_state()
        assert "You are booked" in visit.page.content(), visit.page.url
        shoot(visit.page, "candidate-office-hours-booked-375", problems)
        seen: set[str] = set()
        for path in consents:
            visit.page.goto(visit.origin + path)
            state = "open" if visit.page.locator("main form [name=approve]").count() else "answered"
            if state not in seen:
                seen.add(state)
                visit.shoot(f"candidate-consent-{state}", path)
    finally:
        visit.close()
    _report(problems)


@pytest.mark.browser
def test_recruiter_and_admin_pages(app, live_server, browser, run_jobs):
    """The recruiter's main pages and the admin home, at both sizes (the demo's emails sent)."""
    _load_demo(app, live_server)
    run_jobs()
    problems: list[str] = []
    password = app.config["DEMO_PASSWORD"]
    visit = Visit(browser, live_server, RECRUITER, password, problems)
    try:
        # The busiest search: the board with the most cards.
        boards = {
            s: visit.links(s + "/board", r"/recruiter/candidacies/\d+")
            for s in visit.links("/recruiter/searches", r"/recruiter/searches/\d+")
        }
        search = max(boards, key=lambda s: len(boards[s]))
        # The first demo candidate's candidacy there: the same story from the recruiter's side.
        visit.page.goto(visit.origin + search + "/board")
        card = visit.page.locator("main a[href^='/recruiter/candidacies/']", has_text="Alex Morgan")
        candidacy = card.first.get_attribute("href") if card.count() else boards[search][0]
        candidate = visit.links("/recruiter/candidates", r"/recruiter/candidates/\d+")[0]
        for name, path in [
            ("recruiter-dashboard", "/recruiter/"),
            ("recruiter-searches", "/recruiter/searches"),
            ("recruiter-search", search),
            ("recruiter-board", search + "/board"),
            ("recruiter-candidacy", candidacy),
            ("recruiter-talent", "/recruiter/candidates"),
            ("recruiter-candidate", candidate),
            ("recruiter-messages", "/recruiter/messages"),
            ("recruiter-office-hours", "/recruiter/office-hours"),
        ]:
            visit.shoot(name, path)
    finally:
        visit.close()
    visit = Visit(browser, live_server, ADMIN, password, problems)
    try:
        visit.shoot("admin-home", "/admin/")
    finally:
        visit.close()
    _report(problems)


def _provoke_every_email(app, client_for) -> None:
    """What the demo does not send by itself: staff invitation, password reset, sign-in link,
    password changed, an update, a referral, a role interest, a profile change, a deleted account."""
    firm = SimpleNamespace(slug=FIRM)
    password = app.config["DEMO_PASSWORD"]

    def signed_in(email):
        c = client_for(firm)
        login_as(c, SimpleNamespace(email=email), password)
        return c

    admin = signed_in(ADMIN)
    resp = admin.post(
        "/admin/staff/invite", data={"name": "Robin New", "email": "robin@demo.example", "role": "recruiter"}
    )
    assert resp.status_code in (302, 303), resp.status_code
    assert client_for(firm).post("/reset", data={"email": CANDIDATE}).status_code in (200, 302, 303)
    assert client_for(firm).post("/login/link", data={"email": "candidate8@demo.example"}).status_code == 302

    me = signed_in(CANDIDATE)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    cv = me.post("/me/profile/cv", data={"cv": (io.BytesIO(pdf), "cv.pdf")}, content_type="multipart/form-data")
    assert cv.status_code == 303, cv.status_code
    update = {"choice": "offer", "text": "I have an offer from another company; can we talk this week?"}
    assert me.post("/me/keep-in-touch/update", data=update).status_code in (302, 303)
    demo_interviews(app, "demo", "candidate11@demo.example")  # every interview email (until the demo has some)
    referral = {"name": "Dana Friend", "email": "dana.friend@example.com", "note": "A very good designer."}
    assert me.post("/me/keep-in-touch/referral", data=referral).status_code in (302, 303)
    roles = re.findall(r'href="/me/roles/(\d+)"', me.get("/me/roles").get_data(as_text=True))
    assert roles, "no suggested role for the first demo candidate"
    assert me.post(f"/me/roles/{roles[0]}/interest").status_code in (302, 303)

    new = "a-new-password-for-the-demo"
    changed = signed_in("candidate6@demo.example").post(
        "/account/password", data={"current_password": password, "password": new, "confirm": new}
    )
    assert changed.status_code in (302, 303), changed.status_code
    # Office hours: a booking and its cancellation (both sides told), then a booking that stays.
    booker = signed_in("candidate8@demo.example")
    slots = re.findall(r'name="slot" value="([^"]+)"', booker.get("/me/office-hours").get_data(as_text=True))
    assert len(slots) >= 2, "no office hours in the demo"
    assert booker.post("/me/office-hours/book", data={"slot": slots[0]}).status_code == 303
    booking = re.search(
        r"/me/office-hours/bookings/(\d+)/cancel", booker.get("/me/office-hours").get_data(as_text=True)
    )
    assert booking and booker.post(f"/me/office-hours/bookings/{booking.group(1)}/cancel").status_code == 303
    assert booker.post("/me/office-hours/book", data={"slot": slots[1]}).status_code == 303
    gone = signed_in("candidate5@demo.example").post("/me/settings/delete", data={"password": password, "confirm": "y"})
    assert gone.status_code == 200 and "deleted" in gone.get_data(as_text=True), gone.status_code
    _job_alert(app, client_for(firm), me)
    _applicant_retention_and_webhook(app, client_for(firm))
    # A conversation: the candidate writes (their recruiters are told), a recruiter answers;
    # a second question stays open for the daily "waiting for your answer" email below.
    asked = me.post("/me/messages", data={"body": "Is the client still looking at my profile?"})
    assert asked.status_code in (302, 303), asked.status_code
    with app.app_context(), all_firms():
        from portal.models import Candidate

        cid = db.session.scalar(db.select(Candidate.id).where(Candidate.email == CANDIDATE))
    answer = {"body": "Yes: they read it on Monday and we expect their answer this week."}
    assert admin.post(f"/recruiter/candidates/{cid}/conversation/reply", data=answer).status_code in (302, 303)
    assert me.post("/me/messages", data={"body": "Thanks! And is the role hybrid?"}).status_code in (302, 303)


def _applicant_retention_and_webhook(app, visitor) -> None:
    """An application through the careers site (its confirmation), a retention warning (as two
    years on) and a webhook endpoint disabled after failures (the admins' email)."""
    from sqlalchemy import select

    from portal.models import Firm, Search, SearchState, WebhookEndpoint
    from portal.services import retention, webhook_endpoints
    from portal.tenancy import as_firm

    with app.app_context(), all_firms():
        firm = db.session.scalar(select(Firm).where(Firm.slug == FIRM))
        job = db.session.scalar(
            select(Search.id).where(Search.firm_id == firm.id, Search.advertised, Search.state == SearchState.OPEN)
        )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    applied = visitor.post(
        f"/careers/jobs/{job}/apply",
        data={
            "name": "Nora Applicant",
            "email": "nora.applicant@example.com",
            "cv": (io.BytesIO(pdf), "nora.pdf"),
            "accept_privacy": "y",
        },
        content_type="multipart/form-data",
    )
    assert applied.status_code == 303, applied.status_code
    with app.app_context(), as_firm(firm.id), transaction.transaction():
        firm = db.session.get(Firm, firm.id)
        assert retention.plan_warnings(firm, utcnow() + timedelta(days=900)) >= 1
        endpoint = WebhookEndpoint(
            firm_id=firm.id, url="https://hooks.example.com/x", event_types=[], secret="whsec_eA=="
        )
        db.session.add(endpoint)
        db.session.flush()
        webhook_endpoints.disable_for_failures(firm, endpoint, "50 failed attempts in a row")


def _job_alert(app, visitor, candidate) -> None:
    """A visitor's job alert (its confirmation email; confirmed straight from the outbox's copy)
    and a candidate's saved search over an advertised demo role: the digests go in the run below."""
    from sqlalchemy import select

    from portal.models import Firm, Search, SearchState

    assert visitor.post("/careers/alerts", data={"email": "fan@visitor.example"}).status_code == 303
    with app.app_context(), all_firms():
        body = db.session.scalars(select(Message.body_text).where(Message.kind == "job_alert_confirm")).one()
        open_roles = select(Search).join(Firm, Firm.id == Search.firm_id)
        open_roles = open_roles.where(Firm.slug == FIRM, Search.state == SearchState.OPEN).order_by(Search.id)
        search = db.session.scalars(open_roles).first()
        search.advertised, search.advertised_at = True, utcnow()
        db.session.commit()
    path = re.search(r"https?://[^/\s]+(/careers/alerts/confirm/\S+)", body).group(1)
    assert visitor.post(path).status_code == 200
    assert candidate.post("/me/alerts", data={"keywords": "", "location": "", "remote": ""}).status_code == 303


def _kinds(app, sink_messages) -> dict[str, str]:
    """kind -> the HTML of the first delivered email of that kind. Several messages to one
    person about one candidacy are merged into one email (the kind "merged_update", its template); a kind that was
    only ever sent merged is shown from the outbox's rendering of its message alone."""
    with app.app_context(), all_firms():
        rows = {m.id: (m.kind, m.subject, m.body_html) for m in db.session.query(Message).order_by(Message.id)}
    out: dict[str, str] = {}
    for message in sink_messages:
        found = re.match(r"<portal\.\d+\.(\d+)@", str(message.email.get("Message-ID", "")))
        if not found or int(found.group(1)) not in rows:
            continue
        kind, subject, _html = rows[int(found.group(1))]
        if str(message.email["Subject"]) != subject:
            kind = "merged_update"
        html = message.email.get_body(preferencelist=("html",))
        if html is not None and kind not in out:
            out[kind] = html.get_content()
    for kind, _subject, html in rows.values():
        out.setdefault(kind, html)
    return out


@pytest.mark.browser
def test_one_email_of_each_kind(app, live_server, browser, client_for, run_jobs, smtp_sink):
    """Each kind of email as delivered, its HTML part at 375 px: the demo's own, the ones provoked
    above, and three months later the periodic ones (check-ins, suggested roles, digests, prompts)."""
    import time_machine

    from worker import interview_jobs, jobs

    _load_demo(app, live_server)
    _provoke_every_email(app, client_for)
    run_jobs()
    with app.app_context(), all_firms():
        firm_id = db.session.execute(db.text("select id from firms where slug = :s"), {"s": FIRM}).scalar_one()
    # The next demo interview, 20 minutes after it ends: the candidate is asked for a debrief.
    from portal.models.interview import Interview as _Interview
    from portal.models.interview import InterviewKind as _Kind
    from portal.models.interview import InterviewState as _State

    with app.app_context(), all_firms():
        upcoming = db.session.scalars(
            db.select(_Interview)
            .where(
                _Interview.state == _State.SCHEDULED,
                _Interview.starts_at > utcnow(),
                _Interview.kind != _Kind.OFFICE_HOURS,
            )
            .order_by(_Interview.starts_at)
        ).first()
        assert upcoming is not None, "no upcoming interview in the demo"
        ended = upcoming.starts_at + timedelta(minutes=upcoming.duration_minutes + 20)
    with time_machine.travel(ended, tick=False):
        interview_jobs.interview_followups()
        jobs.relay()
        run_jobs()
    # The next working morning: the daily "waiting for your answer" email; a day after the demo's
    # close-the-loop messages: the experience survey.
    from portal.models import Firm
    from portal.services import conversation_digest, surveys
    from portal.tenancy import bind_firm

    morning = utcnow() + timedelta(days=1)
    while morning.weekday() >= 5:
        morning += timedelta(days=1)
    morning = morning.replace(hour=15, minute=0)  # 10:00 or 11:00 in the demo firm's New York
    with time_machine.travel(morning, tick=False), app.app_context(), transaction.transaction():
        bind_firm(firm_id)
        demo = db.session.get(Firm, firm_id)
        assert conversation_digest.plan_waiting_digests(demo, utcnow()) >= 1
        assert surveys.plan_surveys(demo, utcnow()) >= 1
    with time_machine.travel(morning, tick=False):
        jobs.relay()
        run_jobs()
    with time_machine.travel(utcnow() + timedelta(days=100), tick=False):
        interview_jobs.interview_followups()  # "still waiting" for the client's view
        jobs.plan_firm(firm_id)
        jobs.plan_job_alerts(firm_id)
        jobs.relay()
        run_jobs()
    # The office-hours booking above, an hour before it starts: its reminder.
    from portal.models.interview import Interview, InterviewKind, InterviewState

    with app.app_context(), all_firms():
        starts = db.session.scalar(
            db.select(Interview.starts_at).where(
                Interview.kind == InterviewKind.OFFICE_HOURS, Interview.state == InterviewState.SCHEDULED
            )
        )
    assert starts is not None
    with time_machine.travel(starts - timedelta(minutes=59), tick=False):
        jobs.plan_interview_reminders()
        jobs.relay()
        run_jobs()
    emails = _kinds(app, list(smtp_sink.messages))
    print("\nEmail kinds: " + ", ".join(sorted(emails)))

    problems: list[str] = []
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        for kind, html in sorted(emails.items()):
            page.set_content(html, wait_until="load")
            shoot(page, f"email-{kind}-375", problems)
    finally:
        context.close()
    _report(problems)
    expected = {p.stem for p in (ROOT / "portal" / "templates" / "email").glob("*.txt") if not p.stem.startswith("_")}
    assert expected <= set(emails), sorted(expected - set(emails))
