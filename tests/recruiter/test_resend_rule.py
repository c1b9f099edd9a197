"""One rule for "send it again" (Trust item 9): the dashboard's button and the messages
page's button both go through delivery.resend: the current address, attempts from zero,
refused while that address is suppressed, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEntry, Candidate, Message, MessageState, User
from tests.factories import firm_context, make_candidate
from tests.support.fixtures.clients import login_as
from tests.support.worker import message, send_plain

pytestmark = pytest.mark.usefixtures("email_test_templates")  # send_plain records test_event messages

BUTTONS = {"dashboard": "/recruiter/attention/failed/{mid}/retry", "messages": "/recruiter/messages/{mid}/resend"}


def _failed(app, firm, candidate, *, to_email, attempts=3, error="550 5.1.1 no such user"):
    mid = send_plain(app, firm, candidate)
    with firm_context(app, firm) as s:
        m = s.get(Message, mid)
        m.state, m.to_email, m.attempts, m.last_error = MessageState.FAILED, to_email, attempts, error
    return mid


def _audit(app, firm):
    with firm_context(app, firm) as s:
        return [
            (e.action, e.actor_id, e.target, e.details)
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "message.resend"))
        ]


@pytest.fixture
def staff(app, firms, client_for):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    return c


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_resend_uses_the_current_address_resets_attempts_and_is_audited(app, firms, staff, run_jobs, smtp_sink, button):
    a = firms.a
    cand = make_candidate(app, a.firm, with_login=False, owner=a.recruiter, email="right@example.com")
    mid = _failed(app, a.firm, cand, to_email="wrong@exampel.com")
    resp = staff.post(BUTTONS[button].format(mid=mid), follow_redirects=True)
    assert resp.status_code == 200
    m = message(app, mid)
    assert (m.state, m.to_email, m.attempts, m.claimed_at) == (MessageState.PENDING, "right@example.com", 0, None)
    assert _audit(app, a.firm) == [
        (
            "message.resend",
            a.recruiter.id,
            f"message:{mid}",
            {"to": "right@example.com", "before": "wrong@exampel.com", "error": "550 5.1.1 no such user"},
        )
    ]
    run_jobs()
    assert [s.rcpt_tos for s in smtp_sink.wait_for(1)] == [["right@example.com"]]
    assert (message(app, mid).state, message(app, mid).attempts) == (MessageState.SENT, 1)


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_resend_refused_while_the_address_that_failed_is_suppressed(app, firms, staff, run_jobs, smtp_sink, button):
    a = firms.a
    cand = make_candidate(app, a.firm, with_login=False, owner=a.recruiter, email="gone@example.com")
    mid = _failed(app, a.firm, cand, to_email="gone@example.com")
    with firm_context(app, a.firm) as s:
        c = s.get(Candidate, cand.id)
        c.email_failures, c.email_suppressed = 3, True
    resp = staff.post(BUTTONS[button].format(mid=mid), follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "refused again and again" in html and "Fix the candidate&#39;s address first" in html
    assert message(app, mid).state == MessageState.FAILED and _audit(app, a.firm) == []
    # The recruiter fixes the address (the candidate's edit form): the suppression is lifted
    # for the new address and the same button now sends it there.
    with firm_context(app, a.firm) as s:
        s.get(Candidate, cand.id).email = "new@example.com"
    staff.post(BUTTONS[button].format(mid=mid))
    run_jobs()
    assert [s.rcpt_tos for s in smtp_sink.wait_for(1)] == [["new@example.com"]]
    assert message(app, mid).state == MessageState.SENT


def test_a_staff_message_goes_to_the_staff_members_current_address(app, firms, staff, run_jobs, smtp_sink):
    a = firms.a
    from portal import outbox
    from portal.models import Audience, Firm

    with firm_context(app, a.firm) as s:
        m = outbox.record(
            s.get(Firm, a.firm.id),
            kind="test_event",
            dedupe_key="staff:1",
            audience=Audience.RECRUITER,
            to_email="old-me@alpha.example",
            to_name="R",
            recipient_user_id=a.recruiter.id,
            show_in_portal=False,
            context={"change": "x"},
        )
        m.state, m.last_error = MessageState.FAILED, "550 no such user"
        mid = m.id
    with firm_context(app, a.firm) as s:
        current = s.get(User, a.recruiter.id).email
    staff.post(BUTTONS["messages"].format(mid=mid))
    run_jobs()
    assert [s.rcpt_tos for s in smtp_sink.wait_for(1)] == [[current]]
