"""The other half of the loop: a candidate email carries Reply-To reply+<token>@<reply domain>
and a Message-ID we recognise; a delivery report (DSN, RFC 3464) about it, received later,
fails it with its reason exactly as an SMTP-time refusal does, so the candidate cannot be
reached and is back on the overdue list (the dashboard's own service says so)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.models import Candidate, Firm, Message, MessageState, Stage, User, utcnow
from portal.services import dashboard
from tests.factories import firm_context
from tests.inbound.conftest import candidate_row, fixture, receive, token_of
from tests.support.recruiter import add, make_search
from tests.support.worker import expected_message_id, message, send_plain


def _sent_to(smtp_sink, address: str):
    found = [m.email for m in smtp_sink.messages if address in m.rcpt_tos]
    assert found, smtp_sink.messages
    return found[-1]


def test_a_candidate_email_says_reply_to_its_own_address(app, inbound, run_jobs, smtp_sink):
    run_jobs()
    a = inbound.a
    email = _sent_to(smtp_sink, "candidate@alpha.example")
    assert email["Reply-To"] == a.address == f"reply+{a.token}@replies.alpha.example"
    assert len(a.token) == 32 and a.token == a.token.lower() and a.token != inbound.b.token
    assert email["Message-ID"] == expected_message_id(app, a.mid)


def test_without_a_reply_domain_the_firms_reply_to_stays(app, firms, run_jobs, smtp_sink):
    app.config["REPLY_DOMAIN"] = None
    with firm_context(app, firms.a.firm) as s:
        s.get(Firm, firms.a.firm.id).reply_to = "desk@alpha.example"
    mid = send_plain(app, firms.a.firm, firms.a.candidate)
    run_jobs()
    assert token_of(app, mid)  # minted anyway: a reply domain set later makes it work
    assert _sent_to(smtp_sink, "candidate@alpha.example")["Reply-To"] == "desk@alpha.example"


def test_the_shared_reply_domain_serves_a_firm_without_its_own(app, firms, run_jobs, smtp_sink):
    app.config["REPLY_DOMAIN"] = "replies.portal.example"
    mid = send_plain(app, firms.a.firm, firms.a.candidate)
    run_jobs()
    reply_to = _sent_to(smtp_sink, "candidate@alpha.example")["Reply-To"]
    assert reply_to == f"reply+{token_of(app, mid)}@replies.portal.example"


def test_a_delivery_report_fails_the_original_and_the_candidate_is_overdue_again(app, inbound, run_jobs):
    a = inbound.a
    add(app, a.f, make_search(app, a.f), a.candidate, Stage.CONTACTED)
    run_jobs()
    then = utcnow() - timedelta(days=9)
    with firm_context(app, a.firm) as s:
        for m in s.scalars(select(Message).where(Message.candidate_id == a.candidate.id)):
            m.created_at = then
        s.get(Candidate, a.candidate.id).last_contacted_at = then
    mid = send_plain(app, a.firm, a.candidate, change="Your interview is confirmed")
    run_jobs()
    assert message(app, mid).state == MessageState.SENT

    def overdue_ids():
        with firm_context(app, a.firm) as s:
            user = s.get(User, a.f.recruiter.id)
            rows = dashboard.needs_attention(s.get(Firm, a.firm.id), user, "firm", "overdue").overdue.rows
            return {r.candidate.id for r in rows}

    assert a.candidate.id not in overdue_ids()  # just heard from us
    dsn = fixture(
        "dsn.eml",
        to=f"reply+{token_of(app, mid)}@replies.alpha.example",
        sender="candidate@alpha.example",
        original=expected_message_id(app, mid),
    )
    outcome = receive(app, dsn, f"reply+{token_of(app, mid)}@replies.alpha.example", mail_from="")
    assert outcome.status == "bounce"
    failed = message(app, mid)
    assert failed.state == MessageState.FAILED and "550 5.1.1" in failed.last_error
    row = candidate_row(app, a.firm, a.candidate.id)
    assert row.unreachable_since is not None and row.email_failures == 1
    assert row.last_contacted_at == then  # recomputed: the bounced email was not contact
    assert a.candidate.id in overdue_ids()
    # The same report again changes nothing (the message is failed already).
    assert receive(app, dsn, f"reply+{token_of(app, mid)}@replies.alpha.example").status == "bounce"
    assert candidate_row(app, a.firm, a.candidate.id).email_failures == 1


def test_a_report_naming_another_firms_message_changes_nothing(app, inbound, run_jobs):
    a, b = inbound.a, inbound.b
    run_jobs()
    dsn = fixture("dsn.eml", to=a.address, sender="x@y.example", original=expected_message_id(app, b.mid))
    assert receive(app, dsn, a.address).status == "bounce"
    assert message(app, b.mid).state == MessageState.SENT
    assert message(app, a.mid).state == MessageState.SENT  # the address's own message is not the one reported
