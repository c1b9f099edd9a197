"""Promise 6: a message is never lost and never sent twice, even when Redis fails."""

from __future__ import annotations

from email.utils import parseaddr

from rq import Queue
from sqlalchemy import select

from portal.extensions import MESSAGES, get_redis, queue_name
from portal.models import Message, MessageState
from portal.outbox import enqueue_delivery
from tests.factories import firm_context
from worker import jobs, mailer


def _messages(app):
    with firm_context(app) as s:
        return s.scalars(select(Message).order_by(Message.id)).all()


def _queued(app) -> int:
    return Queue(queue_name(MESSAGES, app), connection=get_redis(app)).count


def test_message_is_delivered_once_when_its_job_is_enqueued_twice(app, client_for, firms, run_jobs, smtp_sink):
    resp = client_for(firms.a.firm).post("/reset", data={"email": firms.a.candidate.email})
    assert resp.status_code == 302
    (msg,) = _messages(app)
    assert msg.state == MessageState.PENDING
    assert _queued(app) == 1  # enqueued after the commit
    assert enqueue_delivery([msg.id], app) == 1  # a duplicate job (e.g. the relay raced it)
    assert _queued(app) == 2
    assert run_jobs() == 2
    assert len(smtp_sink.messages) == 1
    (msg,) = _messages(app)
    assert msg.state == MessageState.SENT and msg.attempts == 1 and msg.sent_at is not None
    # A third run of the job, long after, still sends nothing.
    assert jobs.deliver_message(msg.id) == "not claimable"
    assert len(smtp_sink.messages) == 1

    em = smtp_sink.messages[0].email
    assert smtp_sink.messages[0].rcpt_tos == [firms.a.candidate.email]
    name, addr = parseaddr(em["From"])
    assert name == "Alpha Search" and "@" in addr
    assert em["To"].endswith(f"<{firms.a.candidate.email}>")
    assert em["Subject"] == "Choose a new password for Alpha Search"
    # Message-ID is stable: the one a resend after a crash would carry.
    with app.app_context():
        expected = mailer.message_id(msg)
    assert em["Message-ID"] == expected == f"<portal.{msg.firm_id}.{msg.id}@localhost>"
    assert em.get_content_type() == "multipart/alternative"
    text = em.get_body(preferencelist=("plain",)).get_content()
    html = em.get_body(preferencelist=("html",)).get_content()
    assert "http://alpha.localhost/reset/" in text
    assert "http://alpha.localhost/reset/" in html and "Alpha Search" in html
    assert firms.a.firm.primary_color in html  # branded with the firm's colour


def test_message_id_is_the_same_on_every_attempt(app, firms, run_jobs, smtp_sink):
    from portal.services import accounts

    with firm_context(app, firms.a.firm) as s:
        accounts.request_password_reset(s.get(type(firms.a.firm), firms.a.firm.id), firms.a.candidate.email)
    smtp_sink.reply = "451 try later"
    run_jobs()
    (msg,) = _messages(app)
    assert msg.state == MessageState.PENDING and msg.attempts == 1 and "451" in msg.last_error
    assert msg.due_at > msg.created_at  # backed off
    with firm_context(app) as s:
        s.get(Message, msg.id).due_at = msg.created_at
    smtp_sink.reply = None
    assert jobs.deliver_message(msg.id) == "sent"
    (em,) = [m.email for m in smtp_sink.messages]
    assert em["Message-ID"] == f"<portal.{msg.firm_id}.{msg.id}@localhost>"
    (msg,) = _messages(app)
    assert msg.attempts == 2 and msg.state == MessageState.SENT and msg.last_error is None


def test_permanent_failure_is_recorded_not_retried(app, firms, run_jobs, smtp_sink):
    from portal.services import accounts

    with firm_context(app, firms.a.firm) as s:
        accounts.request_password_reset(s.get(type(firms.a.firm), firms.a.firm.id), firms.a.candidate.email)
    smtp_sink.reply = "550 no such mailbox"
    run_jobs()
    (msg,) = _messages(app)
    assert msg.state == MessageState.FAILED and "550" in msg.last_error
    assert jobs.relay() == 0  # failed messages are not re-enqueued


def test_request_succeeds_with_redis_stopped_and_message_is_delivered_after(
    app, client_for, firms, run_jobs, smtp_sink, private_redis
):
    from tests.support.fixtures.redis import point_app_at_redis

    private_redis.stop()
    c = client_for(firms.a.firm)
    resp = c.post("/reset", data={"email": firms.a.candidate.email})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert c.get("/login").status_code == 200
    (msg,) = _messages(app)
    assert msg.state == MessageState.PENDING and msg.enqueued_at is None
    assert smtp_sink.messages == []

    private_redis.start()  # same port, empty: the job was never queued
    point_app_at_redis(app, private_redis.url)
    assert _queued(app) == 0
    assert run_jobs() == 0
    assert jobs.relay() == 1  # the periodic relay finds the pending message
    assert jobs.relay() == 0  # and does not enqueue it again at once
    assert run_jobs() == 1
    (sent,) = smtp_sink.messages
    assert sent.rcpt_tos == [firms.a.candidate.email]
    (msg,) = _messages(app)
    assert msg.state == MessageState.SENT


def test_relay_recovers_a_send_lost_with_its_worker(app, firms, run_jobs, smtp_sink):
    """A message left in `sending` (the worker died mid-send) goes back to pending after
    the lease, and is delivered once."""
    from datetime import timedelta

    from portal.models import utcnow
    from portal.services import accounts

    with firm_context(app, firms.a.firm) as s:
        accounts.request_password_reset(s.get(type(firms.a.firm), firms.a.firm.id), firms.a.candidate.email)
    get_redis(app).delete(Queue(queue_name(MESSAGES, app), connection=get_redis(app)).key)  # lost job
    (msg,) = _messages(app)
    with firm_context(app) as s:
        row = s.get(Message, msg.id)
        row.state = MessageState.SENDING
        row.claimed_at = (
            utcnow() - timedelta(seconds=app.config.get("SENDING_LEASE_SECONDS", 600)) + timedelta(minutes=1)
        )
    assert jobs.relay() == 0  # still inside the lease: maybe still sending
    with firm_context(app) as s:
        s.get(Message, msg.id).claimed_at = (
            utcnow() - timedelta(seconds=app.config.get("SENDING_LEASE_SECONDS", 600)) - timedelta(minutes=1)
        )
    assert jobs.relay() == 1
    run_jobs()
    assert len(smtp_sink.messages) == 1
    assert _messages(app)[0].state == MessageState.SENT


def test_rolled_back_change_sends_nothing(app, firms, run_jobs, smtp_sink):
    from portal.extensions import db
    from portal.services import accounts
    from portal.tenancy import as_firm

    with app.app_context():
        with as_firm(firms.a.firm.id):
            accounts.request_password_reset(
                db.session.get(type(firms.a.firm), firms.a.firm.id), firms.a.candidate.email
            )
            db.session.rollback()
    assert _messages(app) == []
    assert _queued(app) == 0
    run_jobs()
    assert smtp_sink.messages == []
