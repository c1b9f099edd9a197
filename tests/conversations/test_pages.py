"""The conversation pages, both sides: threading, the write box (files with the CV checks, bad
input as a form message), reply and "no reply needed", needs-attention first, a bounded number of
SQL statements whatever the length of the conversation, internal notes never in it."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from sqlalchemy import select

from portal import storage
from portal.extensions import db
from portal.models import ConversationAttachment, ConversationMessage, Message, Note, utcnow
from tests.factories import firm_context
from tests.support import candidate as h
from tests.support import conversations as conv


def test_candidate_writes_with_a_file_and_sees_when_to_expect_an_answer(app, firms, cand_client):
    f = firms.a
    check_in = h.message(app, f, f.candidate, subject="Your weekly check-in")
    page = cand_client.get(f"/me/messages?reply_to={check_in.id}").get_data(as_text=True)
    assert "Replying to “Your weekly check-in”" in page
    resp = cand_client.post(
        "/me/messages",
        data={
            "body": "Is there any news from the client?",
            "in_reply_to": str(check_in.id),
            "files": [(io.BytesIO(conv.PDF_BYTES), "notes.pdf"), (io.BytesIO(conv.PNG_BYTES), "shot.png")],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    page = cand_client.get("/me/messages").get_data(as_text=True)
    assert "We&#39;ll reply by" in page or "We'll reply by" in page
    # Threaded under the check-in it answers: the check-in's subject comes first, then the question.
    assert page.index("Your weekly check-in") < page.index("Is there any news from the client?")
    with firm_context(app, f.firm) as s:
        post = s.scalar(select(ConversationMessage))
        assert post.in_reply_to_message_id == check_in.id
        assert sorted(a.content_type for a in post.attachments) == ["application/pdf", "image/png"]
        first = post.attachments[0]
    got = cand_client.get(f"/me/messages/files/{first.id}")
    assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment")


def test_bad_input_is_a_form_message_and_keeps_the_words(app, firms, cand_client):
    cases = [
        ({"body": "x" * 20_000}, "at most 10000 characters"),
        ({"body": "<script>alert(1)</script>"}, "plain text"),
        ({"body": "\x00\x00"}, "Please write a message."),
        ({"body": "Here it is", "files": [(io.BytesIO(b"MZ\x90\x00binary"), "cv.exe")]}, "please attach a PDF"),
        ({"body": "Here it is", "files": [(io.BytesIO(conv.PDF_BYTES), "cv.docx")]}, "its real name"),
    ]
    for data, words in cases:
        resp = cand_client.post("/me/messages", data=data, content_type="multipart/form-data")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 400, data
        assert words in page, (words, page[page.find("error") : page.find("error") + 300])
        if data["body"].strip("\x00") and "<" not in data["body"]:
            assert data["body"][:50] in page  # nothing typed is lost
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(ConversationMessage)) is None


def test_home_and_search_pages_have_a_write_box_linked_to_the_search(app, firms, cand_client):
    f = firms.a
    search = h.make_search(app, f, title="Platform Lead")
    cy = h.add(app, f, search, f.candidate)
    assert 'id="write"' in cand_client.get("/me/").get_data(as_text=True)
    page = cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True)
    assert 'id="write"' in page and f'value="{cy.id}"' in page
    resp = cand_client.post(
        "/me/messages", data={"body": "Who is on the panel?", "candidacy_id": cy.id, "next": f"/me/searches/{cy.id}"}
    )
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/me/searches/{cy.id}")
    with firm_context(app, f.firm) as s:
        assert s.scalar(select(ConversationMessage.candidacy_id)) == cy.id


def test_recruiter_replies_and_the_candidate_sees_it_threaded(app, firms, rec, cand_client):
    f = firms.a
    post = conv.write(app, f.firm, f.candidate, "Can we talk on Tuesday?")
    with firm_context(app, f.firm):
        db.session.add(
            Note(
                firm_id=f.firm.id,
                candidate_id=f.candidate.id,
                author_id=f.recruiter.id,
                body_md="NOTE-SECRET",
                body_html="<p>NOTE-SECRET</p>",
            )
        )
    page = rec.client.get(f"/recruiter/candidates/{f.candidate.id}").get_data(as_text=True)
    assert "Can we talk on Tuesday?" in page and "waiting: reply by" in page
    conversation = page[page.index('id="conversation"') : page.index('id="notes"')]
    assert "NOTE-SECRET" not in conversation
    resp = rec.client.post(
        f"/recruiter/candidates/{f.candidate.id}/conversation/reply",
        data={"body": "Tuesday at 10 works.", "in_reply_to_id": post.id},
    )
    assert resp.status_code == 303
    mine = cand_client.get("/me/messages").get_data(as_text=True)
    assert mine.index("Can we talk on Tuesday?") < mine.index("Tuesday at 10 works.")
    assert "We&#39;ll reply by" not in mine and "NOTE-SECRET" not in mine
    with firm_context(app, f.firm) as s:
        assert s.get(ConversationMessage, post.id).answered_at is not None
        # The emailed copy is not shown a second time as a firm message of its own.
        assert s.scalar(select(Message.kind).where(Message.kind == "conversation_reply")) == "conversation_reply"
    assert mine.count("Tuesday at 10 works.") == 1
    # Bad input on the recruiter's side: a message, never a 500, nothing sent.
    for body in ("", "<script>x</script>", "y" * 20_000):
        resp = rec.client.post(f"/recruiter/candidates/{f.candidate.id}/conversation/reply", data={"body": body})
        assert resp.status_code == 303
    with firm_context(app, f.firm) as s:
        assert len(s.scalars(select(Message).where(Message.kind == "conversation_reply")).all()) == 1


def test_no_reply_needed_from_the_page_takes_it_off_needs_attention(app, firms, rec):
    f = firms.a
    post = conv.write(app, f.firm, f.candidate, "Thanks for everything!", at=utcnow() - timedelta(days=4))
    dash = rec.client.get("/recruiter/").get_data(as_text=True)
    assert "Candidates waiting for an answer" in dash and "waiting 4 days" in dash and "overdue" in dash
    # At the top: the first section of the page.
    assert dash.index('id="messages"') == dash.index('<section class="card attention" id="') + len(
        '<section class="card attention" '
    )
    assert rec.client.post(f"/recruiter/conversation/{post.id}/no-reply", data={"reason": ""}).status_code == 303
    with firm_context(app, f.firm) as s:
        assert s.get(ConversationMessage, post.id).answered_at is None
    rec.client.post(f"/recruiter/conversation/{post.id}/no-reply", data={"reason": "A thank-you"})
    assert "Thanks for everything!" not in rec.client.get("/recruiter/").get_data(as_text=True)


def _conversation_of(app, f, n):
    for i in range(n):
        m = h.message(app, f, f.candidate, subject=f"Check-in {i}")
        post = conv.write(
            app,
            f.firm,
            f.candidate,
            f"Question {i}",
            in_reply_to_message_id=m.id,
            files=[("a.png", "image/png", conv.PNG_BYTES)],
        )
        conv.reply(app, f.firm, f.recruiter, f.candidate, f"Answer {i}", in_reply_to_id=post.id)


def test_pages_send_the_same_statements_for_3_and_30_messages(app, firms, rec, cand_client, count_queries):
    f = firms.a
    search = h.make_search(app, f)
    cy = h.add(app, f, search, f.candidate)
    pages = {
        cand_client: ["/me/messages", "/me/"],
        rec.client: [f"/recruiter/candidates/{f.candidate.id}", f"/recruiter/candidacies/{cy.id}", "/recruiter/"],
    }
    counts = []
    for n in (3, 27):
        _conversation_of(app, f, n)
        row = {}
        for client, paths in pages.items():
            for path in paths:
                client.get(path)  # warm
                with count_queries() as q:
                    assert client.get(path).status_code == 200, path
                row[path] = q.count
        counts.append(row)
    assert counts[0] == counts[1]


def test_export_has_the_conversation_and_its_files_and_deletion_erases_them(app, firms, cand_client):
    f = firms.a
    post = conv.write(
        app, f.firm, f.candidate, "Here is my portfolio", files=[("work.png", "image/png", conv.PNG_BYTES)]
    )
    conv.reply(app, f.firm, f.recruiter, f.candidate, "Lovely, thank you")
    zipped = cand_client.get("/me/settings/my-data.zip")
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as zf:
        import json

        data = json.loads(zf.read("my-data.json"))
        texts = [p["text"] for p in data["conversation"]]
        assert texts == ["Here is my portfolio", "Lovely, thank you"]
        name = data["conversation"][0]["files"][0]
        assert zf.read(name) == conv.PNG_BYTES
    key = post.attachments[0].storage_key
    with firm_context(app, f.firm):
        assert storage.load(key) == conv.PNG_BYTES
    resp = cand_client.post("/me/settings/delete", data={"password": "correct-horse-battery", "confirm": "y"})
    assert resp.status_code in (200, 302, 303)
    with firm_context(app, f.firm) as s:
        assert s.scalar(select(ConversationMessage)) is None
        assert s.scalar(select(ConversationAttachment)) is None
        assert all("Here is my portfolio" not in (m.body_text or "") for m in s.scalars(select(Message)))
    with firm_context(app, f.firm):
        assert storage.load(key) is None
