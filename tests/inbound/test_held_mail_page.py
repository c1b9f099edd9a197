"""The held email page: staff of the firm see what was held (and a count on needs-attention),
post it to the right candidate's conversation or discard it, both audited; another firm's
held email is a 404; the firm admin sets the reply domain (a host name, one firm's only)."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import AuditEntry, Firm
from tests.factories import firm_context
from tests.inbound.conftest import fixture, held, posts, receive
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import flashes


def _hold_wrong_sender(app, inbound):
    a = inbound.a
    receive(app, fixture("gmail_en.eml", to=a.address, sender="anna.private@home.example"), a.address)
    (row,) = held(app, a.firm)
    return row


def test_staff_post_held_mail_to_the_candidates_conversation(app, inbound, client_for, count_queries):
    a = inbound.a
    row = _hold_wrong_sender(app, inbound)
    c = client_for(a.firm)
    login_as(c, a.f.recruiter)
    home = c.get("/recruiter/").get_data(as_text=True)
    assert 'id="held-mail"' in home and "/recruiter/held-mail" in home
    with count_queries() as q:
        page = c.get("/recruiter/held-mail").get_data(as_text=True)
    assert "anna.private@home.example" in page and "not the candidate" in page and "hybrid" in page
    assert q.count <= 8
    r = c.post(
        f"/recruiter/held-mail/{row.id}/post", data={"candidate_email": "nobody@alpha.example"}, follow_redirects=True
    )
    assert "No candidate has the address" in flashes(r.get_data(as_text=True))
    assert posts(app, a.firm) == []
    r = c.post(f"/recruiter/held-mail/{row.id}/post", data={"candidate_email": "Candidate@Alpha.example"})
    assert r.status_code == 302
    (post,) = posts(app, a.firm)
    assert post.candidate_id == a.candidate.id and post.in_reply_to_message_id == a.mid and "hybrid" in post.body
    (after,) = held(app, a.firm)
    assert after.resolution == "posted" and after.resolved_by_id == a.f.recruiter.id
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.firm_id == a.firm.id)) == "held_mail.posted"
    assert "No held email" in c.get("/recruiter/held-mail").get_data(as_text=True)
    assert 'id="held-mail"' not in c.get("/recruiter/").get_data(as_text=True)
    # Dealt with already: a second post is refused in words, not posted twice.
    r = c.post(
        f"/recruiter/held-mail/{row.id}/post",
        data={"candidate_email": "candidate@alpha.example"},
        follow_redirects=True,
    )
    assert "dealt with already" in flashes(r.get_data(as_text=True)) and len(posts(app, a.firm)) == 1


def test_staff_discard_held_mail_and_another_firm_cannot(app, inbound, client_for):
    a, b = inbound.a, inbound.b
    row = _hold_wrong_sender(app, inbound)
    other = client_for(b.firm)
    login_as(other, b.f.recruiter)
    assert other.post(f"/recruiter/held-mail/{row.id}/discard").status_code == 404
    assert "hybrid" not in other.get("/recruiter/held-mail").get_data(as_text=True)
    c = client_for(a.firm)
    login_as(c, a.f.recruiter)
    assert c.post(f"/recruiter/held-mail/{row.id}/discard").status_code == 302
    (after,) = held(app, a.firm)
    assert after.resolution == "discarded" and after.raw_key is None
    assert posts(app, a.firm) == []
    candidate_client = client_for(a.firm)
    login_as(candidate_client, a.f.candidate_user)
    assert candidate_client.get("/recruiter/held-mail").status_code in (302, 403)


def test_the_reply_domain_setting(app, firms, client_for):
    app.config["REPLY_DOMAIN"] = "replies.portal.example"
    c = client_for(firms.a.firm)
    login_as(c, firms.a.admin)
    form = c.get("/admin/settings").get_data(as_text=True)
    assert 'name="reply_domain"' in form

    def save(value):
        with firm_context(app, firms.a.firm) as s:
            f = s.get(Firm, firms.a.firm.id)
            data = {"name": f.name, "primary_color": f.primary_color, "accent_color": f.accent_color}
        data["reply_domain"] = value
        return c.post("/admin/settings", data=data, follow_redirects=True).get_data(as_text=True)

    for bad in (
        "http://replies.example.com/",
        "me@replies.example.com",
        "not a domain",
        "x" * 300,
        "<script>x</script>.com",
        "a\tb.com",
    ):
        page = save(bad)
        assert "Enter a domain name" in page or "longer than 253" in page, bad
        with firm_context(app, firms.a.firm) as s:
            assert s.get(Firm, firms.a.firm.id).reply_domain is None
    assert "shared by every firm" in save("replies.portal.example")
    with firm_context(app, firms.b.firm) as s:
        s.get(Firm, firms.b.firm.id).reply_domain = "replies.beta.example"
    assert "another portal" in save("replies.beta.example")
    save("Replies.Alpha.Example.")
    with firm_context(app, firms.a.firm) as s:
        assert s.get(Firm, firms.a.firm.id).reply_domain == "replies.alpha.example"
