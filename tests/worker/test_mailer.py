"""The fast serialisation (`mailer.build_raw`) against the email package's (`build_email`):
a receiver parses the same headers and the same text and HTML bodies."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from worker import mailer


def _firm(**kw):
    base = dict(
        id=7,
        name="Acme Search",
        sender_email="hello@acme.example",
        reply_to="team@acme.example",
        from_name="Acme Search",
    )
    base.update(kw)
    return SimpleNamespace(**base)


def _msg(**kw):
    base = dict(
        id=42,
        firm_id=7,
        to_email="ada@example.com",
        to_name="Ada Lovelace",
        subject="Your update",
        body_text="Hello Ada,\n\nAll good.\n",
        body_html="<p>Hello Ada,</p>\n<p>All good.</p>\n",
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    )
    base.update(kw)
    return SimpleNamespace(**base)


CASES = {
    "ascii": ({}, {}),
    "non-ascii names and bodies": (
        {"from_name": "Zoë & Søn, Recrutement"},
        {
            "to_name": "José Müller-Łukasiewicz",
            "subject": "Votre mise à jour — Ingénieur(e) logiciel",
            "body_text": "Bonjour José,\n\nÇa avance — 👍\n.leading dot line\n",
            "body_html": "<p>Bonjour José, ça avance — 👍</p>",
        },
    ),
    "long lines and a long subject": (
        {"reply_to": None},
        {
            "subject": "Your update on " + " ".join(f"search{i}" for i in range(40)),
            "to_name": 'Smith, "Bob" (Jr.)',
            "body_text": "x" * 1500 + "\n" + "word " * 400 + "\n",
            "body_html": "<div>" + "<span>y</span>" * 300 + "</div>\r\n<p>crlf</p>",
        },
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_build_raw_parses_like_build_email(app, case):
    firm_kw, msg_kw = CASES[case]
    firm, msg = _firm(**firm_kw), _msg(**msg_kw)
    extra = {
        "List-Unsubscribe": "<https://acme.localhost/unsubscribe/" + "t" * 40 + ">",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "bulk",
    }
    with app.app_context():
        reference = mailer.build_email(firm, msg, extra)
        raw = mailer.build_raw(firm, msg, extra)
    assert isinstance(raw, mailer.RawEmail)
    assert raw.sender == "hello@acme.example" and raw.recipients == ("ada@example.com",)
    assert b"\n" not in raw.data.replace(b"\r\n", b"")  # CRLF only, as SMTP wants
    assert max(len(line) for line in raw.data.split(b"\r\n")) <= 998
    parsed = email.message_from_bytes(raw.data, policy=email.policy.default)
    ref = email.message_from_bytes(reference.as_bytes(), policy=email.policy.default)
    for name in ("From", "To", "Reply-To", "Subject", "Message-ID", "Date", "Auto-Submitted", *extra):
        assert str(parsed[name] or "").strip() == str(ref[name] or "").strip(), name
    assert parsed.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        got = parsed.get_body((kind,)).get_content().replace("\r\n", "\n")
        want = ref.get_body((kind,)).get_content().replace("\r\n", "\n")
        assert got.rstrip("\n") == want.rstrip("\n"), kind
    assert parsed["To"].addresses[0].display_name == msg.to_name
