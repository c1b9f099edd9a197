"""The admin's webhook pages: register an endpoint (the URL rule, hostile input), the endpoint's
page with its delivery log (bounded SQL), replay, enable/disable, rotation, removal, automatic
disabling with an email to the admins, and every change in the audit log. Another firm's
endpoint or delivery is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, DeliveryState, Message, WebhookDelivery, WebhookEndpoint, utcnow
from portal.services import webhook_endpoints
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.webhooks import Receiver, deliver, make_endpoint, new_candidate
from tests.webhooks.test_delivery import rows


@pytest.fixture
def admin(firms, client_for):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.admin)
    return c


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def actions(app, f) -> list[str]:
    return [e.action for e in rows(app, f, AuditEntry)]


def test_an_admin_registers_an_endpoint_and_sees_its_secret(app, firms, admin):
    resp = admin.post(
        "/admin/webhooks",
        data={
            "url": "http://127.0.0.1:9/hook",
            "description": "Our ATS",
            "event_types": ["candidacy.moved", "consent.answered"],
        },
    )
    assert resp.status_code == 303
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert endpoint.event_types == ["candidacy.moved", "consent.answered"] and not endpoint.notes_scope
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert endpoint.secret in page and "Our ATS" in admin.get("/admin/webhooks").get_data(as_text=True)
    assert "webhook.created" in actions(app, firms.a)
    resp = admin.post(
        f"/admin/webhooks/{endpoint.id}",
        data={"url": "http://127.0.0.1:9/other", "event_types": ["candidacy.moved"], "notes_scope": "y"},
    )
    assert resp.status_code == 303
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert endpoint.url.endswith("/other") and endpoint.notes_scope and endpoint.event_types == ["candidacy.moved"]
    assert admin.post(f"/admin/webhooks/{endpoint.id}/rotate").status_code == 303
    assert admin.post(f"/admin/webhooks/{endpoint.id}/enabled", data={"enabled": "0"}).status_code == 303
    assert admin.post(f"/admin/webhooks/{endpoint.id}/enabled", data={"enabled": "1"}).status_code == 303
    assert admin.post(f"/admin/webhooks/{endpoint.id}/remove").status_code == 303
    assert rows(app, firms.a, WebhookEndpoint) == []
    assert actions(app, firms.a) == [
        "webhook.created",
        "webhook.changed",
        "webhook.secret_rotated",
        "webhook.disabled",
        "webhook.enabled",
        "webhook.deleted",
    ]


def test_recruiters_and_candidates_cannot_reach_the_webhook_pages(firms, client_for):
    for user in (firms.a.recruiter, firms.a.candidate_user):
        c = client_for(firms.a.firm)
        login_as(c, user)
        assert c.get("/admin/webhooks").status_code in (302, 403)


HOSTILE = [
    ("", "required"),
    ("https://example.com/" + "x" * 20_000, "2000"),
    ("https://example.com/\thook", "control characters"),
    ("https://exa mple.com/hook", "spaces"),
    ("javascript:alert(1)", "https://"),
    ("<script>alert(1)</script>", "https://"),
    ("https://user:pw@example.com/hook", "passwords"),
    ("ftp://example.com/hook", "https://"),
    ("https://example.com:99999/hook", "not a valid"),
]
PRODUCTION_ONLY = [
    ("http://example.com/hook", "https://"),
    ("https://127.0.0.1/hook", "private"),
    ("https://10.1.2.3/hook", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://[::1]/hook", "private"),
    ("https://localhost/hook", "local host names"),
    ("https://printer.local/hook", "local host names"),
]


@pytest.mark.parametrize(("url", "words"), HOSTILE + PRODUCTION_ONLY)
def test_a_bad_or_hostile_url_is_refused_on_the_form(app, firms, admin, url, words):
    app.config["WEBHOOK_ALLOW_LOCAL"] = False
    resp = admin.post("/admin/webhooks", data={"url": url, "description": "ATS", "event_types": ["candidate.created"]})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert words in page
    assert "<script>alert" not in page
    assert rows(app, firms.a, WebhookEndpoint) == []


def test_hostile_description_and_events_are_refused_not_a_500(app, firms, admin):
    # NUL bytes are dropped from every request (portal/web/inputs.py): what is left is checked.
    resp = admin.post(
        "/admin/webhooks",
        data={"url": "https://example.com/\x00h", "description": "A\x00TS", "event_types": ["candidate.created"]},
    )
    assert resp.status_code == 303
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert (endpoint.url, endpoint.description) == ("https://example.com/h", "ATS")
    admin.post(f"/admin/webhooks/{endpoint.id}/remove")
    for data in (
        {"url": "https://example.com/h", "description": "d" * 20_000, "event_types": ["candidate.created"]},
        {"url": "https://example.com/h", "description": "<script>x</script>", "event_types": ["candidate.created"]},
        {"url": "https://example.com/h", "event_types": ["not.an.event"]},
        {"url": "https://example.com/h"},
    ):
        resp = admin.post("/admin/webhooks", data=data)
        assert resp.status_code == 400, data
    assert rows(app, firms.a, WebhookEndpoint) == []


def test_https_public_urls_are_accepted_in_production(app, firms, admin):
    app.config["WEBHOOK_ALLOW_LOCAL"] = False
    resp = admin.post(
        "/admin/webhooks", data={"url": "https://hooks.example.com/portal", "event_types": ["candidate.created"]}
    )
    assert resp.status_code == 303


def test_the_worker_refuses_a_host_that_resolves_to_a_private_address(app, firms, run_jobs):
    endpoint = make_endpoint(app, firms.a, "http://127.0.0.1:9/hook")
    with firm_context(app, firms.a.firm):
        db.session.get(WebhookEndpoint, endpoint.id).url = "https://localhost.:9/hook"
    app.config["WEBHOOK_ALLOW_LOCAL"] = False
    new_candidate(app, firms.a)
    deliver(run_jobs)
    (delivery,) = rows(app, firms.a, WebhookDelivery)
    assert delivery.state == DeliveryState.PENDING and delivery.last_error.startswith("not sent:")
    assert webhook_endpoints.host_refusal("localhost.", resolve=True)


def test_replay_sends_the_same_event_again(app, firms, admin, receiver, run_jobs):
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    new_candidate(app, firms.a)
    deliver(run_jobs)
    (delivery,) = rows(app, firms.a, WebhookDelivery)
    page = admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Delivery log" in page and "candidate.created" in page
    resp = admin.post(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/replay")
    assert resp.status_code == 303
    deliver(run_jobs)
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"] and first.body == again.body
    assert "webhook.replayed" in actions(app, firms.a)


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_admins_are_told(app, firms, receiver, run_jobs, smtp_sink):
    app.config["WEBHOOK_DISABLE_AFTER_FAILURES"] = 3
    receiver.status = 500
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    for name in ("Ada One", "Bob Two", "Cy Three"):
        new_candidate(app, firms.a, name=name)
    deliver(run_jobs)
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert not endpoint.enabled and "3 delivery attempts in a row failed" in endpoint.disabled_reason
    (mail,) = [m for m in rows(app, firms.a, Message) if m.kind == "webhook_disabled"]
    assert mail.to_email == firms.a.admin.email and endpoint.url in mail.body_text
    run_jobs()
    assert any(firms.a.admin.email in m.rcpt_tos for m in smtp_sink.messages)
    assert "webhook.disabled" in actions(app, firms.a)
    # A disabled endpoint gets no new events, and its pending retries are not sent.
    new_candidate(app, firms.a, name="Di Four")
    with time_machine.travel(utcnow() + timedelta(minutes=1), tick=True):
        deliver(run_jobs, relay=True)
    assert len(receiver.requests) == 3
    assert {d.state for d in rows(app, firms.a, WebhookDelivery)} == {DeliveryState.FAILED}


def test_an_endpoint_failing_for_days_is_disabled(app, firms, receiver, run_jobs):
    receiver.status = 404
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    with firm_context(app, firms.a.firm):
        db.session.get(WebhookEndpoint, endpoint.id).failing_since = utcnow() - timedelta(days=5, minutes=1)
    new_candidate(app, firms.a)
    deliver(run_jobs)
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert not endpoint.enabled and "for 5 days" in endpoint.disabled_reason


def test_a_success_resets_the_failure_count(app, firms, receiver, run_jobs):
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    with firm_context(app, firms.a.firm):
        row = db.session.get(WebhookEndpoint, endpoint.id)
        row.consecutive_failures, row.failing_since = 7, utcnow() - timedelta(days=1)
    new_candidate(app, firms.a)
    deliver(run_jobs)
    (endpoint,) = rows(app, firms.a, WebhookEndpoint)
    assert endpoint.enabled and endpoint.consecutive_failures == 0 and endpoint.failing_since is None


def test_another_firms_endpoint_and_delivery_are_404(app, firms, admin, run_jobs):
    theirs = make_endpoint(app, firms.b, "http://127.0.0.1:9/b")
    mine = make_endpoint(app, firms.a, "http://127.0.0.1:9/a")
    new_candidate(app, firms.b)
    with firm_context(app, firms.b.firm):
        their_delivery = db.session.scalar(select(WebhookDelivery))
    assert admin.get(f"/admin/webhooks/{theirs.id}").status_code == 404
    assert admin.post(f"/admin/webhooks/{theirs.id}/rotate").status_code == 404
    assert admin.post(f"/admin/webhooks/{theirs.id}/deliveries/{their_delivery.id}/replay").status_code == 404
    # Their delivery under my endpoint's address: refused, nothing replayed.
    resp = admin.post(f"/admin/webhooks/{mine.id}/deliveries/{their_delivery.id}/replay")
    assert resp.status_code == 303
    assert "webhook.replayed" not in actions(app, firms.a)


def _attempts(app, f, endpoint, n):
    """n logged attempts on the endpoint (n events, each delivered once)."""
    from portal.models import WebhookAttempt, WebhookEvent

    with firm_context(app, f.firm):
        for i in range(n):
            ev = WebhookEvent(
                uid=f"msg_{endpoint.id}_{i}", type="candidate.created", dedupe_key=f"k{endpoint.id}-{i}", data={}
            )
            db.session.add(ev)
            db.session.flush()
            d = WebhookDelivery(event_id=ev.id, endpoint_id=endpoint.id, state=DeliveryState.DELIVERED, attempts=1)
            db.session.add(d)
            db.session.flush()
            db.session.add(
                WebhookAttempt(delivery_id=d.id, endpoint_id=endpoint.id, attempt=1, ok=True, status_code=200)
            )


def test_the_pages_cost_the_same_sql_with_1_and_50_rows(app, firms, admin, count_queries):
    counts = []
    for n in (1, 50):
        endpoints = [make_endpoint(app, firms.a, f"http://127.0.0.1:9/{n}-{i}") for i in range(n if n == 1 else 49)]
        _attempts(app, firms.a, endpoints[0], n)
        with count_queries() as q_list:
            assert admin.get("/admin/webhooks").status_code == 200
        with count_queries() as q_page:
            page = admin.get(f"/admin/webhooks/{endpoints[0].id}")
            assert page.status_code == 200
        counts.append((q_list.count, q_page.count))
    assert counts[0] == counts[1], counts


def test_the_delivery_log_shows_the_last_100_attempts(app, firms, admin):
    endpoint = make_endpoint(app, firms.a, "http://127.0.0.1:9/x")
    _attempts(app, firms.a, endpoint, 105)
    with firm_context(app, firms.a.firm):
        log = webhook_endpoints.delivery_log(db.session.get(WebhookEndpoint, endpoint.id))
    assert len(log) == 100
    page = admin.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    assert page.count("Send again") == 100
