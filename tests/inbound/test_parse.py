"""Reading inbound mail without a database: attachments kept by the CV rules plus images,
auto-reply signs, delivery reports, hostile and broken input never an error."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from portal.services.conversations import MAX_ATTACHMENT_BYTES
from portal.services.inbound_parse import html_to_text, parse
from tests.support.images import image_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _mail(**headers) -> EmailMessage:
    m = EmailMessage()
    m["From"] = headers.pop("From", "Anna <anna@example.com>")
    m["To"] = "reply+00@replies.example"
    m["Subject"] = headers.pop("Subject", "Re: hello")
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content("Here is my CV.\n\nOn Mon, 1 Dec 2025 at 10:00, Alpha <x@y> wrote:\n> Hello\n")
    return m


def test_attachments_follow_the_cv_rules_plus_images():
    m = _mail()
    m.add_attachment(PDF, maintype="application", subtype="pdf", filename="cv.pdf")
    m.add_attachment(image_bytes("PNG", (20, 20)), maintype="image", subtype="png", filename="photo.png")
    m.add_attachment(
        b"MZ\x90\x00evil", maintype="application", subtype="pdf", filename="cv2.pdf"
    )  # lies about its type
    m.add_attachment(b"%PDF-" + b"x" * MAX_ATTACHMENT_BYTES, maintype="application", subtype="pdf", filename="big.pdf")
    mail = parse(m.as_bytes())
    assert mail.text == "Here is my CV."
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("cv.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert any("cv2.pdf" in r and "only PDF" in r for r in mail.refused)
    assert any("big.pdf" in r and "larger than" in r for r in mail.refused)


def test_a_signature_logo_inside_the_html_is_not_an_attachment():
    m = _mail()
    m.add_alternative('<p>Here is my CV.</p><img src="cid:logo1">', subtype="html")
    html = m.get_payload()[1]
    html.add_related(image_bytes("PNG", (20, 20)), maintype="image", subtype="png", cid="<logo1>", disposition="inline")
    mail = parse(m.as_bytes())
    assert mail.attachments == [] and mail.refused == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated; owner-email=x@y"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "on"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"Subject": "Abwesenheitsnotiz: Ihr Stand"},
        {"Subject": "Réponse automatique : absent"},
        {"Subject": "Out of Office: back on Monday"},
    ],
)
def test_auto_replies_are_recognised(headers):
    assert parse(_mail(**headers).as_bytes()).auto_reply


def test_a_person_is_not_an_auto_reply():
    assert parse(_mail(Auto_Submitted="no", X_Auto_Response_Suppress="All").as_bytes()).auto_reply is None


def test_broken_mail_is_read_not_refused():
    assert parse(b"").text == "" and parse(b"").message_id.startswith("sha256:")
    odd = b"From: =?x-unknown?q?Anna?= <anna@example.com>\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nHall\xf6chen\r\n"
    mail = parse(odd)
    assert mail.from_address == "anna@example.com" and "Hall" in mail.text
    assert parse(b"\x00" * 10_000).text is not None


def test_html_becomes_text_with_quotes_and_no_script():
    text = html_to_text("<p>One</p><p>Two<br>three</p><blockquote>old <b>text</b></blockquote><script>x()</script>")
    assert text == "One\nTwo\nthree\n> old text"
