"""Both ways in, for real: an SMTP conversation (smtplib) with a running `portal inbound`
(aiosmtpd, in-process on a free port) and a raw MIME POST to the provider webhook, each landing
in the right conversation with the quote stripped; the webhook's secret (missing: 404; wrong: 401)."""

from __future__ import annotations

import base64
import json
import smtplib

import pytest

from tests.inbound.conftest import SECRET, fixture, held, posts


def test_a_reply_over_smtp_lands_in_the_conversation(app, inbound, inbound_server):
    a = inbound.a
    raw = fixture("outlook_de.eml", to=a.address, sender="candidate@alpha.example")
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        refused = smtp.sendmail("candidate@alpha.example", [a.address], raw)
    assert refused == {}
    (post,) = posts(app, a.firm)
    assert "Dienstag wäre großartig" in post.body and "Gesendet:" not in post.body
    assert post.in_reply_to_message_id == a.mid


def test_smtp_refuses_other_recipients_at_rcpt(app, inbound, inbound_server):
    raw = fixture("gmail_en.eml", to="x@y.example", sender="candidate@alpha.example")
    for rcpt in ("someone@replies.alpha.example", f"reply+{inbound.a.token}@not-ours.example", "postmaster@example"):
        with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                smtp.sendmail("candidate@alpha.example", [rcpt], raw)
            assert refused.value.recipients[rcpt][0] == 550
    assert posts(app, inbound.a.firm) == []


def test_smtp_holds_a_forged_token_and_takes_the_size_limit(app, inbound, inbound_server):
    forged = "reply+" + "f" * 32 + "@replies.alpha.example"
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        smtp.ehlo()
        assert int(smtp.esmtp_features["size"]) == app.config["INBOUND_MAX_BYTES"]
        smtp.sendmail("x@y.example", [forged], fixture("gmail_en.eml", to=forged, sender="x@y.example"))
    assert [h.reason for h in held(app, inbound.a.firm)] == ["unknown_token"]


def _post(client, data, **kw):
    return client.post("/inbound/mail", data=data, **kw)


def test_a_raw_mime_post_lands_in_the_conversation(app, inbound, client_for):
    a = inbound.a
    c = client_for(None, host="inbound.provider-facing.example")  # no firm by Host: the address decides
    raw = fixture("apple_fr.eml", to=a.address, sender="candidate@alpha.example")
    r = _post(c, raw, content_type="message/rfc822", headers={"X-Portal-Inbound-Secret": SECRET})
    assert r.status_code == 200 and r.get_data(as_text=True).strip() == "posted"
    (post,) = posts(app, a.firm)
    assert "jeudi après-midi" in post.body and "a écrit" not in post.body


def test_a_sendgrid_style_form_post_with_basic_auth(app, inbound, client_for):
    b = inbound.b
    c = client_for(None)
    raw = fixture("plain_en.eml", to="Beta <desk@beta.example>", sender="candidate@beta.example")
    auth = "Basic " + base64.b64encode(f"portal:{SECRET}".encode()).decode()
    form = {"email": raw.decode(), "envelope": json.dumps({"to": [b.address], "from": "candidate@beta.example"})}
    r = _post(c, form, headers={"Authorization": auth})
    assert r.status_code == 200, r.get_data(as_text=True)
    (post,) = posts(app, b.firm)
    assert post.body == "I accepted another offer, so please take me out of the process."
    assert posts(app, inbound.a.firm) == []


def test_the_webhook_needs_its_secret(app, inbound, client_for):
    a = inbound.a
    c = client_for(None)
    raw = fixture("gmail_en.eml", to=a.address, sender="candidate@alpha.example")
    assert _post(c, raw, content_type="message/rfc822").status_code == 401
    bad = {"X-Portal-Inbound-Secret": SECRET + "x"}
    assert _post(c, raw, content_type="message/rfc822", headers=bad).status_code == 401
    app.config["INBOUND_SECRET"] = None
    ok = {"X-Portal-Inbound-Secret": SECRET}
    assert _post(c, raw, content_type="message/rfc822", headers=ok).status_code == 404
    assert posts(app, a.firm) == []


def test_the_webhook_refuses_what_is_no_reply_and_rejects_nonsense(app, inbound, client_for):
    c = client_for(None)
    ok = {"X-Portal-Inbound-Secret": SECRET}
    raw = fixture("gmail_en.eml", to="someone@example.org", sender="candidate@alpha.example")
    assert _post(c, raw, content_type="message/rfc822", headers=ok).status_code == 406
    assert _post(c, b"", content_type="message/rfc822", headers=ok).status_code == 400
    junk = b"\x00\xff" * 5000 + b"\r\n\r\n" + b"x" * 20000
    assert _post(c, junk, content_type="message/rfc822", headers=ok).status_code == 406


def test_a_database_failure_keeps_the_mail_with_the_sender(app, inbound, inbound_server, client_for, monkeypatch):
    """Nothing is answered 250/200 before the commit: a database error is 451 (SMTP) or 503
    (webhook), so the sending server or provider delivers the mail again, and then it lands."""
    from sqlalchemy.exc import OperationalError

    import portal.inbound

    real = portal.inbound.handle

    def down(*args):
        raise OperationalError("SELECT 1", {}, Exception("database is down"))

    a = inbound.a
    raw = fixture("gmail_en.eml", to=a.address, sender="candidate@alpha.example")
    monkeypatch.setattr(portal.inbound, "handle", down)
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as failed:
            smtp.sendmail("candidate@alpha.example", [a.address], raw)
    assert failed.value.smtp_code == 451
    ok = {"X-Portal-Inbound-Secret": SECRET}
    assert _post(client_for(None), raw, content_type="message/rfc822", headers=ok).status_code == 503
    assert posts(app, a.firm) == []
    monkeypatch.setattr(portal.inbound, "handle", real)
    with smtplib.SMTP(inbound_server.hostname, inbound_server.port, timeout=10) as smtp:
        assert smtp.sendmail("candidate@alpha.example", [a.address], raw) == {}
    assert len(posts(app, a.firm)) == 1
