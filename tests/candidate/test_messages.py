"""Messages: everything the firm sent the candidate, newest first; the portal is the record."""

from datetime import timedelta

from portal.extensions import db
from portal.models import Audience, Message, MessageState, utcnow
from tests.factories import firm_context
from tests.support import candidate as h


def test_messages_newest_first_including_failed_ones(app, firms, cand_client):
    f, c = firms.a, firms.a.candidate
    old = h.message(app, f, c, subject="Older message")
    with firm_context(app, f.firm):
        db.session.get(Message, old.id).created_at = utcnow() - timedelta(days=2)
    h.message(app, f, c, subject="Bounced message", state=MessageState.FAILED)
    h.message(app, f, c, subject="Cancelled one", state=MessageState.CANCELLED)
    h.message(app, f, c, subject="Not for the portal", show_in_portal=False)
    h.message(app, f, c, subject="To the recruiter", audience=Audience.RECRUITER)
    html = cand_client.get("/me/messages").get_data(as_text=True)
    assert html.index("Bounced message") < html.index("Older message")
    assert "shown here only" in html
    for hidden in ("Cancelled one", "Not for the portal", "To the recruiter"):
        assert hidden not in html


def test_message_body_is_text_escaped(app, firms, cand_client):
    m = h.message(
        app, firms.a, firms.a.candidate, subject="Hi <b>there</b>", body="Line one\n<script>alert(1)</script>"
    )
    html = cand_client.get(f"/me/messages/{m.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Hi &lt;b&gt;there&lt;/b&gt;" in html


def test_cancelled_message_is_404(app, firms, cand_client):
    m = h.message(app, firms.a, firms.a.candidate, state=MessageState.CANCELLED)
    assert cand_client.get(f"/me/messages/{m.id}").status_code == 404


def test_pagination(app, firms, cand_client):
    for i in range(30):
        h.message(app, firms.a, firms.a.candidate, subject=f"Msg number {i:02d}")
    first = cand_client.get("/me/messages").get_data(as_text=True)
    second = cand_client.get("/me/messages?page=2").get_data(as_text=True)
    assert first.count("Msg number") == 25 and second.count("Msg number") == 5
    assert "Older" in first and "Newer" in second
    assert cand_client.get("/me/messages?page=abc").status_code == 200
    assert cand_client.get("/me/messages?page=-5").status_code == 200
