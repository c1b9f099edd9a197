"""The outbox: grace window, undo, changes to one candidacy merged into one email,
bulk recording, and enqueueing that survives a Redis outage."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from portal import outbox
from portal.extensions import db
from portal.models import Audience, Candidate, Firm, MessageState, Stage, utcnow
from portal.services import messages as messages_service
from tests.factories import firm_context
from tests.support.worker import (
    make_candidacy,
    make_due,
    make_search,
    message,
    messages,
    move_stage,
    send_plain,
    sink_counts,
)
from worker import jobs


def _cancel(app, firm, key, **kw) -> int:
    with firm_context(app, firm):
        return outbox.cancel_pending(key, **kw)


def test_grace_window_holds_recruiter_actions(app, firms, run_jobs, smtp_sink):
    app.config["GRACE_SECONDS"] = 300
    a = firms.a
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm, owner=a.recruiter))
    before = utcnow()
    mid = move_stage(app, a.firm, cy.id, Stage.PRESENTED)
    m = message(app, mid)
    assert m.state == MessageState.PENDING
    assert m.due_at >= before + timedelta(seconds=299)
    assert m.enqueued_at is None  # nothing enqueued until the window ends
    run_jobs()
    jobs.relay()  # not due yet: the relay leaves it alone
    run_jobs()
    assert smtp_sink.messages == []
    # The candidate's last contact moves at once (the portal shows the change at once too).
    with firm_context(app, a.firm) as s:
        assert s.get(Candidate, a.candidate.id).last_contacted_at >= before


def test_undo_within_the_window_cancels_and_restores_last_contact(app, firms, run_jobs, smtp_sink):
    a = firms.a
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm))
    first = send_plain(app, a.firm, a.candidate)  # an earlier, transactional message
    run_jobs()
    with firm_context(app, a.firm) as s:
        earlier = s.get(Candidate, a.candidate.id).last_contacted_at
    app.config["GRACE_SECONDS"] = 300
    mid = move_stage(app, a.firm, cy.id, Stage.INTERVIEWING)
    assert _cancel(app, a.firm, f"candidacy:{cy.id}") == 1
    assert message(app, mid).state == MessageState.CANCELLED
    with firm_context(app, a.firm) as s:
        assert s.get(Candidate, a.candidate.id).last_contacted_at == earlier
    make_due(app)
    jobs.relay()
    run_jobs()
    assert [m.email["Message-ID"] for m in smtp_sink.messages] == [f"<portal.{a.firm.id}.{first}@localhost>"]


def test_undo_of_one_kind_keeps_the_other_changes(app, firms):
    app.config["GRACE_SECONDS"] = 300
    a = firms.a
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm))
    stage = move_stage(app, a.firm, cy.id, Stage.INTERVIEWING)
    note = move_stage(app, a.firm, cy.id, Stage.INTERVIEWING, kind="feedback")
    assert _cancel(app, a.firm, f"candidacy:{cy.id}", kind="stage_moved") == 1
    assert message(app, stage).state == MessageState.CANCELLED
    assert message(app, note).state == MessageState.PENDING


def test_changes_in_the_window_become_one_email_listing_each(app, firms, run_jobs, smtp_sink):
    app.config["GRACE_SECONDS"] = 300
    a = firms.a
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm))
    ids = [
        move_stage(app, a.firm, cy.id, Stage.PRESENTED),
        move_stage(app, a.firm, cy.id, Stage.INTERVIEWING, kind="feedback"),
        move_stage(app, a.firm, cy.id, Stage.OFFER),
    ]
    rows = [message(app, i) for i in ids]
    assert len({r.due_at for r in rows}) == 1, "later changes join the first one's window"
    make_due(app)
    jobs.relay()
    run_jobs()
    assert len(smtp_sink.messages) == 1
    email = smtp_sink.messages[0].email
    assert email["Message-ID"] == f"<portal.{a.firm.id}.{ids[0]}@localhost>"
    assert email["Subject"] == "Update: You moved to offer (and 2 earlier updates)", "the subject says the newest"
    text = email.get_body(("plain",)).get_content()
    assert (
        text.index("You moved to presented")
        < text.index("You moved to interviewing")
        < text.index("You moved to offer")
    )
    html = email.get_body(("html",)).get_content()
    assert html.count("<html") == 1 and "1 of 3" in html and "3 of 3" in html
    assert all(message(app, i).state == MessageState.SENT for i in ids)


def test_a_change_after_the_window_is_a_new_message(app, firms, run_jobs, smtp_sink):
    app.config["GRACE_SECONDS"] = 300
    a = firms.a
    cy = make_candidacy(app, a.firm, a.candidate, make_search(app, a.firm))
    start = utcnow()
    with time_machine.travel(start, tick=False):
        first = move_stage(app, a.firm, cy.id, Stage.PRESENTED)
    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        second = move_stage(app, a.firm, cy.id, Stage.INTERVIEWING)
    assert message(app, second).due_at > message(app, first).due_at


def test_record_is_idempotent_on_the_dedupe_key(app, firms):
    a = firms.a
    one = send_plain(app, a.firm, a.candidate, key="same-key")
    two = send_plain(app, a.firm, a.candidate, key="same-key")
    assert one == two and len(messages(app)) == 1


def test_optional_messages_do_not_count_as_contact(app, firms):
    a = firms.a
    send_plain(app, a.firm, a.candidate, stream="nurture")
    with firm_context(app, a.firm) as s:
        assert s.get(Candidate, a.candidate.id).last_contacted_at is None


def test_record_many_skips_existing_keys_and_touches_last_contact(app, firms):
    a = firms.a
    with firm_context(app, a.firm) as s:
        firm = s.get(Firm, a.firm.id)
        row = {
            "dedupe_key": "bulk:1",
            "to_email": a.candidate.email,
            "to_name": "X",
            "candidate_id": a.candidate.id,
            "subject": "S",
            "body_text": "T\n",
            "body_html": "<p>T</p>",
        }
        created = outbox.record_many(firm, [row], kind="checkin", audience=Audience.CANDIDATE)
        again = outbox.record_many(
            firm, [row, {**row, "dedupe_key": "bulk:2"}], kind="checkin", audience=Audience.CANDIDATE
        )
        assert len(created) == 1 and len(again) == 1 and again[0][0] != created[0][0]
        assert s.get(Candidate, a.candidate.id).last_contacted_at is not None
        s.rollback()


def test_redis_down_at_commit_the_change_stands_and_the_relay_sends_later(
    app, firms, private_redis, run_jobs, smtp_sink
):
    a = firms.a
    private_redis.stop()
    mid = send_plain(app, a.firm, a.candidate)  # the commit succeeds without Redis
    m = message(app, mid)
    assert m.state == MessageState.PENDING and m.enqueued_at is None, "left for the relay"
    private_redis.start()
    assert jobs.relay() == 1
    run_jobs()
    assert sink_counts(smtp_sink) == {f"<portal.{a.firm.id}.{mid}@localhost>": 1}


def test_email_change_lifts_suppression(app, firms):
    a = firms.a
    with firm_context(app, a.firm) as s:
        cand = s.get(Candidate, a.candidate.id)
        cand.email_failures, cand.email_suppressed = 3, True
    with firm_context(app, a.firm) as s:
        cand = s.get(Candidate, a.candidate.id)
        cand.email = a.candidate.email  # the same address: nothing changes
        assert cand.email_suppressed
        cand.email = "new-address@alpha.example"
    with firm_context(app, a.firm) as s:
        cand = s.get(Candidate, a.candidate.id)
        assert (cand.email_failures, cand.email_suppressed) == (0, False)
        cand.email_failures, cand.email_suppressed = 3, True
        messages_service.email_changed(cand)
        assert (cand.email_failures, cand.email_suppressed) == (0, False)
        db.session.rollback()


def test_fast_rendering_is_the_same_email(app, firms):
    """The planners' fast path (layout once, body block per email) gives identical HTML."""
    a = firms.a
    items = [
        {
            "title": 'R&D <Lead> "AI"',
            "client": "O'Brien & Co",
            "stage": Stage.INTERVIEWING,
            "unchanged": True,
            "recruiter": "Jane <Doe>",
        }
    ]
    with firm_context(app, a.firm) as s:
        firm = s.get(Firm, a.firm.id)
        for extra in ({}, {"unsubscribe_url": "http://alpha.localhost/unsubscribe/a&b"}):
            ctx = {
                "candidate_name": "Ann <b>",
                "to_name": "Ann",
                "items": items,
                "portal_url": "http://alpha.localhost/me/",
                **extra,
            }
            full = outbox.EmailRenderer(firm, "checkin").render(**ctx)
            fast = outbox.EmailRenderer(firm, "checkin", fast=True).render(**ctx)
            assert fast == full
            assert "&lt;Lead&gt;" in full[2] and "<Lead>" not in full[2]


def test_shared_rendering_is_the_same_email(app, firms):
    """render_shared (one render per distinct check-in, the name filled in) gives what a
    direct render gives, names with markup included; a template that transforms the name
    turns the shortcut off instead of producing a wrong email."""
    a = firms.a
    items = (
        {
            "title": "R&D Lead",
            "client": "O'Brien & Co",
            "stage": Stage.INTERVIEWING,
            "unchanged": True,
            "recruiter": "Jane",
        },
    )
    key = (tuple(tuple(sorted(i.items())) for i in items), None)
    with firm_context(app, a.firm) as s:
        firm = s.get(Firm, a.firm.id)
        renderer = outbox.EmailRenderer(firm, "checkin", fast=True)
        for name in ("Ann <b>", 'Zoë & "Bo"', "Ann <b>"):
            shared = renderer.render_shared(
                key, {"candidate_name": name, "to_name": name}, items=items, portal_url=None
            )
            direct = outbox.EmailRenderer(firm, "checkin").render(
                candidate_name=name, to_name=name, items=items, portal_url=None
            )
            assert shared == direct
        assert renderer.shared is not None and len(renderer.shared) == 1
        original = renderer.text
        renderer.text = app.jinja_env.from_string("{% set subject %}Hi{% endset %}Hello {{ candidate_name|upper }}")
        renderer.shared, renderer.shared_checked = {}, False
        out = renderer.render_shared(key, {"candidate_name": "ann", "to_name": "ann"}, items=items, portal_url=None)
        assert "Hello ANN" in out[1] and renderer.shared is None
        renderer.text = original
