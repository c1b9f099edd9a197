"""Bounces to the reply domain (PORTAL_BOUNCE_TO_REPLY_DOMAIN, opt-in): a candidate email is sent
with the envelope sender bounce+<token>@<reply domain> (the From header stays the firm's), so a
late delivery report reaches Portal and names its message by the token (VERP), even when it
returns nothing of the original. Only known tokens are taken (an unknown one is refused at
RCPT); mail to a bounce address that is no delivery report never reaches a conversation."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from portal import outbox
from portal.models import Audience, Candidate, Firm, Message, MessageState, Stage, User, utcnow
from portal.services import dashboard
from tests.factories import firm_context
from tests.inbound.conftest import SECRET, candidate_row, fixture, held, posts, receive, token_of
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, make_search
from tests.support.worker import expected_message_id, message, send_plain


def _bounce(a, mid_token: str) -> str:
    return f"bounce+{mid_token}@replies.{a.firm.slug}.example"


def _sent_to(smtp_sink, address: str):
    found = [m for m in smtp_sink.messages if address in m.rcpt_tos]
    assert found, smtp_sink.messages
    return found[-1]


def _recruiter_email(app, f) -> int:
    with firm_context(app, f.firm) as s:
        msg = outbox.record(
            s.get(Firm, f.firm.id),
            kind="test_event",
            dedupe_key="bounces:recruiter",
            audience=Audience.RECRUITER,
            to_email=f.recruiter.email,
            recipient_user_id=f.recruiter.id,
            context={"change": "A candidate wrote"},
        )
        s.flush()
        return msg.id


@pytest.mark.parametrize("setting", [True, False])
def test_the_envelope_sender_of_a_candidate_email(app, inbound, run_jobs, smtp_sink, setting):
    app.config["BOUNCE_TO_REPLY_DOMAIN"] = setting
    a = inbound.a
    recruiter_mid = _recruiter_email(app, a.f)
    run_jobs()
    sent = _sent_to(smtp_sink, "candidate@alpha.example")
    sender = parseaddr(str(sent.email["From"]))[1]
    assert sender and not sender.startswith("bounce+")  # the From header is the firm's, either way
    assert sent.email["Reply-To"] == a.address
    assert "Return-Path" not in sent.email  # the receiving server writes it from MAIL FROM
    if setting:
        assert sent.mail_from == f"bounce+{a.token}@replies.alpha.example"
    else:
        assert sent.mail_from == sender
    # A recruiter's email has no reply token: today's envelope, with the setting on or off.
    assert message(app, recruiter_mid).reply_token is None
    assert _sent_to(smtp_sink, a.f.recruiter.email).mail_from == sender


def test_the_shared_reply_domain_names_the_bounce_address_too(app, firms, run_jobs, smtp_sink):
    app.config.update(REPLY_DOMAIN="replies.portal.example", BOUNCE_TO_REPLY_DOMAIN=True)
    mid = send_plain(app, firms.a.firm, firms.a.candidate)
    run_jobs()
    sent = _sent_to(smtp_sink, "candidate@alpha.example")
    assert sent.mail_from == f"bounce+{token_of(app, mid)}@replies.portal.example"


def test_without_a_reply_domain_the_envelope_stays(app, firms, run_jobs, smtp_sink):
    app.config.update(REPLY_DOMAIN=None, BOUNCE_TO_REPLY_DOMAIN=True)
    send_plain(app, firms.a.firm, firms.a.candidate)
    run_jobs()
    sent = _sent_to(smtp_sink, "candidate@alpha.example")
    assert sent.mail_from == parseaddr(str(sent.email["From"]))[1]


def _overdue_ids(app, a) -> set[int]:
    with firm_context(app, a.firm) as s:
        user = s.get(User, a.f.recruiter.id)
        rows = dashboard.needs_attention(s.get(Firm, a.firm.id), user, "firm", "overdue").overdue.rows
        return {r.candidate.id for r in rows}


def test_a_dsn_over_smtp_to_the_bounce_address_fails_the_message(app, inbound, inbound_server, run_jobs, smtp_sink):
    """The whole loop: sent with MAIL FROM bounce+<token>, the receiving server's report comes
    back over SMTP (null sender) to `portal inbound`; the email is failed with the report's
    reason and the candidate, not reachable, is back on the overdue list."""
    app.config["BOUNCE_TO_REPLY_DOMAIN"] = True
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
    assert a.candidate.id not in _overdue_ids(app, a)
    return_path = _sent_to(smtp_sink, "candidate@alpha.example").mail_from
    assert return_path == _bounce(a, token_of(app, mid))
    dsn = fixture("dsn.eml", to=return_path, sender="candidate@alpha.example", original=expected_message_id(app, mid))
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        assert smtp.sendmail("", [return_path], dsn) == {}  # MAIL FROM:<>, as reports are sent
    failed = message(app, mid)
    assert failed.state == MessageState.FAILED and "550 5.1.1" in failed.last_error
    row = candidate_row(app, a.firm, a.candidate.id)
    assert row.unreachable_since is not None and row.email_failures == 1
    assert row.last_contacted_at == then
    assert a.candidate.id in _overdue_ids(app, a)
    assert posts(app, a.firm) == [] and held(app, a.firm) == []


def test_a_report_without_the_originals_headers_is_named_by_the_token(app, inbound, client_for, run_jobs):
    """Posted to the webhook (the recipient read from its To header), a report that returns
    nothing of the original fails the message its bounce address names, and only that one."""
    a = inbound.a
    other = send_plain(app, a.firm, a.candidate, change="Another update")
    run_jobs()
    address = _bounce(a, a.token)
    bare = fixture("dsn_bare.eml", to=address, sender="candidate@alpha.example")
    r = client_for(None).post(
        "/inbound/mail", data=bare, content_type="message/rfc822", headers={"X-Portal-Inbound-Secret": SECRET}
    )
    assert r.status_code == 200 and r.get_data(as_text=True).strip() == "bounce"
    failed = message(app, a.mid)
    assert failed.state == MessageState.FAILED and "552 5.2.2" in failed.last_error
    assert message(app, other).state == MessageState.SENT
    # A report quoting another Message-ID (firm B's): the address is the proof, not the quote.
    address = _bounce(a, token_of(app, other))
    quoted = fixture("dsn.eml", to=address, sender="x@y.example", original=expected_message_id(app, inbound.b.mid))
    assert receive(app, quoted, address, mail_from="").status == "bounce"
    assert message(app, other).state == MessageState.FAILED
    assert message(app, inbound.b.mid).state == MessageState.SENT  # another firm's message is never touched


def test_an_unknown_bounce_token_is_refused_at_rcpt(app, inbound, inbound_server, client_for, run_jobs):
    a, b = inbound.a, inbound.b
    run_jobs()
    dsn = fixture("dsn_bare.eml", to="x", sender="candidate@alpha.example")
    for rcpt in (
        "bounce+" + "f" * 32 + "@replies.alpha.example",  # forged token on a firm's domain
        f"bounce+{b.token}@replies.alpha.example",  # firm B's token on firm A's domain
        "bounce+" + "e" * 32 + "@replies.portal.example",  # unknown on the shared domain
        f"bounce+{a.token}@not-ours.example",  # a real token on a domain that is not ours
        "bounce+<script>@replies.alpha.example",
    ):
        with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                smtp.sendmail("", [rcpt], dsn)
            assert refused.value.recipients[rcpt][0] == 550, rcpt
        assert receive(app, dsn, rcpt, mail_from="").status == "refused"
    ok = {"X-Portal-Inbound-Secret": SECRET}
    forged = "bounce+" + "f" * 32 + "@replies.alpha.example"
    body = fixture("dsn_bare.eml", to=forged, sender="candidate@alpha.example")
    r = client_for(None).post("/inbound/mail", data=body, content_type="message/rfc822", headers=ok)
    assert r.status_code == 406
    assert message(app, a.mid).state == MessageState.SENT and message(app, b.mid).state == MessageState.SENT
    assert held(app, a.firm) == [] and held(app, b.firm) == []
    # The firm's own token on its own domain, and on the shared domain, are taken at RCPT.
    for rcpt in (_bounce(a, a.token), f"bounce+{a.token}@replies.portal.example"):
        with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
            assert smtp.sendmail("", [rcpt], fixture("dsn_bare.eml", to=rcpt, sender="c@alpha.example")) == {}


def test_mail_to_a_bounce_address_is_never_posted(app, inbound, inbound_server, run_jobs, client_for):
    """The candidate's own reply sent to the Return-Path (or a person writing to it) is held as
    `bounce_address` with the message it names; an out-of-office is dropped; a bounce in a
    format that is no DSN (Exim's plain text, from MAILER-DAEMON) is held, not dropped."""
    a = inbound.a
    run_jobs()
    address = _bounce(a, a.token)
    reply = fixture("gmail_en.eml", to=address, sender="candidate@alpha.example")
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        assert smtp.sendmail("candidate@alpha.example", [address], reply) == {}
    assert posts(app, a.firm) == []
    (row,) = held(app, a.firm)
    assert row.reason == "bounce_address" and row.candidate_id == a.candidate.id
    assert row.in_reply_to_message_id == a.mid and "hybrid" in row.body
    assert receive(app, reply, address).status == "duplicate"  # delivered again: held once
    ooo = fixture("out_of_office.eml", to=address, sender="candidate@alpha.example")
    assert receive(app, ooo, address, mail_from="").status == "auto_reply"
    exim = (
        "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\r\n"
        f"To: {address}\r\nSubject: Mail delivery failed: returning message to sender\r\n"
        "Message-ID: <exim-1@mx.example.org>\r\nAuto-Submitted: auto-replied\r\n"
        "X-Failed-Recipients: candidate@alpha.example\r\n\r\n"
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its recipients.\r\n"
        "  candidate@alpha.example\r\n    mailbox is full\r\n"
    ).encode()
    assert receive(app, exim, address, mail_from="").status == "held"
    assert [h.reason for h in held(app, a.firm)] == ["bounce_address", "bounce_address"]
    assert posts(app, a.firm) == []
    assert message(app, a.mid).state == MessageState.SENT  # no report we can read: a person decides
    c = client_for(a.firm)
    login_as(c, a.f.recruiter)
    page = c.get("/recruiter/held-mail").get_data(as_text=True)
    assert "the bounce address of one of our emails" in page and "bounce_address" not in page
