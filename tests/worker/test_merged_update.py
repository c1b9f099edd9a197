"""A merged update (issue 16, item 3): several changes to one candidacy inside the grace window
reach the candidate as ONE email that leads with where they stand now, then what happened
(oldest first), with one greeting, one sign-off and one button to the candidacy's page, and a
subject that says the news. Recorded by the real services, sent by the real worker over SMTP,
rendered in Chromium on a 375 px phone."""

from __future__ import annotations

import html as html_lib
import re

from portal.extensions import db
from portal.models import Candidacy, Firm, MessageState, Stage
from portal.outbox import links
from portal.services import feedback as feedback_service
from portal.services import pipeline
from tests.factories import firm_context
from tests.support.fixtures.browser import screenshot
from tests.support.recruiter import add, approve_consent, make_search, move
from tests.support.worker import make_due, messages
from worker import jobs


def _cy(cid: int) -> Candidacy:
    return db.session.get(Candidacy, cid)


def _five_updates(app, f, run_jobs, smtp_sink):
    """Presented, feedback, interviewing, offer, placed: five changes inside one grace window,
    sent as one email. Returns the candidacy and the delivered email."""
    cy = add(app, f, make_search(app, f, title="Platform Lead", client="Initech"), f.candidate, Stage.SCREENING)
    approve_consent(app, f, cy)
    run_jobs()  # the consent request and its answer go out on their own
    smtp_sink.reset()
    app.config["GRACE_SECONDS"] = 300
    move(app, f, cy, Stage.PRESENTED)
    with firm_context(app, f.firm):
        feedback_service.post_feedback(f.firm, f.recruiter, _cy(cy.id), "R&D loved your *systems* answers.")
    for stage in (Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED):
        move(app, f, cy, stage)
    key = pipeline.coalesce_key(cy)
    grouped = [m for m in messages(app) if m.coalesce_key == key and m.state == MessageState.PENDING]
    assert len(grouped) == 5 and len({m.due_at for m in grouped}) == 1
    make_due(app)
    jobs.relay()
    run_jobs()
    assert len(smtp_sink.messages) == 1, [m.email["Subject"] for m in smtp_sink.messages]
    assert all(m.state == MessageState.SENT for m in messages(app) if m.coalesce_key == key)
    return cy, smtp_sink.messages[0].email


def _blocks(html: str) -> list[str]:
    """The body's blocks as text, in order (paragraphs, the status box, list items)."""
    body = html[html.index("<!--portal:body-->") : html.index("<!--/portal:body-->")]
    parts = re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", body, re.S)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inner)).split()) for _, inner in parts]


def test_a_merged_update_leads_with_where_the_candidate_stands_and_says_the_news(app, firms, run_jobs, smtp_sink):
    f = firms.a
    cy, email = _five_updates(app, f, run_jobs, smtp_sink)
    assert email["Subject"] == "You got the job: Platform Lead at Initech"
    with firm_context(app, f.firm):
        page = links.search(db.session.get(Firm, f.firm.id), cy.id)
        name = f.candidate.name

    text = email.get_body(("plain",)).get_content()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == f"Hello {name},"
    assert lines[1].startswith("Where you stand now on Platform Lead at Initech")
    assert lines[2] == "You got the job", "the first block is the current status"
    happened = text[text.index("What happened:") :]
    order = ["Your profile is with the client", "wrote you feedback", "Interviewing", "Offer stage", "You got the job"]
    assert [happened.index(s) for s in order] == sorted(happened.index(s) for s in order), "oldest to newest"
    assert text.count("R&D loved your *systems* answers.") == 1
    assert text.count("Hello ") == 1 and text.count(page) == 1 and "#feedback" not in text
    assert text.count(f.recruiter.name) == 2  # the feedback's author line, and the one sign-off

    html = email.get_body(("html",)).get_content()
    assert "portal:merge" not in html, "the merge facts never leave the worker"
    blocks = _blocks(html)
    assert blocks[0] == f"Hello {name},"
    assert blocks[1].startswith("Where you stand now") and blocks[2] == "You got the job", blocks[:4]
    assert sum(b.startswith("Hello") for b in blocks) == 1
    buttons = re.findall(r'<a href="([^"]+)"[^>]*display:inline-block', html)
    assert buttons == [html_lib.escape(page)], "one button, to the candidacy's page"
    assert html.count("<em>systems</em>") == 1
    signoffs = [b for b in blocks if f.recruiter.name in b and "wrote you feedback" not in b]
    assert len(signoffs) == 1 and blocks[-1] == signoffs[0], "one sign-off, last"
    assert f"<title>{html_lib.escape(email['Subject'])}</title>" in html


def test_the_merged_update_is_short_on_a_phone(app, firms, run_jobs, smtp_sink, browser):
    """The old merged email for these five changes was 2,457 px tall at 375 px; this one is
    looked at in tests/artifacts/email-merged-update-375.png."""
    _, email = _five_updates(app, firms.b, run_jobs, smtp_sink)
    html = email.get_body(("html",)).get_content()
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_content(html)
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.evaluate("document.documentElement.scrollWidth")
        screenshot(page, "email-merged-update-375")
        status_top = page.get_by_text("You got the job", exact=True).first.bounding_box()
    finally:
        context.close()
    assert width <= 375, "no sideways scrolling"
    assert height < 1000, f"{height} px tall"
    assert status_top is not None and status_top["y"] < 300, "the news is on the first screen, near the top"


def test_a_single_change_is_sent_as_it_was_written_without_the_merge_facts(app, firms, run_jobs, smtp_sink):
    f = firms.a
    cy = add(app, f, make_search(app, f, title="Data Lead"), f.candidate, Stage.CONTACTED)
    make_due(app)
    jobs.relay()
    run_jobs()  # the first message about this search goes out on its own
    app.config["GRACE_SECONDS"] = 300
    move(app, f, cy, Stage.SCREENING)
    key = pipeline.coalesce_key(cy)
    stored = [m for m in messages(app) if m.coalesce_key == key and m.state == MessageState.PENDING]
    assert len(stored) == 1 and "<!--portal:merge" in stored[0].body_html
    smtp_sink.reset()
    make_due(app)
    jobs.relay()
    run_jobs()
    (sent,) = [m.email for m in smtp_sink.messages if "Data Lead" in m.email["Subject"]]
    assert sent["Subject"] == stored[0].subject
    html = sent.get_body(("html",)).get_content()
    assert "portal:merge" not in html and "Getting to know you" in html
