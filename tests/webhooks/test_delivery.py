"""Webhook delivery end to end, against a real HTTP receiver on loopback: Standard Webhooks
signatures that the `standardwebhooks` package verifies (during a secret rotation too), an
event written while the receiver is down delivered once it is up (exactly once, the same
webhook-id on every attempt), the change committed even when the webhook fails, no internal
note without the notes scope."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from portal.extensions import db
from portal.models import (
    DeliveryState,
    Feedback,
    Stage,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    utcnow,
)
from portal.services import webhook_endpoints
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import add, make_search, move
from tests.support.webhooks import Receiver, deliver, make_endpoint, new_candidate


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def rows(app, f, model):
    with firm_context(app, f.firm):
        return list(db.session.scalars(select(model).order_by(model.id)))


def test_a_delivery_carries_standard_webhooks_headers_that_verify(app, firms, receiver, run_jobs):
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    assert endpoint.secret.startswith("whsec_")
    cand = new_candidate(app, firms.a)
    deliver(run_jobs)
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(got.body, got.headers)
    (event,) = rows(app, firms.a, WebhookEvent)
    assert got.headers["webhook-id"] == event.uid and event.uid.startswith("msg_")
    assert payload["type"] == "candidate.created"
    assert payload["data"]["candidate"]["id"] == cand.id
    assert payload["data"]["candidate"]["name"] == "Ada Lovelace"
    assert got.headers["content-type"] == "application/json"
    (attempt,) = rows(app, firms.a, WebhookAttempt)
    assert attempt.ok and attempt.status_code == 200 and attempt.attempt == 1
    # A wrong secret does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_endpoints.webhooks.new_secret()).verify(got.body, got.headers)


def test_during_a_rotation_both_secrets_sign_then_only_the_new_one(app, firms, receiver, run_jobs):
    receiver.start()
    endpoint = make_endpoint(app, firms.a, receiver.url)
    old = endpoint.secret
    with firm_context(app, firms.a.firm):
        row = db.session.get(WebhookEndpoint, endpoint.id)
        webhook_endpoints.rotate_secret(firms.a.firm, db.session.get(User, firms.a.admin.id), row)
        new = row.secret
    assert new != old
    new_candidate(app, firms.a)
    deliver(run_jobs)
    got = receiver.requests[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)  # a receiver not yet updated
    Webhook(new).verify(got.body, got.headers)  # a receiver already updated
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=True):
        new_candidate(app, firms.a, name="Grace Hopper")
        deliver(run_jobs)
        got = receiver.requests[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(got.body, got.headers)


def test_an_event_written_while_the_receiver_is_down_arrives_once_it_is_up(app, firms, receiver, run_jobs):
    make_endpoint(app, firms.a, receiver.url, events=("candidacy.moved",))
    search = make_search(app, firms.a)
    cy = add(app, firms.a, search, firms.a.candidate)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        move(app, firms.a, cy, Stage.CONTACTED)
        deliver(run_jobs)  # the receiver is down: connection refused
        (delivery,) = rows(app, firms.a, WebhookDelivery)
        assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
        assert delivery.next_attempt_at == start + timedelta(seconds=5)
        (failed,) = rows(app, firms.a, WebhookAttempt)
        assert not failed.ok and failed.status_code is None and "ConnectionError" in failed.error
        receiver.start()
        deliver(run_jobs, relay=True)  # not due yet: nothing is sent
        assert receiver.requests == []
        clock.shift(6)
        deliver(run_jobs, relay=True)
        assert len(receiver.requests) == 1
        clock.shift(3600)
        deliver(run_jobs, relay=True)  # delivered: nothing more, ever
    assert len(receiver.requests) == 1
    (event,) = rows(app, firms.a, WebhookEvent)
    assert receiver.requests[0].headers["webhook-id"] == event.uid
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "candidacy.moved"
    assert (
        body["data"]["candidacy"]["stage"] == "contacted"
        and body["data"]["candidacy"]["previous_stage"] == "identified"
    )
    (delivery,) = rows(app, firms.a, WebhookDelivery)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2


def test_a_retry_after_an_error_status_carries_the_same_webhook_id(app, firms, receiver, run_jobs):
    receiver.status = 503
    receiver.start()
    make_endpoint(app, firms.a, receiver.url)
    with time_machine.travel(utcnow(), tick=False) as clock:
        new_candidate(app, firms.a)
        deliver(run_jobs)
        receiver.status = 204
        clock.shift(5)
        deliver(run_jobs, relay=True)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert [(a.attempt, a.status_code, a.ok) for a in rows(app, firms.a, WebhookAttempt)] == [
        (1, 503, False),
        (2, 204, True),
    ]


def test_the_change_is_committed_even_when_the_webhook_fails(app, firms, receiver, run_jobs, client_for):
    receiver.status = 500
    receiver.start()
    make_endpoint(app, firms.a, receiver.url, events=("feedback.posted",))
    search = make_search(app, firms.a)
    cy = add(app, firms.a, search, firms.a.candidate, stage=Stage.SCREENING)
    rec = client_for(firms.a.firm)
    login_as(rec, firms.a.recruiter)
    resp = rec.post(
        f"/recruiter/candidacies/{cy.id}/feedback", data={"body": "Strong first interview.", "action": "post"}
    )
    assert resp.status_code in (302, 303)
    deliver(run_jobs)
    assert [fb.body_md for fb in rows(app, firms.a, Feedback)] == ["Strong first interview."]
    (delivery,) = rows(app, firms.a, WebhookDelivery)
    assert delivery.state == DeliveryState.PENDING and delivery.last_status == 500
    assert len(receiver.requests) == 1


def test_internal_notes_only_reach_an_endpoint_with_the_notes_scope(app, firms, run_jobs):
    plain, scoped = Receiver().start(), Receiver().start()
    try:
        make_endpoint(app, firms.a, plain.url)
        make_endpoint(app, firms.a, scoped.url, notes_scope=True)
        new_candidate(app, firms.a, note="Asked for 20% more than the band; keep quiet")
        deliver(run_jobs)
        assert b"keep quiet" not in plain.requests[0].body
        assert "internal_notes" not in json.loads(plain.requests[0].body)["data"]
        data = json.loads(scoped.requests[0].body)["data"]
        assert data["internal_notes"] == ["Asked for 20% more than the band; keep quiet"]
        (event,) = rows(app, firms.a, WebhookEvent)
        assert "keep quiet" not in json.dumps(event.data)  # kept apart from the payload
    finally:
        plain.stop()
        scoped.stop()


def test_no_endpoint_no_event(app, firms, run_jobs):
    new_candidate(app, firms.a)
    assert rows(app, firms.a, WebhookEvent) == []


def test_an_event_written_while_redis_is_down_is_relayed_later(app, firms, receiver, run_jobs, private_redis):
    receiver.start()
    make_endpoint(app, firms.a, receiver.url)
    private_redis.stop()  # the change commits; the enqueue after commit fails quietly
    cand = new_candidate(app, firms.a)
    (delivery,) = rows(app, firms.a, WebhookDelivery)
    assert delivery.enqueued_at is None  # cleared, so the relay takes it
    private_redis.start()
    assert deliver(run_jobs) == 0  # nothing was queued ...
    deliver(run_jobs, relay=True)  # ... the relay finds it
    (got,) = receiver.requests
    assert json.loads(got.body)["data"]["candidate"]["id"] == cand.id
