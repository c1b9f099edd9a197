"""Every page passes axe-core: a crawl of each role (anonymous, candidate, recruiter, admin)
over the demo firm, at 375 px and at 1280 px, plus the forms in their error state.

The crawl starts at each role's home (and, for the anonymous visitor, at every link the
worker emailed: invitation, password reset, unsubscribe, portal pages), follows every
same-site link (only routes that answer GET: a POST-only action such as signing out never
matches; a few URLs per route), injects axe-core (the npm package,
`make test` runs `npm ci`) into Debian Chromium and fails on any violation of any impact.
It then checks that every GET route of `app.url_map` was reached by some role, or is listed
in NOT_PAGES with the reason: a new page is checked by default, or visibly skipped.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from tests.support.fixtures.clients import login_as
from tests.support.interview_services import demo_interviews

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = ({"width": 375, "height": 812}, {"width": 1280, "height": 800})
URLS_PER_ROUTE = 2  # per sign-in: enough for an open and a closed candidacy, a page 1 and a filter
FIRM = "demo"

# GET routes that are not pages a person reads, with the reason. Everything else must be
# reached by the crawl: a route that is neither fails the test with its name.
NOT_PAGES = {
    "auth.index": "redirects to each role's home (or to sign in)",
    "static": "stylesheets, scripts and images",
    "brand.css": "the firm's colours as a stylesheet",
    "brand.logo": "the firm's logo image",
    "brand.favicon": "the firm's logo image",
    "people.photo": "a recruiter's photo (an image)",
    "candidate.message_file": "a file attached to a conversation message (a download)",
    "recruiter.conversation_file": "a file attached to a conversation message (a download)",
    "health.healthz": "JSON for monitoring, not a page",
    "health.livez": "JSON for a process supervisor, not a page",
    "health.readyz": "JSON for a load balancer, not a page",
    "metrics.metrics": "Prometheus text for monitoring, behind a token, not a page",
    "calendar_feed.feed": "a private calendar feed (text/calendar) for calendar apps, not a page "
    "(tests/web/test_calendar_feed.py)",
    "dev.mail_index": "development-only mail catcher (`portal dev`), never in production",
    "dev.mail_view": "development-only mail catcher (`portal dev`), never in production",
    "dev.mail_html": "an email's HTML for the mail catcher's sandboxed frame (tests/devtools/test_mail_catcher.py)",
    "auth.sso_start": "redirects to the firm's OpenID provider (tests/auth/test_sso.py)",
    "auth.sso_callback": "the OpenID provider's answer, redirects (tests/auth/test_sso.py)",
    "auth.two_factor_code": "the sign-in's second step: only after a correct password of staff with "
    "two-factor (no crawl login has it); tests/auth/test_two_factor.py renders it",
    "candidate.interview_ics": "an interview's invitation as an .ics file, not a page (tests/candidate/test_interviews.py)",
    "auth.two_factor_setup": "the sign-in's enrolment step: only when the firm requires two-factor "
    "(the demo firm does not); tests/auth/test_two_factor.py renders it",
    "careers.sitemap": "/sitemap.xml for search engines, not a page (tests/careers/test_public_crawl.py)",
    "careers.robots": "/robots.txt for crawlers, not a page (tests/careers/test_public_crawl.py)",
    "careers.jobs_xml": "the aggregators' XML job feed, not a page (tests/careers/test_public_crawl.py)",
    "api-docs.openapi_json": "the API's OpenAPI document (JSON, not a page)",
    "language.visit": "the language switcher's GET form: redirects back with a cookie (a signed-in person "
    "gets a confirm page; tests/careers/test_language.py)",
    **{
        f"api.{name}": "a JSON endpoint of the REST API (tests/api/, Schemathesis)"
        for name in (
            "Candidates CandidateItem CandidateCV CandidateNotes Clients ClientItem Searches SearchItem "
            "Candidacies CandidacyItem CandidacyFeedback CandidacyNotes CandidacyConsents consent_item "
            "Messages message_item Interviews interview_item Applications application_item"
        ).split()
    },
}

# Who signs in: two candidates (one with an open search, feedback, a CV and a consent to
# answer; one with a closed candidacy and an update for the recruiter), a recruiter, an admin.
LOGINS = [
    ("anonymous", None),
    ("candidate", "candidate11@demo.example"),
    ("candidate", "candidate8@demo.example"),
    ("recruiter", "recruiter@demo.example"),
    ("admin", "admin@demo.example"),
]

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 240),
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ')}))
  }));
}"""

# What axe-core 4.x no longer reports (duplicate ids) or cannot know (which control a label or a
# description should name, one h1, an error summary that links to each field it is about).
STRUCTURE = """() => {
  const problems = [];
  const describe = el => `<${el.tagName.toLowerCase()}${el.name ? ' name=' + el.name : ''}${el.id ? ' id=' + el.id : ''}>`;
  const counts = new Map();
  for (const el of document.querySelectorAll('[id]')) counts.set(el.id, (counts.get(el.id) || 0) + 1);
  for (const [id, n] of counts) if (n > 1) problems.push(`id="${id}" is used ${n} times`);
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(`${h1} h1 elements (exactly one expected)`);
  const labelable = ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'METER', 'OUTPUT', 'PROGRESS'];
  for (const label of document.querySelectorAll('label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target || !labelable.includes(target.tagName) || target.type === 'hidden')
      problems.push(`label "${label.textContent.trim()}" names for="${label.htmlFor}": ` +
                    (target ? describe(target) + ', not a form control' : 'no such element'));
  }
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage'])
    for (const el of document.querySelectorAll(`[${attr}]`))
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean))
        if (!document.getElementById(id)) problems.push(`${attr} of ${describe(el)} names a missing id "${id}"`);
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const form = el.form || el.closest('form');
    const summary = form && (form.querySelector('.error-summary') ||
                             form.parentElement.querySelector(':scope > .error-summary'));
    if (!summary) problems.push(`${describe(el)} is invalid but its form has no error summary`);
    else if (!summary.querySelector(`a[href="#${CSS.escape(el.id)}"]`))
      problems.push(`the error summary does not link to the invalid field ${describe(el)}`);
  }
  for (const a of document.querySelectorAll('.error-summary a[href^="#"]'))
    if (!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
      problems.push(`the error summary links to a missing id ${a.getAttribute('href')}`);
  return problems;
}"""

PROBE = """async (url) => {
  const r = await fetch(url, {credentials: 'same-origin'});
  return {status: r.status, url: r.url, type: r.headers.get('content-type') || ''};
}"""

LINKS = "els => els.map(a => a.href)"

# The forms worth submitting empty: POST forms with a required text-like field or a file input.
FORMS = """() => Array.from(document.querySelectorAll('form')).map((f, i) => ({
  index: i, action: f.action, method: (f.getAttribute('method') || 'get').toLowerCase(),
  clearable: Array.from(f.elements).some(e =>
    (e.type === 'file') ||
    (e.required && (e.tagName === 'TEXTAREA' || ['text', 'email', 'password', 'number', 'date', 'url',
                                                  'tel', 'search'].includes(e.type))))
}))"""

SUBMIT_EMPTY = """(index) => {
  const f = document.querySelectorAll('form')[index];
  f.noValidate = true;
  for (const e of f.elements) {
    if (e.tagName === 'TEXTAREA' || ['text', 'email', 'password', 'number', 'date', 'url', 'tel',
                                     'search', 'file'].includes(e.type)) e.value = '';
  }
  const submit = f.querySelector('button[type=submit], input[type=submit], button:not([type])');
  f.requestSubmit(submit || undefined);
}"""


@dataclass
class Findings:
    violations: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    reached: dict[str, set[str]] = field(default_factory=dict)  # endpoint -> roles
    pages: int = 0
    error_states: int = 0
    axe_seconds: float = 0.0

    def reach(self, endpoint: str, role: str) -> None:
        self.reached.setdefault(endpoint, set()).add(role)


@pytest.fixture(scope="module")
def axe_source():
    if not AXE_JS.exists():
        msg = f"axe-core is not installed at {AXE_JS.relative_to(ROOT)} (run `npm ci`; `make test` does)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return AXE_JS.read_text(encoding="utf-8")


def _world(app, live_server, client_for, run_jobs, smtp_sink) -> list[str]:
    """The demo firms, plus what the demo lacks: CVs, a pending invitation, a reset link, a sign-in link.
    Returns every link the worker emailed (the anonymous visitor's way in)."""
    # Links in emails point at the firm's host on the live server's port.
    app.config["PUBLIC_PORT_SUFFIX"] = f":{live_server.port}"
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = app.config["DEMO_PASSWORD"]
    firm = SimpleNamespace(slug=FIRM)

    def signed_in(email):
        c = client_for(firm)
        login_as(c, SimpleNamespace(email=email), password)
        return c

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for email in ("candidate@demo.example", "candidate11@demo.example"):  # the first in the pool, and Tomás
        resp = signed_in(email).post(
            "/me/profile/cv", data={"cv": (io.BytesIO(pdf), "cv.pdf")}, content_type="multipart/form-data"
        )
        assert resp.status_code == 303, resp.status_code
    resp = signed_in("admin@demo.example").post(
        "/admin/staff/invite", data={"name": "Robin New", "email": "robin.new@demo.example", "role": "recruiter"}
    )
    assert resp.status_code in (302, 303), resp.status_code
    resp = signed_in("admin@demo.example").post(  # a webhook endpoint: its page and delivery log
        "/admin/webhooks", data={"url": "http://127.0.0.1:9/hook", "event_types": ["candidate.created"]}
    )
    assert resp.status_code == 303, resp.status_code
    assert client_for(firm).post("/reset", data={"email": "candidate@demo.example"}).status_code in (200, 302, 303)
    assert client_for(firm).post("/login/link", data={"email": "candidate8@demo.example"}).status_code == 302

    # The careers site: the demo's open searches advertised (the candidates' role pages then
    # offer "Share this job"); the application and talent-pool forms and their thank-you pages.
    from sqlalchemy import select

    from portal.models import Firm, Search, SearchState
    from tests.factories import firm_context

    with firm_context(app) as s:
        open_ids = list(
            s.scalars(
                select(Search.id)
                .join(Firm, Firm.id == Search.firm_id)
                .where(Firm.slug == FIRM, Search.state == SearchState.OPEN)
            )
        )
        for sid in open_ids:
            s.get(Search, sid).advertised = True
    origin = f"http://{FIRM}.localhost:{live_server.port}"
    careers = [f"{origin}/careers/jobs/{open_ids[0]}/apply", f"{origin}/careers/jobs/{open_ids[0]}/applied"]
    careers += [f"{origin}/careers/join", f"{origin}/careers/joined"]
    # Interviews (until the demo data has some): Tomás has a proposed, a set and a moving one.
    demo_interviews(app, FIRM, "candidate11@demo.example")

    run_jobs()
    _ask_surveys(app, run_jobs)
    links = list(careers)
    for message in smtp_sink.messages:
        body = message.email.get_body(preferencelist=("plain",))
        links += re.findall(r"https?://[^\s<>\"')]+", body.get_content() if body is not None else "")
        links += re.findall(r"<(https?://[^>]+)>", str(message.email.get("List-Unsubscribe", "")))
    return links + _job_alert_links(app, live_server, client_for, run_jobs, smtp_sink)


def _ask_surveys(app, run_jobs) -> None:
    """The experience survey's email (its links open the public survey page): a day after the
    demo's close-the-loop messages went out."""
    from datetime import timedelta

    from sqlalchemy import select

    from portal.models import Firm, utcnow
    from portal.services import surveys
    from tests.factories import firm_context

    with firm_context(app) as s:
        demo_id = s.scalar(select(Firm.id).where(Firm.slug == FIRM))
    with firm_context(app, demo_id) as s:
        assert surveys.plan_surveys(s.get(Firm, demo_id), utcnow() + timedelta(days=1, minutes=1)) >= 1
    run_jobs()


def _job_alert_links(app, live_server, client_for, run_jobs, smtp_sink) -> list[str]:
    """The job-alert pages' ways in: the form, its answer page, a pending alert's confirmation
    link and a digest's one-click unsubscribe link (the confirmed alert's own link is spent)."""
    from sqlalchemy import select

    from portal.models import Firm, Search, SearchState, utcnow
    from portal.services import job_alert_digest
    from tests.factories import firm_context

    firm = SimpleNamespace(slug=FIRM)
    start = len(smtp_sink.messages)
    assert client_for(firm).post("/careers/alerts", data={"email": "fan@visitor.example"}).status_code == 303
    run_jobs()
    body = smtp_sink.messages[-1].email.get_body(preferencelist=("plain",)).get_content()
    spent = re.search(r"https?://\S+/careers/alerts/confirm/\S+", body).group(0)
    assert client_for(firm).post(urlsplit(spent).path).status_code == 200
    with firm_context(app) as s:
        demo = s.scalar(select(Firm).where(Firm.slug == FIRM))
        search = s.scalars(select(Search).where(Search.firm_id == demo.id, Search.state == SearchState.OPEN)).first()
        search.advertised, search.advertised_at = True, utcnow()
        demo_id = demo.id
    with firm_context(app, demo_id) as s:
        assert job_alert_digest.plan_digests(s.get(Firm, demo_id), utcnow()) == 1
    assert client_for(firm).post("/careers/alerts", data={"email": "later@visitor.example"}).status_code == 303
    run_jobs()
    links = [f"http://{FIRM}.localhost:{live_server.port}/careers/alerts/sent"]
    for message in smtp_sink.messages[start:]:
        links += re.findall(
            r"https?://\S+/careers/alerts/confirm/\S+", message.email.get_body(("plain",)).get_content()
        )
        links += re.findall(r"<(https?://[^>]+)>", str(message.email.get("List-Unsubscribe", "")))
    assert any("/unsubscribe/" in link for link in links)
    return [link for link in links if link != spent]


class Crawler:
    """Crawls the demo firm as one sign-in after another. Staff pages look the same to every
    staff member, so each of their URLs is checked once; each candidate has their own portal,
    so a candidate's URLs are checked per candidate. Links are followed either way."""

    def __init__(self, app, live_server, browser, axe_source, findings: Findings):
        self.app, self.browser, self.axe, self.findings = app, browser, axe_source, findings
        self.origin = f"http://{FIRM}.localhost:{live_server.port}"
        self.adapter = app.url_map.bind(f"{FIRM}.localhost:{live_server.port}")
        self.checked: set[tuple[str, str]] = set()  # (whose view, URL)
        self.forms_checked: set[tuple[str, str]] = set()  # (page route, form action)

    def endpoint(self, url: str) -> str | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        try:
            endpoint, _ = self.adapter.match(parts.path, method="GET")
        except HTTPException:
            return None
        return endpoint

    def check(self, page, where: str) -> None:
        """Our structure checks, then axe-core at each viewport; record every violation."""
        started = time.monotonic()
        for problem in page.evaluate(STRUCTURE):
            self.findings.violations.append(f"{where}: {problem}")
        page.evaluate(self.axe)
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for v in page.evaluate(AXE_RUN):
                nodes = "\n".join(f"      {n['target']}: {n['html']}\n        {n['summary']}" for n in v["nodes"])
                self.findings.violations.append(
                    f"{where} at {viewport['width']} px: {v['id']} ({v['impact']}) {v['help']}\n{nodes}"
                )
        page.set_viewport_size(VIEWPORTS[0])
        self.findings.axe_seconds += time.monotonic() - started

    def crawl(self, role: str, email: str | None, password: str, seeds: list[str]) -> None:
        scope = email if role == "candidate" else "staff"
        context = self.browser.new_context(viewport=VIEWPORTS[0])
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if email:
                page.goto(self.origin + "/login")
                page.fill("#email", email)
                page.fill("#password", password)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                assert "/login" not in page.url, f"{email} could not sign in"
            forms = self._crawl_links(page, role, email or "", scope, [self.origin + "/", *seeds])
            self._submit_empty(page, role, email or "", forms)
        finally:
            context.close()

    def _crawl_links(self, page, role, who, scope, seeds):
        queue = deque(seeds)
        seen: set[str] = set()
        per_route: Counter = Counter()
        forms: dict[tuple, tuple[str, int]] = {}
        while queue:
            url = urldefrag(queue.popleft())[0]
            endpoint = self.endpoint(url)
            if url in seen or endpoint is None or per_route[endpoint] >= URLS_PER_ROUTE:
                continue
            seen.add(url)
            if page.url.startswith(self.origin):
                probe = page.evaluate(PROBE, url)
            else:  # before the first page: nothing to fetch from yet
                probe = {"status": 200, "url": url, "type": "text/html"}
            if probe["status"] >= 400:
                self.findings.broken.append(f"{role} {who}: {url} answered {probe['status']}")
                continue
            if not probe["type"].startswith("text/html"):
                per_route[endpoint] += 1
                self.findings.reach(endpoint, role)  # a download: reached, not a page
                continue
            response = page.goto(url)
            final = urldefrag(page.url)[0]
            final_endpoint = self.endpoint(final)
            if final != url:
                if final in seen:
                    continue
                seen.add(final)
            if final_endpoint is None:
                continue
            if response is not None and response.status >= 400:
                self.findings.broken.append(f"{role} {who}: {url} answered {response.status}")
                continue
            per_route[final_endpoint] += 1
            self.findings.reach(final_endpoint, role)
            if (scope, final) not in self.checked:
                self.checked.add((scope, final))
                self.findings.pages += 1
                self.check(page, f"{role} {who} {final}")
            for form in page.evaluate(FORMS):
                action_endpoint = self.endpoint(urldefrag(form["action"])[0]) or form["action"]
                key = (final_endpoint, action_endpoint)  # one error state per form and page, for all
                if form["method"] == "post" and form["clearable"] and key not in self.forms_checked:
                    self.forms_checked.add(key)
                    forms[key] = (final, form["index"])
            queue.extend(page.eval_on_selector_all("a[href]", LINKS))
        return forms

    def _submit_empty(self, page, role, who, forms):
        """Each form submitted with its fields emptied: the error state passes axe too."""
        for (_, action), (url, index) in forms.items():
            page.goto(url)
            with page.expect_navigation():
                page.evaluate(SUBMIT_EMPTY, index)
            page.wait_for_load_state()
            self.findings.error_states += 1
            self.check(page, f"{role} {who} {url} after submitting form #{index} ({action}) empty")


@pytest.mark.browser
def test_every_page_of_every_role_passes_axe(app, live_server, browser, axe_source, client_for, run_jobs, smtp_sink):
    started = time.monotonic()
    seeds = _world(app, live_server, client_for, run_jobs, smtp_sink)
    world_seconds = time.monotonic() - started
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: every form carries its token (and its id)
    password = app.config["DEMO_PASSWORD"]
    findings = Findings()
    crawler = Crawler(app, live_server, browser, axe_source, findings)
    seeds.append(crawler.origin + "/careers/")  # the public careers site: job board and job pages
    for role, email in LOGINS:
        crawler.crawl(role, email, password, seeds if email is None else [])

    routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    missed = sorted(routes - set(findings.reached) - set(NOT_PAGES))
    print(
        f"\naxe-core: {findings.pages} pages and {findings.error_states} forms in their error state, "
        f"each at {len(VIEWPORTS)} widths; routes reached: {len(findings.reached)} of {len(routes)}; "
        f"{time.monotonic() - started:.0f} s (data {world_seconds:.0f} s, checks {findings.axe_seconds:.0f} s)"
    )
    problems = []
    if findings.violations:
        problems.append(f"{len(findings.violations)} accessibility violations:\n" + "\n".join(findings.violations))
    if findings.broken:
        problems.append("links that do not work:\n" + "\n".join(findings.broken))
    if missed:
        problems.append(
            "GET routes no role's crawl reached (link them from a page, or add them to "
            "NOT_PAGES with the reason): " + ", ".join(missed)
        )
    assert not problems, "\n\n".join(problems)
