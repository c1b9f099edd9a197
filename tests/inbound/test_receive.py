"""portal.inbound.receive, the one function both entry points call: replies as Gmail, Outlook,
Apple Mail, a plain-text client and an HTML-only webmail write them (English, German, French,
ISO-8859-1) land in the right conversation with the quote stripped; forged, expired and
wrong-sender mail is held; auto-replies are not messages; a re-delivery posts once; nothing
crosses from one firm to another."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import Message, PostSource, utcnow
from tests.factories import firm_context
from tests.inbound.conftest import candidate_row, fixture, held, posts, receive

CASES = [
    ("gmail_en.eml", "Thanks for the update! Is the role still hybrid, two days in the office?", "No decision yet"),
    ("outlook_de.eml", "Können wir nächste Woche telefonieren? Dienstag wäre großartig.", "noch keine Entscheidung"),
    ("apple_fr.eml", "je suis disponible jeudi après-midi pour un échange.", "Pas encore de décision"),
    ("plain_en.eml", "I accepted another offer, so please take me out of the process.", "No decision yet"),
    ("html_only_de.eml", 'Ich habe eine Frage zum Gehalt: ist "80k" realistisch?', "noch keine Entscheidung"),
]


@pytest.mark.parametrize(("name", "new_text", "quoted"), CASES)
def test_a_reply_lands_in_the_conversation_without_its_quote(app, inbound, name, new_text, quoted):
    a = inbound.a
    outcome = receive(app, fixture(name, to=a.address, sender="Candidate@Alpha.example"), a.address)
    assert outcome.status == "posted", outcome
    (post,) = posts(app, a.firm)
    assert post.candidate_id == a.candidate.id and post.source == PostSource.EMAIL
    assert post.in_reply_to_message_id == a.mid  # threaded under what it answers
    assert new_text in post.body
    assert quoted not in post.body and "wrote:" not in post.body and "schrieb" not in post.body
    assert "iPhone" not in post.body and "Pat Plain\n+44" not in post.body and "<script" not in post.body
    assert post.reply_due_at is not None and post.email_message_id
    assert posts(app, inbound.b.firm) == []


def test_a_redelivered_mail_is_posted_once(app, inbound):
    a = inbound.a
    raw = fixture("gmail_en.eml", to=a.address, sender="candidate@alpha.example")
    assert receive(app, raw, a.address).status == "posted"
    assert receive(app, raw, a.address).status == "duplicate"
    assert len(posts(app, a.firm)) == 1


def test_a_forged_token_is_held_for_the_domains_firm(app, inbound):
    a = inbound.a
    forged = "reply+" + "0" * 32 + "@replies.alpha.example"
    outcome = receive(app, fixture("gmail_en.eml", to=forged, sender="candidate@alpha.example"), forged)
    assert outcome.status == "held" and outcome.detail == "unknown_token"
    (row,) = held(app, a.firm)
    assert row.reason == "unknown_token" and row.candidate_id is None and row.raw_key
    assert "hybrid" in row.body and row.mail_from == "candidate@alpha.example"
    assert posts(app, a.firm) == []
    # Not even a well-formed token: held too, never an error.
    mangled = "reply+<script>@replies.alpha.example"
    assert receive(app, fixture("plain_en.eml", to=mangled, sender="x@y.example"), mangled).status == "held"


def test_an_unknown_token_on_the_shared_domain_is_refused(app, inbound):
    shared = "reply+" + "1" * 32 + "@replies.portal.example"
    assert receive(app, fixture("gmail_en.eml", to=shared, sender="a@b.example"), shared).status == "refused"
    other = f"reply+{inbound.a.token}@elsewhere.example"
    assert receive(app, fixture("gmail_en.eml", to=other, sender="a@b.example"), other).status == "refused"
    assert held(app, inbound.a.firm) == [] and held(app, inbound.b.firm) == []


def test_the_shared_domain_threads_by_token(app, inbound):
    a = inbound.a
    shared = f"reply+{a.token}@replies.portal.example"
    assert receive(app, fixture("gmail_en.eml", to=shared, sender="candidate@alpha.example"), shared).status == "posted"
    assert [p.candidate_id for p in posts(app, a.firm)] == [a.candidate.id]


def test_a_wrong_sender_is_held_with_the_candidate_it_named(app, inbound):
    a = inbound.a
    outcome = receive(app, fixture("outlook_de.eml", to=a.address, sender="someone@else.example"), a.address)
    assert outcome.status == "held" and outcome.detail == "wrong_sender"
    (row,) = held(app, a.firm)
    assert row.candidate_id == a.candidate.id and row.in_reply_to_message_id == a.mid
    assert posts(app, a.firm) == []


def test_an_expired_token_is_held(app, inbound):
    a = inbound.a
    with firm_context(app, a.firm) as s:
        m = s.get(Message, a.mid)
        m.created_at = m.sent_at = utcnow() - timedelta(days=app.config["REPLY_TOKEN_DAYS"] + 1)
    outcome = receive(app, fixture("gmail_en.eml", to=a.address, sender="candidate@alpha.example"), a.address)
    assert outcome.status == "held" and outcome.detail == "expired_token"
    assert posts(app, a.firm) == []


def test_an_out_of_office_reply_is_not_a_message(app, inbound):
    a = inbound.a
    outcome = receive(app, fixture("out_of_office.eml", to=a.address, sender="candidate@alpha.example"), a.address)
    assert outcome.status == "auto_reply"
    assert posts(app, a.firm) == [] and held(app, a.firm) == []


def test_a_token_of_firm_a_on_firm_bs_domain_never_posts_into_b(app, inbound):
    a, b = inbound.a, inbound.b
    crossed = f"reply+{a.token}@replies.beta.example"
    outcome = receive(app, fixture("gmail_en.eml", to=crossed, sender="candidate@alpha.example"), crossed)
    assert outcome.status == "held" and outcome.detail == "unknown_token" and outcome.firm_id == b.firm.id
    (row,) = held(app, b.firm)
    assert row.candidate_id is None and row.in_reply_to_message_id is None  # nothing of firm A's
    assert posts(app, a.firm) == [] and posts(app, b.firm) == [] and held(app, a.firm) == []


def test_a_deleted_candidates_reply_is_refused(app, inbound):
    a = inbound.a
    from portal.models import Candidate

    with firm_context(app, a.firm) as s:
        s.get(Candidate, a.candidate.id).deleted_at = utcnow()
    outcome = receive(app, fixture("gmail_en.eml", to=a.address, sender="candidate@alpha.example"), a.address)
    assert outcome.status == "refused"
    assert posts(app, a.firm) == [] and held(app, a.firm) == []
    assert candidate_row(app, a.firm, a.candidate.id).deleted_at is not None


def test_attachments_are_stored_with_the_post(app, inbound):
    from email.message import EmailMessage

    from portal import storage

    a = inbound.a
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = "candidate@alpha.example", a.address, "Re: CV", "<cv-1@x>"
    m.set_content("My new CV.\n\nOn Mon, 1 Dec 2025 at 10:00, Alpha <x@y> wrote:\n> Please send your CV\n")
    m.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="cv.pdf")
    m.add_attachment(b"#!/bin/sh\nrm -rf /\n", maintype="application", subtype="x-sh", filename="run.sh")
    assert receive(app, m.as_bytes(), a.address).status == "posted"
    (post,) = posts(app, a.firm)
    assert [(f.filename, f.content_type) for f in post.attachments] == [("cv.pdf", "application/pdf")]
    assert post.body.startswith("My new CV.") and "run.sh: only PDF" in post.body
    with firm_context(app, a.firm):
        assert storage.load(post.attachments[0].storage_key) == b"%PDF-1.4\n%%EOF\n"
