"""/dev/mail shows each caught email as the addressee receives it (issue 16, item 2): the headers
that matter, the HTML part in a sandboxed frame served from its own address under a CSP of its
own (no script runs, nothing loads from elsewhere), and the text part. The page passes axe-core.
The emails are a real one (sent by the worker over SMTP) and a hostile one (a script in it)."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from portal.devtools.mail import EMAIL_CSP
from portal.extensions import db
from portal.models import Candidacy, Stage
from portal.services import feedback as feedback_service
from tests.factories import firm_context
from tests.support.fixtures.browser import screenshot
from tests.support.recruiter import add, make_search, move
from tests.support.worker import make_due
from worker import jobs

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

HOSTILE_HTML = """<!doctype html><html><head><title>Hi</title>
<script>console.log('email-script-ran'); alert('email-script-ran');
try { parent.document.title = 'framed page reached'; } catch (e) { console.log('email-script-ran ' + e); }
</script></head>
<body style="font-family:sans-serif"><p id="visible" style="color:#1d2430">A styled paragraph.</p>
<img src="https://tracker.invalid/pixel.png" alt="">
<img src="x" onerror="console.log('email-script-ran onerror')" alt="">
<a href="javascript:alert('email-script-ran')">click</a></body></html>"""


@pytest.fixture
def catcher(app, tmp_path, monkeypatch):
    """The mail catcher's folder for this test (what `portal dev` saves)."""
    monkeypatch.setitem(app.config, "MAIL_CATCHER_DIR", str(tmp_path))
    return tmp_path


def _hostile(folder: Path) -> str:
    msg = EmailMessage()
    msg["From"] = "Alpha Search <hello@alpha.example>"
    msg["Reply-To"] = "recruiter@alpha.example"
    msg["To"] = "candidate@alpha.example"
    msg["Subject"] = "A hostile email"
    msg["Date"] = "Sun, 06 Dec 2026 10:00:00 +0000"
    msg["Message-ID"] = "<hostile@alpha.example>"
    msg["List-Unsubscribe"] = "<http://alpha.localhost/unsubscribe/abc>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("The text part: plain words.\n")
    msg.add_alternative(HOSTILE_HTML, subtype="html")
    name = "20261206-100000-1-00001.eml"
    (folder / name).write_bytes(msg.as_bytes())
    return name


def _real(app, firms, run_jobs, smtp_sink, folder: Path) -> str:
    """A merged update to a candidate, sent by the worker over SMTP, saved as the catcher does."""
    f = firms.a
    cy = add(app, f, make_search(app, f, title="Catcher Lead"), f.candidate, Stage.CONTACTED)
    app.config["GRACE_SECONDS"] = 300
    with firm_context(app, f.firm):
        feedback_service.post_feedback(f.firm, f.recruiter, db.session.get(Candidacy, cy.id), "Good call today.")
    move(app, f, cy, Stage.SCREENING)
    smtp_sink.reset()
    make_due(app)
    jobs.relay()
    run_jobs()
    (sent,) = [m for m in smtp_sink.messages if "Catcher Lead" in m.email["Subject"]]
    name = "20261206-110000-1-00002.eml"
    (folder / name).write_bytes(sent.data)
    return name


def test_the_page_shows_the_headers_the_text_and_a_sandboxed_frame(app, client_for, firms, catcher):
    name = _hostile(catcher)
    c = client_for(firms.a.firm)
    page = c.get(f"/dev/mail/{name}").get_data(as_text=True)
    for header, value in (
        ("From", "Alpha Search &lt;hello@alpha.example&gt;"),
        ("Reply-To", "recruiter@alpha.example"),
        ("To", "candidate@alpha.example"),
        ("List-Unsubscribe", "&lt;http://alpha.localhost/unsubscribe/abc&gt;"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Message-ID", "&lt;hostile@alpha.example&gt;"),
    ):
        assert f"<dt>{header}</dt><dd>{value}</dd>" in page, header
    assert "The text part: plain words." in page
    assert "<script>console.log" not in page, "the email's HTML is never inlined into the page"
    (frame,) = re.findall(r"<iframe[^>]*>", page)
    sandbox = re.search(r'sandbox="([^"]*)"', frame).group(1).split()
    assert "allow-scripts" not in sandbox and "allow-same-origin" not in sandbox
    assert f'src="/dev/mail/{name}/html"' in frame

    resp = c.get(f"/dev/mail/{name}/html")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    csp = resp.headers["Content-Security-Policy"]
    assert csp == EMAIL_CSP
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert "allow-scripts" not in directives["sandbox"] and "allow-same-origin" not in directives["sandbox"]
    assert directives["img-src"] == "data: 'self'" and directives["frame-ancestors"] == "'self'"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "A styled paragraph." in resp.get_data(as_text=True)
    # The page itself keeps the portal's strict policy.
    assert "script-src 'self'" in c.get(f"/dev/mail/{name}").headers["Content-Security-Policy"]


def test_unknown_or_odd_names_are_404(app, client_for, firms, catcher):
    c = client_for(firms.a.firm)
    (catcher / "plain.eml").write_bytes(b"Subject: text only\r\n\r\nno html\r\n")
    assert c.get("/dev/mail/plain.eml/html").status_code == 404  # no HTML part
    assert c.get("/dev/mail/plain.eml").status_code == 200
    for bad in ("../secret.eml", "nope.eml", "x.txt"):
        assert c.get(f"/dev/mail/{bad}/html").status_code == 404


def test_a_script_in_a_caught_email_never_runs_and_the_page_passes_axe(
    app, firms, run_jobs, smtp_sink, catcher, live_server, browser
):
    hostile, real = _hostile(catcher), _real(app, firms, run_jobs, smtp_sink, catcher)
    base = f"http://localhost:{live_server.port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        console, dialogs = [], []
        page.on("console", lambda m: console.append(m.text))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/dev/mail/{hostile}")
        frame = page.frame_locator("iframe.email-frame")
        assert frame.locator("#visible").inner_text() == "A styled paragraph."
        page.wait_for_timeout(300)
        assert not [m for m in console if "email-script-ran" in m], console
        assert dialogs == [] and page.title() != "framed page reached"
        color = frame.locator("#visible").evaluate("el => getComputedStyle(el).color")
        assert color == "rgb(29, 36, 48)", "the email's inline styles apply"

        page.goto(f"{base}/dev/mail/{real}")
        assert "Where you stand now" in page.frame_locator("iframe.email-frame").locator("body").inner_text()
        assert "Good call today." in page.locator("pre.email-text").inner_text()
        screenshot(page, "dev-mail-1280")
        if not AXE_JS.exists():
            pytest.skip("axe-core is not installed (run `npm ci`)")
        for name in (hostile, real):
            page.goto(f"{base}/dev/mail/{name}")
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # (evaluate is not subject to the CSP)
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
            )
            assert violations == [], violations
    finally:
        context.close()
