"""The firm-level messages view for recruiters and admins."""

from __future__ import annotations

import pytest

from portal.models import Message, MessageState
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.worker import message, send_plain

pytestmark = pytest.mark.usefixtures("email_test_templates")  # send_plain records test_event messages


def _fail(app, firm, mid, reason="rejected by the mail server: 550 mailbox unavailable"):
    with firm_context(app, firm) as s:
        m = s.get(Message, mid)
        m.state, m.last_error = MessageState.FAILED, reason


def test_counts_oldest_pending_failures_and_resend(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    sent = send_plain(app, a.firm, a.candidate, change="All good")
    run_jobs()
    failed = send_plain(app, a.firm, a.candidate, change="Bounced news")
    run_jobs()
    _fail(app, a.firm, failed)
    app.config["GRACE_SECONDS"] = 300
    pending = send_plain(app, a.firm, a.candidate, grace=True, change="Soon")
    client = client_for(a.firm)
    login_as(client, a.recruiter)
    page = client.get("/recruiter/messages")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sent: <strong>1</strong>" in html and "Failed: <strong>1</strong>" in html
    assert "Pending: <strong>1</strong>" in html
    assert "Event: Soon" in html.split("Oldest pending")[1].split("Failed deliveries")[0]
    assert "550 mailbox unavailable" in html
    detail = client.get(f"/recruiter/messages/{failed}")
    assert detail.status_code == 200 and "Send again" in detail.get_data(as_text=True)
    assert "Send again" not in client.get(f"/recruiter/messages/{sent}").get_data(as_text=True)
    resp = client.post(f"/recruiter/messages/{failed}/resend")
    assert resp.status_code == 302
    assert message(app, failed).state == MessageState.PENDING
    run_jobs()
    assert message(app, failed).state == MessageState.SENT
    again = client.post(f"/recruiter/messages/{pending}/resend", follow_redirects=True)
    assert "Only a failed message can be sent again." in again.get_data(as_text=True)
    assert message(app, pending).state == MessageState.PENDING
    filtered = client.get("/recruiter/messages?state=pending").get_data(as_text=True)
    assert "Pending messages" in filtered
    assert client.get("/recruiter/messages?state=bogus").status_code == 200


def test_admins_too_candidates_never(app, firms, client_for):
    a = firms.a
    admin = client_for(a.firm)
    login_as(admin, a.admin)
    assert admin.get("/recruiter/messages").status_code == 200
    cand = client_for(a.firm)
    login_as(cand, a.candidate_user)
    assert cand.get("/recruiter/messages").status_code == 403
    anon = client_for(a.firm)
    assert anon.get("/recruiter/messages").status_code == 302


def test_another_firms_message_is_a_404(app, firms, client_for):
    a, b = firms.a, firms.b
    theirs = send_plain(app, b.firm, b.candidate)
    _fail(app, b.firm, theirs)
    client = client_for(a.firm)
    login_as(client, a.recruiter)
    assert client.get(f"/recruiter/messages/{theirs}").status_code == 404
    assert client.post(f"/recruiter/messages/{theirs}/resend").status_code == 404
    assert message(app, theirs).state == MessageState.FAILED
    assert "Event:" not in client.get("/recruiter/messages").get_data(as_text=True)
    assert client.get("/recruiter/messages/999999").status_code == 404


def test_list_queries_do_not_grow_with_rows(app, firms, client_for, count_queries):
    a = firms.a
    client = client_for(a.firm)
    login_as(client, a.recruiter)
    ids = [send_plain(app, a.firm, a.candidate)]
    _fail(app, a.firm, ids[0])
    client.get("/recruiter/messages")
    with count_queries() as one:
        assert client.get("/recruiter/messages").status_code == 200
    for _ in range(55):
        ids.append(send_plain(app, a.firm, a.candidate))
    for mid in ids[:30]:
        _fail(app, a.firm, mid)
    with count_queries() as many:
        page = client.get("/recruiter/messages")
    assert page.status_code == 200 and "Older messages" in page.get_data(as_text=True)
    assert len(many) == len(one), (len(one), len(many))
    older = client.get(f"/recruiter/messages?before={ids[10]}").get_data(as_text=True)
    assert older.count("/recruiter/messages/") >= 10


def _message_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("recruiter.message")]


def test_every_messages_route_guarded_and_scoped(app, firms, client_for):
    """Driven by the URL map: a new route under /recruiter/messages is covered by default."""
    import re

    a, b = firms.a, firms.b
    theirs = send_plain(app, b.firm, b.candidate)
    _fail(app, b.firm, theirs)
    rules = _message_rules(app)
    assert {r.endpoint for r in rules} >= {"recruiter.messages", "recruiter.message_detail", "recruiter.message_resend"}
    anon, cand, staff = client_for(a.firm), client_for(a.firm), client_for(a.firm)
    login_as(cand, a.candidate_user)
    login_as(staff, a.recruiter)
    for rule in rules:
        url = re.sub(r"<(?:int:)?(\w+)>", str(theirs), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert anon.open(url, method=method).status_code == 302, (method, url)
            assert cand.open(url, method=method).status_code == 403, (method, url)
            if "<" in rule.rule:
                assert staff.open(url, method=method).status_code == 404, (method, url)
    assert message(app, theirs).state == MessageState.FAILED


def test_resend_needs_the_csrf_token(app, firms, client_for):
    a = firms.a
    mid = send_plain(app, a.firm, a.candidate)
    _fail(app, a.firm, mid)
    client = client_for(a.firm)
    login_as(client, a.recruiter)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/recruiter/messages/{mid}/resend").status_code == 400
    assert message(app, mid).state == MessageState.FAILED
    page = client.get(f"/recruiter/messages/{mid}").get_data(as_text=True)
    assert 'name="csrf_token"' in page
