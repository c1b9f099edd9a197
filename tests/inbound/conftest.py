"""Replies by email: two firms with their own reply domains, a check-in sent to each one's
candidate, and the fixtures of tests/fixtures/mail filled in for a reply to it."""

from __future__ import annotations

import itertools
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.models import Candidate, ConversationMessage, Firm, HeldMail, Message
from tests.factories import firm_context
from tests.support.fixtures.worker import with_test_templates
from tests.support.worker import send_plain

MAIL = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
SECRET = "inbound-test-secret"
_seq = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def _test_templates(app):
    with with_test_templates(app):
        yield


@pytest.fixture
def inbound(app, firms):
    """Firm A (replies.alpha.example) and firm B (replies.beta.example), each with a
    candidate who was sent one email (its id and reply token)."""
    app.config["INBOUND_SECRET"] = SECRET
    app.config["REPLY_DOMAIN"] = "replies.portal.example"
    out = {}
    for name, f in (("a", firms.a), ("b", firms.b)):
        with firm_context(app, f.firm) as s:
            s.get(Firm, f.firm.id).reply_domain = f"replies.{f.firm.slug}.example"
        mid = send_plain(app, f.firm, f.candidate, change="No decision yet")
        out[name] = SimpleNamespace(
            f=f,
            firm=f.firm,
            candidate=f.candidate,
            mid=mid,
            token=token_of(app, mid),
            address=f"reply+{token_of(app, mid)}@replies.{f.firm.slug}.example",
        )
    return SimpleNamespace(**out)


@pytest.fixture
def inbound_server(app):
    """`portal inbound` (aiosmtpd) in this process, on a free port."""
    from worker.inbound import controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = controller(app, "127.0.0.1", port)
    server.start()
    yield server
    server.stop()


def token_of(app, mid: int) -> str:
    with firm_context(app) as s:
        return s.get(Message, mid).reply_token


def fixture(name: str, *, to: str, sender: str, original: str = "") -> bytes:
    """A fixture mail addressed to `to` from `sender`, with a Message-ID of its own."""
    raw = (MAIL / name).read_bytes()
    for key, value in (
        ("{TO}", to),
        ("{FROM}", sender),
        ("{MESSAGE_ID}", f"t{next(_seq)}"),
        ("{ORIGINAL_ID}", original),
    ):
        raw = raw.replace(key.encode(), value.encode())
    return raw


def posts(app, firm, candidate_id: int | None = None) -> list[ConversationMessage]:
    with firm_context(app, firm) as s:
        stmt = select(ConversationMessage).where(ConversationMessage.firm_id == firm.id)
        if candidate_id is not None:
            stmt = stmt.where(ConversationMessage.candidate_id == candidate_id)
        rows = list(s.scalars(stmt.order_by(ConversationMessage.id)))
        for r in rows:
            _ = r.attachments
        s.expunge_all()
    return rows


def held(app, firm) -> list[HeldMail]:
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(HeldMail).where(HeldMail.firm_id == firm.id).order_by(HeldMail.id)))
        s.expunge_all()
    return rows


def candidate_row(app, firm, cid: int) -> Candidate:
    with firm_context(app, firm) as s:
        c = s.get(Candidate, cid)
        s.expunge(c)
    return c


def receive(app, raw: bytes, rcpt: str, mail_from: str = "bounce@example.net"):
    from portal.inbound import receive as receive_mail

    with app.app_context():
        return receive_mail(raw, mail_from, rcpt)
