"""International addresses (Trust item 4), against the real aiosmtpd sink, with and without
SMTPUTF8: a domain goes out in its IDNA form, a non-ASCII local part needs a server offering
SMTPUTF8, and what cannot be sent fails once, permanently, with a reason the recruiter reads.
Never a crash that the relay retries for ever."""

from __future__ import annotations

import html

import pytest

from portal.models import MessageState
from tests.factories import make_candidate
from tests.support.fixtures.clients import login_as
from tests.support.services import SmtpSink
from tests.support.worker import make_due, message, send_plain
from worker import jobs


class Sink(SmtpSink):
    """The same recording sink, offering SMTPUTF8 or not (aiosmtpd's enable_SMTPUTF8; its
    Controller offers it unless told otherwise, as the session's `smtp_sink` does)."""

    smtputf8 = True

    def start(self) -> Sink:
        from aiosmtpd.controller import Controller

        from tests.support.services import free_port

        self.port = self.port or free_port()
        self.controller = Controller(self, hostname=self.host, port=self.port, enable_SMTPUTF8=self.smtputf8)
        self.controller.start()
        return self


def _sink(app, smtputf8: bool):
    sink = Sink()
    sink.smtputf8 = smtputf8
    sink.start()
    app.config["SMTP_PORT"] = sink.port  # restored by _clean
    return sink


@pytest.fixture
def utf8_sink(app):
    sink = _sink(app, True)
    yield sink
    sink.stop()


@pytest.fixture
def ascii_sink(app):
    sink = _sink(app, False)
    yield sink
    sink.stop()


def _envelope(address: str) -> str:
    """aiosmtpd keeps a UTF-8 envelope address surrogate-escaped: the address as sent."""
    return address.encode("utf-8", "surrogateescape").decode("utf-8")


def _deliver_a_few_times(app, mid, run_jobs) -> None:
    """The first delivery, then three rounds of what the relay does next, with the sending
    lease over at once: a send that crashed the job is picked up again each round."""
    app.config["SENDING_LEASE_SECONDS"] = 0  # restored by _clean
    run_jobs()
    for _ in range(3):
        make_due(app, mid)
        jobs.relay()
        run_jobs()


def test_an_international_domain_goes_out_in_idna_form(app, firms, run_jobs, ascii_sink):
    cand = make_candidate(app, firms.a.firm, email="zoe@exämple.example", name="Zoë Ångström")
    mid = send_plain(app, firms.a.firm, cand)
    run_jobs()
    m = message(app, mid)
    assert (m.state, m.attempts, m.last_error) == (MessageState.SENT, 1, None)
    [got] = ascii_sink.messages
    assert got.rcpt_tos == ["zoe@xn--exmple-cua.example"]
    assert got.email["To"].addresses[0].addr_spec == "zoe@xn--exmple-cua.example"
    assert got.email["To"].addresses[0].display_name == "Zoë Ångström"


def test_a_non_ascii_local_part_goes_out_with_smtputf8_when_the_server_offers_it(
    app, firms, run_jobs, utf8_sink, smtp_sink
):
    cand = make_candidate(app, firms.a.firm, email="zoë@exämple.example", name="Zoë, Ångström")
    mid = send_plain(app, firms.a.firm, cand, change="Ça avance")
    run_jobs()
    m = message(app, mid)
    assert (m.state, m.attempts, m.last_error) == (MessageState.SENT, 1, None)
    assert smtp_sink.messages == []
    [got] = utf8_sink.messages
    assert [_envelope(r) for r in got.rcpt_tos] == ["zoë@exämple.example"]
    assert 'To: "Zoë, Ångström" <zoë@exämple.example>'.encode() in got.data  # UTF-8 headers as they are
    email = got.email
    assert _envelope(email["To"].addresses[0].addr_spec) == "zoë@exämple.example"
    assert "Ça avance" in email.get_body(("plain",)).get_content()


def test_without_smtputf8_it_fails_once_with_a_reason_the_recruiter_sees(app, firms, run_jobs, ascii_sink, client_for):
    cand = make_candidate(app, firms.a.firm, email="zoë@exämple.example", with_login=False)
    mid = send_plain(app, firms.a.firm, cand)
    _deliver_a_few_times(app, mid, run_jobs)
    m = message(app, mid)
    assert (m.attempts, m.state) == (1, MessageState.FAILED), "never retried, never loops"
    assert "does not accept international addresses" in m.last_error
    assert ascii_sink.messages == []
    # The recruiter reads the reason on the message.
    staff = client_for(firms.a.firm)
    login_as(staff, firms.a.recruiter)
    page = html.unescape(staff.get(f"/recruiter/messages/{mid}").get_data(as_text=True))
    assert "The mail server does not accept international addresses" in page
    # The next message to another candidate goes out as usual over the same server.
    ok = send_plain(app, firms.a.firm, firms.a.candidate)
    run_jobs()
    assert message(app, ok).state == MessageState.SENT and len(ascii_sink.messages) == 1


def test_an_address_that_cannot_be_encoded_fails_permanently(app, firms, run_jobs, smtp_sink):
    cand = make_candidate(app, firms.a.firm, email="ann@bad_dömain.example", with_login=False)
    mid = send_plain(app, firms.a.firm, cand)
    _deliver_a_few_times(app, mid, run_jobs)
    m = message(app, mid)
    assert (m.attempts, m.state) == (1, MessageState.FAILED), "never retried, never loops"
    assert "cannot be written for email" in m.last_error and "bad_dömain.example" in m.last_error
    assert smtp_sink.messages == []
