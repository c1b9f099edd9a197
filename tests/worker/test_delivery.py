"""Delivery against the real SMTP sink: transient and permanent failures, suppression,
preferences and the weekly limit at send time, headers, batches, resend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask

from portal import outbox
from portal.models import Candidate, MessageState, SuggestionFrequency, User, utcnow
from portal.services import DomainError
from portal.services import messages as messages_service
from tests.factories import firm_context, make_candidate
from tests.support.services import free_port
from tests.support.worker import make_due, message, messages, send_plain, sink_counts
from worker import delivery, jobs


def _mid(firm, mid):
    return f"<portal.{firm.id}.{mid}@localhost>"


def _set(app, firm, candidate_id, **values):
    with firm_context(app, firm) as s:
        cand = s.get(Candidate, candidate_id)
        for k, v in values.items():
            setattr(cand, k, v)


def test_sent_once_with_a_stable_message_id(app, firms, run_jobs, smtp_sink):
    a = firms.a
    mid = send_plain(app, a.firm, a.candidate)
    run_jobs()
    assert jobs.deliver_message(mid) == "not claimable"  # a second job does nothing
    outbox.enqueue_delivery([mid, mid], app)  # enqueued twice
    run_jobs()
    assert sink_counts(smtp_sink) == {_mid(a.firm, mid): 1}
    email = smtp_sink.messages[0].email
    assert email["To"].endswith(f"<{a.candidate.email}>") and email["Auto-Submitted"] == "auto-generated"
    m = message(app, mid)
    assert (m.state, m.attempts, m.last_error) == (MessageState.SENT, 1, None) and m.sent_at


@pytest.mark.parametrize("fault", ["421 Service not available", "451 Try again later", "refused", "stall"])
def test_transient_failures_retry_with_backoff_then_send_once(app, firms, run_jobs, smtp_sink, fault):
    a = firms.a
    app.config["SMTP_TIMEOUT"] = 0.5
    if fault == "refused":
        app.config["SMTP_PORT"] = free_port()
    elif fault == "stall":
        smtp_sink.stall_seconds = 1.5
    else:
        smtp_sink.reply = fault
    mid = send_plain(app, a.firm, a.candidate)
    before = utcnow()
    run_jobs()
    m = message(app, mid)
    assert m.state == MessageState.PENDING and m.attempts == 1
    assert m.due_at >= before + timedelta(seconds=55) and m.enqueued_at is None
    assert "will retry" in m.last_error
    if fault.startswith("4"):
        assert fault[:3] in m.last_error
    jobs.relay()
    assert run_jobs() == 0, "not due before the backoff ends"
    smtp_sink.reply, smtp_sink.stall_seconds = None, 0
    app.config["SMTP_PORT"] = smtp_sink.port
    make_due(app, mid)
    jobs.relay()
    run_jobs()
    m = message(app, mid)
    assert m.state == MessageState.SENT and m.attempts == 2
    # (A server that stalls after the whole message went out might still have kept it: the
    # retry would then carry the same Message-ID. This sink drops a message whose client
    # hung up, like most servers, so there is exactly one.)
    assert sink_counts(smtp_sink) == {_mid(a.firm, mid): 1}


def test_transient_failures_give_up_after_the_configured_hours(app, firms, run_jobs, smtp_sink):
    a = firms.a
    smtp_sink.reply = "421 down"
    mid = send_plain(app, a.firm, a.candidate)
    with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
        make_due(app, mid)
        assert jobs.deliver_message(mid) == "failed"
    m = message(app, mid)
    assert m.state == MessageState.FAILED and m.last_error.startswith("gave up after 1 attempts")


def test_permanent_failures_fail_with_reason_and_three_suppress_the_address(app, firms, run_jobs, smtp_sink):
    a = firms.a
    smtp_sink.reply = "550 No such user here"
    ids = []
    for _ in range(3):
        ids.append(send_plain(app, a.firm, a.candidate))
        run_jobs()
        m = message(app, ids[-1])
        assert m.state == MessageState.FAILED and "550" in m.last_error and "No such user" in m.last_error
    with firm_context(app, a.firm) as s:
        cand = s.get(Candidate, a.candidate.id)
        assert cand.email_failures == 3 and cand.email_suppressed
    smtp_sink.reply = None
    skipped = send_plain(app, a.firm, a.candidate)
    run_jobs()
    assert message(app, skipped).state == MessageState.SKIPPED
    assert "suppressed" in message(app, skipped).last_error
    assert smtp_sink.messages == []
    _set(app, a.firm, a.candidate.id, email="fixed@alpha.example")  # the candidate fixes it
    sent = send_plain(app, a.firm, a.candidate)
    run_jobs()
    assert message(app, sent).state == MessageState.SENT
    assert smtp_sink.messages[0].rcpt_tos == ["fixed@alpha.example"]


def test_a_success_resets_the_failure_count(app, firms, run_jobs, smtp_sink):
    a = firms.a
    smtp_sink.reply = "550 no"
    send_plain(app, a.firm, a.candidate)
    send_plain(app, a.firm, a.candidate)
    run_jobs()
    smtp_sink.reply = None
    send_plain(app, a.firm, a.candidate)
    run_jobs()
    with firm_context(app, a.firm) as s:
        assert s.get(Candidate, a.candidate.id).email_failures == 0


def test_preferences_are_honoured_at_send_time(app, firms, run_jobs, smtp_sink):
    a = firms.a
    app.config["OPTIONAL_MESSAGES_PER_WEEK"] = 10
    nurture = send_plain(app, a.firm, a.candidate, stream="nurture")
    prompt = send_plain(app, a.firm, a.candidate, stream="availability")
    update = send_plain(app, a.firm, a.candidate)
    other = make_candidate(app, a.firm)
    never = send_plain(app, a.firm, other, stream="nurture")
    no_prompts = send_plain(app, a.firm, other, stream="availability")
    gone = make_candidate(app, a.firm)
    deleted = send_plain(app, a.firm, gone)
    # The wishes change after the messages were written, before they are sent.
    _set(app, a.firm, a.candidate.id, unsubscribed_all=True)
    _set(app, a.firm, other.id, suggestion_frequency=SuggestionFrequency.NEVER, allow_availability_prompts=False)
    _set(app, a.firm, gone.id, deleted_at=utcnow())
    run_jobs()
    states = {m.id: (m.state, m.last_error) for m in messages(app)}
    assert states[update][0] == MessageState.SENT, "updates about their own searches are never optional"
    for mid in (nurture, prompt, never, no_prompts, deleted):
        assert states[mid][0] == MessageState.SKIPPED, states[mid]
    assert "unsubscribed" in states[nurture][1] and "no role suggestions" in states[never][1]
    assert "availability" in states[no_prompts][1] and "deleted" in states[deleted][1]
    assert sink_counts(smtp_sink) == {_mid(a.firm, update): 1}


def test_the_address_is_the_one_at_send_time(app, firms, run_jobs, smtp_sink, private_redis):
    a = firms.a
    private_redis.stop()  # the message waits for the relay
    mid = send_plain(app, a.firm, a.candidate)
    _set(app, a.firm, a.candidate.id, email="moved@alpha.example")
    private_redis.start()
    jobs.relay()
    run_jobs()
    assert smtp_sink.messages[0].rcpt_tos == ["moved@alpha.example"]
    assert message(app, mid).to_email == "moved@alpha.example"


def test_at_most_the_weekly_number_of_optional_messages(app, firms, run_jobs, smtp_sink):
    a = firms.a
    app.config["OPTIONAL_MESSAGES_PER_WEEK"] = 2
    start = utcnow()
    ids = [send_plain(app, a.firm, a.candidate, stream="nurture") for _ in range(3)]
    update = send_plain(app, a.firm, a.candidate)
    run_jobs()
    states = [message(app, i).state for i in ids]
    assert states == [MessageState.SENT, MessageState.SENT, MessageState.PENDING]
    waiting = message(app, ids[2])
    assert waiting.due_at >= start + timedelta(days=7) and "at most 2 optional" in waiting.last_error
    assert message(app, update).state == MessageState.SENT, "transactional mail is not limited"
    with time_machine.travel(start + timedelta(days=7, minutes=2), tick=False):
        jobs.relay()
        run_jobs()
    assert message(app, ids[2]).state == MessageState.SENT
    assert len(smtp_sink.messages) == 4


def test_an_optional_message_waiting_two_weeks_is_dropped(app, firms, smtp_sink):
    a = firms.a
    app.config["OPTIONAL_MESSAGES_PER_WEEK"] = 1
    start = utcnow()
    stale = send_plain(app, a.firm, a.candidate, stream="nurture")  # its job is never run
    with time_machine.travel(start + timedelta(days=15), tick=False):
        fresh = send_plain(app, a.firm, a.candidate, stream="nurture")
        assert jobs.deliver_message(fresh) == "sent"
        assert jobs.deliver_message(stale) == "skipped"
    m = message(app, stale)
    assert m.state == MessageState.SKIPPED and "two weeks" in m.last_error


def test_deactivated_recruiter_gets_nothing(app, firms, run_jobs, smtp_sink):
    a = firms.a
    from portal.models import Audience, Firm

    with firm_context(app, a.firm) as s:
        user = s.get(User, a.recruiter.id)
        msg = outbox.record(
            s.get(Firm, a.firm.id),
            kind="test_event",
            dedupe_key="r:1",
            audience=Audience.RECRUITER,
            to_email=user.email,
            to_name=user.name,
            recipient_user_id=user.id,
            context={"change": "x"},
        )
        user.active = False
        s.flush()
        mid = msg.id
    run_jobs()
    assert message(app, mid).state == MessageState.SKIPPED and smtp_sink.messages == []


@pytest.fixture(scope="module")
def app_with_unsubscribe(app):
    """The app as it is once the candidate portal has its one-click unsubscribe route."""
    from portal import create_app

    other = create_app({k: v for k, v in app.config.items() if k.isupper()})
    if "candidate.unsubscribe" not in other.view_functions:
        other.add_url_rule(
            "/unsubscribe/<token>",
            endpoint="candidate.unsubscribe",
            view_func=lambda token: "ok",
            methods=["GET", "POST"],
        )
    other.jinja_env.loader = app.jinja_env.loader
    return other


def test_list_unsubscribe_headers_and_footer(app_with_unsubscribe: Flask, firms, smtp_sink):
    a = firms.a
    other = app_with_unsubscribe
    with firm_context(app_with_unsubscribe, a.firm) as s:
        token = s.get(Candidate, a.candidate.id).unsubscribe_token
    url = f"http://alpha.localhost/unsubscribe/{token}"
    optional = send_plain(other, a.firm, a.candidate, stream="nurture")
    update = send_plain(other, a.firm, a.candidate)
    with other.app_context():
        from worker import mailer

        for mid in (optional, update):
            with mailer.Connection() as conn:
                assert delivery.deliver(mid, conn, any_firm=True) == "sent"
    emails = {m.email["Message-ID"]: m.email for m in smtp_sink.messages}
    for mid in (optional, update):
        email = emails[_mid(a.firm, mid)]
        assert email["List-Unsubscribe"].strip() == f"<{url}>"
        assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in emails[_mid(a.firm, optional)].get_body(("html",)).get_content()
    assert url not in emails[_mid(a.firm, update)].get_body(("html",)).get_content()


def test_many_due_messages_go_out_in_batches(app, firms, run_jobs, smtp_sink, private_redis):
    a = firms.a
    app.config["DELIVERY_BATCH_SIZE"] = 10
    private_redis.stop()  # written while Redis is down: all wait for the relay
    ids = [send_plain(app, a.firm, a.candidate) for _ in range(25)]
    private_redis.start()
    assert jobs.relay() == 25
    from portal.extensions import MESSAGES, get_queue

    assert get_queue(MESSAGES, app).count == 3, "three batch jobs, not 25 single ones"
    run_jobs()
    assert sink_counts(smtp_sink) == {_mid(a.firm, i): 1 for i in ids}
    assert all(m.state == MessageState.SENT for m in messages(app))


def test_a_batch_stops_when_the_server_is_down(app, firms, smtp_sink):
    a = firms.a
    ids = [send_plain(app, a.firm, a.candidate) for _ in range(5)]
    app.config["SMTP_PORT"] = free_port()
    assert jobs.deliver_batch(ids) == {"retry": 2, "left for the relay": 3}
    rows = {m.id: m for m in messages(app)}
    assert [rows[i].attempts for i in ids] == [1, 1, 0, 0, 0]
    assert all(rows[i].state == MessageState.PENDING for i in ids)


def test_resend_puts_a_failed_message_back_on_the_queue(app, firms, run_jobs, smtp_sink):
    a = firms.a
    smtp_sink.reply = "550 mailbox full"
    mid = send_plain(app, a.firm, a.candidate)
    run_jobs()
    assert message(app, mid).state == MessageState.FAILED
    smtp_sink.reply = None
    with firm_context(app, a.firm) as s:
        from portal.models import Firm

        firm, actor = s.get(Firm, a.firm.id), s.get(User, a.recruiter.id)
        messages_service.resend(firm, actor, mid)
    run_jobs()
    m = message(app, mid)
    # The one "send it again" rule starts the attempts again (was 2: the old copy kept them).
    assert m.state == MessageState.SENT and m.attempts == 1
    assert sink_counts(smtp_sink) == {_mid(a.firm, mid): 1}
    with firm_context(app, a.firm) as s:
        firm, actor = s.get(Firm, a.firm.id), s.get(User, a.recruiter.id)
        with pytest.raises(DomainError):
            messages_service.resend(firm, actor, mid)
        s.rollback()
