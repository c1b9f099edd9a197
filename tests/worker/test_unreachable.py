"""Failed mail is not contact, and a candidate we cannot reach stands at the top of their
recruiter's needs-attention and digest (Trust items 9 and 10), against the real SMTP sink."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, Candidate, ContactRecord, Firm, Message, MessageState, Stage, utcnow
from portal.services import cadence, cadence_digest
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, flashes, make_search, people
from tests.support.worker import message, messages, send_plain


@pytest.fixture
def rec(app, firms, client_for):
    """A client signed in as firm A's recruiter (the recruiter tests' fixture)."""
    from types import SimpleNamespace

    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    return SimpleNamespace(client=c, f=firms.a, firms=firms)


def _section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start : html.find("</section>", start)]


def _cand(app, f, cid) -> Candidate:
    with firm_context(app, f.firm) as s:
        c = s.get(Candidate, cid)
        s.expunge(c)
    return c


def _active_with_old_contact(app, f, run_jobs, days=5, **kw):
    """An active candidate whose last update reached them `days` ago."""
    (c,) = people(app, f, 1, **kw)
    add(app, f, make_search(app, f), c, Stage.CONTACTED)
    run_jobs()
    with firm_context(app, f.firm) as s:
        then = utcnow() - timedelta(days=days)
        for m in s.scalars(select(Message).where(Message.candidate_id == c.id)):
            m.created_at = then
        s.get(Candidate, c.id).last_contacted_at = then
    return c, then


def test_a_permanently_failed_update_is_not_contact(app, rec, run_jobs, smtp_sink):
    f = rec.f
    c, then = _active_with_old_contact(app, f, run_jobs, days=9)
    assert c.name in _section(rec.client.get("/recruiter/").get_data(as_text=True), "overdue")
    smtp_sink.reply = "550 5.1.1 mailbox unavailable"
    mid = send_plain(app, f.firm, c, change="Your interview is confirmed")
    assert _cand(app, f, c.id).last_contacted_at > then  # on its way: counts for now
    run_jobs()
    assert message(app, mid).state == MessageState.FAILED
    row = _cand(app, f, c.id)
    # Back to the last real contact (recomputed), so they are overdue again at once.
    assert row.last_contacted_at == then and row.unreachable_since is not None
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert c.name in _section(html, "overdue") and "9 days without an update" in _section(html, "overdue")
    top = _section(html, "unreachable")
    assert html.index('id="unreachable"') < html.index('id="overdue"')
    assert c.name in top and "could not be delivered" in top and "550 5.1.1 mailbox unavailable" in top
    assert f"/recruiter/candidates/{c.id}/edit" in top and "Fix the address" in top
    assert f"/recruiter/candidates/{c.id}#contact" in top and "told them another way" in top


def test_a_dead_mailbox_stands_at_the_top_and_the_close_the_loop_is_not_lost(app, rec, run_jobs, smtp_sink):
    f = rec.f
    c, then = _active_with_old_contact(app, f, run_jobs, days=2, name="Dora Dead")
    smtp_sink.reply = "550 5.1.1 no such user"
    for i in range(3):
        send_plain(app, f.firm, c, change=f"News {i}")
        run_jobs()
    row = _cand(app, f, c.id)
    assert row.email_suppressed and row.last_contacted_at == then and row.unreachable_since
    closing = send_plain(app, f.firm, c, kind="test_event", change="The role was filled")
    run_jobs()
    assert message(app, closing).state == MessageState.SKIPPED
    top = _section(rec.client.get("/recruiter/").get_data(as_text=True), "unreachable")
    assert "Dora Dead" in top and "refused again and again" in top
    # The digest names them first, with the reason and what to do.
    with firm_context(app, f.firm) as s:
        cadence_digest.plan_recruiter_digests(s.get(Firm, f.firm.id), utcnow())
    digest = {m.recipient_user_id: m for m in messages(app, kind="recruiter_digest")}[f.recruiter.id]
    text = digest.body_text
    assert "cannot reach" in text and "Dora Dead" in text and "refused again and again" in text
    assert (
        text.index("cannot reach")
        < text.index("Dora Dead")
        < min(
            (text.index(t) for t in ("Overdue", "Emails that could not be delivered") if t in text), default=len(text)
        )
    )
    assert "Dora Dead" in digest.body_html and "fix the address" in digest.body_html
    # The planner does not keep writing check-ins nobody receives while they are marked.
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        cadence.plan_checkins(firm, utcnow(), horizon=utcnow() + timedelta(days=30))
    assert not [m for m in messages(app, kind="checkin") if m.candidate_id == c.id]


def test_recording_contact_another_way_counts_and_is_audited(app, rec, run_jobs, smtp_sink):
    f = rec.f
    c, then = _active_with_old_contact(app, f, run_jobs, days=9)
    smtp_sink.reply = "550 no such user"
    send_plain(app, f.firm, c)
    run_jobs()
    page = rec.client.get(f"/recruiter/candidates/{c.id}").get_data(as_text=True)
    assert 'id="contact"' in page and "Our updates do not reach" in page
    today = utcnow().date()
    # Bad input is a clear form error, never a 500, and records nothing.
    for data, words in (
        ({"contact_kind": "call", "contact_on": "2026-13-45"}, "Not a valid date"),
        ({"contact_kind": "call", "contact_on": (today + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"contact_kind": "pigeon", "contact_on": today.isoformat()}, "Not a valid choice"),
        ({"contact_kind": "call", "contact_on": today.isoformat(), "contact_note": "<b>x</b>"}, "Contact not recorded"),
    ):
        resp = rec.client.post(f"/recruiter/candidates/{c.id}/contact", data=data, follow_redirects=True)
        assert resp.status_code == 200 and words in flashes(resp.get_data(as_text=True)), data
    assert _cand(app, f, c.id).last_contacted_at == then
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/contact",
        follow_redirects=True,
        data={"contact_kind": "call", "contact_on": today.isoformat(), "contact_note": "Called: the address bounces."},
    )
    assert "It counts as contact" in flashes(resp.get_data(as_text=True))
    row = _cand(app, f, c.id)
    assert row.last_contacted_at > utcnow() - timedelta(minutes=1) and row.unreachable_since is None
    with firm_context(app, f.firm) as s:
        rec_row = s.scalar(select(ContactRecord))
        assert (rec_row.kind.value, rec_row.note, rec_row.author_id) == (
            "call",
            "Called: the address bounces.",
            f.recruiter.id,
        )
        entries = [(e.action, e.target) for e in s.scalars(select(AuditEntry))]
    assert ("contact.recorded", f"candidate:{c.id}") in entries
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert c.name not in _section(html, "overdue") and 'id="unreachable"' not in html
    activity = rec.client.get(f"/recruiter/candidates/{c.id}/activity").get_data(as_text=True)
    assert "Contact recorded: Phone or video call" in activity
    # A later failure does not undo a recorded contact: it stays the last real contact.
    send_plain(app, f.firm, c)
    run_jobs()
    assert _cand(app, f, c.id).last_contacted_at == row.last_contacted_at


def test_fixing_the_address_lifts_the_suppression_and_an_email_that_arrives_lifts_the_mark(
    app, rec, run_jobs, smtp_sink
):
    f = rec.f
    c, _ = _active_with_old_contact(app, f, run_jobs, days=3)
    smtp_sink.reply = "550 no such user"
    ids = [send_plain(app, f.firm, c) for _ in range(3)]
    run_jobs()
    assert _cand(app, f, c.id).email_suppressed
    html = rec.client.get("/recruiter/").get_data(as_text=True)
    assert c.name in _section(html, "unreachable")
    assert "Send again" not in _section(html, "unreachable"), "the address is suppressed"
    smtp_sink.reply = None
    resp = rec.client.post(
        f"/recruiter/candidates/{c.id}/edit", data={"name": c.name, "email": "fixed@example.com", "job_seeking": "open"}
    )
    assert resp.status_code == 303
    row = _cand(app, f, c.id)
    assert not row.email_suppressed and row.email_failures == 0
    top = _section(rec.client.get("/recruiter/").get_data(as_text=True), "unreachable")
    assert "The address is now fixed@example.com" in top and "Send again" in top
    smtp_sink.messages.clear()
    rec.client.post(f"/recruiter/attention/failed/{ids[-1]}/retry")
    run_jobs()
    assert [m.rcpt_tos for m in smtp_sink.wait_for(1)] == [["fixed@example.com"]]
    row = _cand(app, f, c.id)
    assert row.unreachable_since is None and row.last_contacted_at > utcnow() - timedelta(minutes=1)
    assert 'id="unreachable"' not in rec.client.get("/recruiter/").get_data(as_text=True)


def test_no_address_is_unreachable_and_scoped_to_the_firm(app, rec, run_jobs, smtp_sink):
    f, b = rec.f, rec.firms.b
    (c,) = people(app, f, 1, email=None)
    add(app, f, make_search(app, f), c, Stage.CONTACTED)
    run_jobs()
    top = _section(rec.client.get("/recruiter/?show=unreachable").get_data(as_text=True), "unreachable")
    assert c.name in top and "no email address" in top
    assert re.search(r"not reached (today|for \d+ day)", top)
    # Another firm's unreachable candidate is not listed, and theirs are not ours.
    with firm_context(app, b.firm) as s:
        s.get(Candidate, b.candidate.id).unreachable_since = utcnow()
    assert b.candidate.name not in rec.client.get("/recruiter/?scope=firm").get_data(as_text=True)


def test_the_unreachable_list_costs_the_same_for_one_or_many(app, rec, count_queries):

    f = rec.f
    s = make_search(app, f)

    def mark(n):
        for c in people(app, f, n, email=None):
            add(app, f, s, c, Stage.CONTACTED)
            with firm_context(app, f.firm) as sess:
                sess.get(Candidate, c.id).unreachable_since = utcnow()

    mark(1)
    counts = {}
    for url in ("/recruiter/", "/recruiter/?scope=firm", "/recruiter/?show=unreachable"):
        rec.client.get(url)
        with count_queries() as q:
            rec.client.get(url)
        counts[url] = q.count
    mark(14)
    for url, before in counts.items():
        with count_queries() as q:
            html = rec.client.get(url).get_data(as_text=True)
        assert q.count == before, url
        assert _section(html, "unreachable").count('/edit"') == (15 if "show" in url else 10), url


@pytest.mark.browser
def test_unreachable_row_and_contact_form_on_a_phone_without_javascript(app, firms, live_server, browser):
    """375 px wide, JavaScript off: the row's actions and the form work and nothing overflows."""
    from tests.support.fixtures.browser import screenshot

    f = firms.a
    (c,) = people(app, f, 1, email=None, name="Nadia Noaddress")
    add(app, f, make_search(app, f), c, Stage.CONTACTED)
    with firm_context(app, f.firm) as s:
        s.get(Candidate, c.id).unreachable_since = utcnow()
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = ctx.new_page()
    try:
        page.goto(live_server.url(f.firm, "/login"))
        page.fill("#email", f.recruiter.email)
        page.fill("#password", "correct-horse-battery")
        page.click("button[type=submit]")
        page.wait_for_url("**/recruiter/")
        page.goto(live_server.url(f.firm, "/recruiter/"))
        row = page.locator("#unreachable li", has_text="Nadia Noaddress")
        assert "no email address" in row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "unreachable-dashboard-phone")
        with page.expect_navigation():
            row.get_by_role("link", name="Record that you told them another way").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.select_option("#contact_kind", "meeting")
        page.fill("#contact_note", "Met at the office; told them the news.")
        with page.expect_navigation():
            page.click("#contact button[type=submit]")
        assert "It counts as contact" in page.inner_text("body")
        screenshot(page, "unreachable-contact-recorded-phone")
        assert _cand(app, f, c.id).unreachable_since is None
    finally:
        ctx.close()
