"""The daily "waiting for your answer" email (promise 8): on working mornings in the firm's
zone, once a day per recruiter, oldest first, never to a recruiter who turned message emails
off, and nothing once every message is answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import Firm, Message, User
from portal.services import conversation_digest
from tests.factories import firm_context, make_candidate
from tests.support import conversations as conv

MONDAY_8 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # the firms of the fixtures are on UTC


def _plan(app, f, now) -> int:
    with firm_context(app, f.firm) as s:
        return conversation_digest.plan_waiting_digests(s.get(Firm, f.firm.id), now)


def _mails(app, f, user_id):
    with firm_context(app, f.firm) as s:
        return s.scalars(
            select(Message)
            .where(Message.kind == "waiting_messages", Message.recipient_user_id == user_id)
            .order_by(Message.id)
        ).all()


def test_each_working_morning_once_oldest_first(app, firms):
    f = firms.a
    ada = make_candidate(app, f.firm, owner=f.recruiter, name="Ada Early")
    bob = make_candidate(app, f.firm, owner=f.recruiter, name="Bob Later")
    conv.write(app, f.firm, bob, "Second question", at=MONDAY_8 - timedelta(hours=20))
    conv.write(app, f.firm, ada, "First question", at=MONDAY_8 - timedelta(days=4))  # Thursday: due by Friday
    assert _plan(app, f, MONDAY_8) == 0  # before nine, local time
    assert _plan(app, f, MONDAY_8 + timedelta(hours=1)) == 1
    assert _plan(app, f, MONDAY_8 + timedelta(hours=5)) == 0  # the same day: already written
    [mail] = _mails(app, f, f.recruiter.id)
    assert mail.subject == "2 candidate messages waiting for your answer"
    text = mail.body_text
    assert text.index("Ada Early") < text.index("Bob Later")
    assert '"First question", waiting 4 days (overdue)' in text
    assert '"Second question", waiting 21 hours\n' in text  # written on Sunday: due by the end of Monday
    assert _plan(app, f, MONDAY_8 + timedelta(days=1, hours=1)) == 1  # Tuesday
    saturday = MONDAY_8 + timedelta(days=5, hours=3)
    assert _plan(app, f, saturday) == 0


def test_answered_messages_and_recruiters_who_said_off_get_nothing(app, firms):
    f = firms.a
    ada = make_candidate(app, f.firm, owner=f.recruiter, name="Ada Early")
    conv.write(app, f.firm, ada, "A question", at=MONDAY_8 - timedelta(days=1))
    with firm_context(app, f.firm) as s:
        s.get(User, f.recruiter.id).message_notifications = "off"
    assert _plan(app, f, MONDAY_8 + timedelta(hours=2)) == 0
    with firm_context(app, f.firm) as s:
        s.get(User, f.recruiter.id).message_notifications = "digest"
    conv.reply(app, f.firm, f.recruiter, ada, "Here is the answer.")
    assert _plan(app, f, MONDAY_8 + timedelta(hours=2)) == 0
    assert _mails(app, f, f.recruiter.id) == []


def test_the_periodic_plan_writes_it_once_a_day(app, firms):
    import time_machine

    from worker import jobs

    f = firms.a
    ada = make_candidate(app, f.firm, owner=f.recruiter, name="Ada Early")
    conv.write(app, f.firm, ada, "A question", at=MONDAY_8 - timedelta(days=1))
    with time_machine.travel(MONDAY_8 + timedelta(hours=2), tick=False):
        assert jobs.plan_firm(f.firm.id)["waiting_messages"] == 1
        assert "waiting_messages" not in jobs.plan_firm(f.firm.id)
    assert len(_mails(app, f, f.recruiter.id)) == 1
