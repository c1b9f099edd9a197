"""Each service writes its webhook event in the transaction of its change (one event id per
event, one delivery per subscribed endpoint): candidacy moved / closed / a move undone,
consent answered, feedback posted, candidate created / updated, and message failed from the
worker's failure path. An endpoint gets only the types it subscribed to."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, Candidacy, Candidate, CloseReason, Stage, User, WebhookDelivery, WebhookEvent
from portal.services import candidates, consent, feedback, pipeline, webhooks
from tests.factories import firm_context
from tests.support.recruiter import add, make_search, move
from tests.support.webhooks import make_endpoint, new_candidate
from tests.webhooks.test_delivery import rows

ALL = tuple(webhooks.EVENT_TYPES)


def events(app, f) -> list[tuple[str, dict]]:
    return [(e.type, e.data) for e in rows(app, f, WebhookEvent)]


def test_pipeline_moves_closes_and_undos_are_events(app, firms):
    app.config["GRACE_SECONDS"] = 300  # so the close can be undone
    make_endpoint(app, firms.a, "http://127.0.0.1:9/x", events=ALL)
    search = make_search(app, firms.a)
    cy = add(app, firms.a, search, firms.a.candidate)
    move(app, firms.a, cy, Stage.CONTACTED)
    with firm_context(app, firms.a.firm):
        row = db.session.get(Candidacy, cy.id)
        pipeline.close(
            firms.a.firm, db.session.get(User, firms.a.recruiter.id), row, CloseReason.NOT_A_FIT, "We need Go."
        )
    with firm_context(app, firms.a.firm):
        pipeline.undo_last_change(
            firms.a.firm, db.session.get(User, firms.a.recruiter.id), db.session.get(Candidacy, cy.id)
        )
    (moved, closed, undone) = events(app, firms.a)
    assert moved[0] == "candidacy.moved" and moved[1]["candidacy"]["stage"] == "contacted"
    assert moved[1]["search"]["title"] == search.title and moved[1]["actor"]["id"] == firms.a.recruiter.id
    assert closed[0] == "candidacy.closed"
    assert closed[1]["candidacy"]["close_reason"] == "not_a_fit"
    assert closed[1]["candidacy"]["close_explanation"] == "We need Go."
    assert undone[0] == "candidacy.moved" and undone[1]["undone"] is True
    assert undone[1]["candidacy"]["stage"] == "contacted" and undone[1]["candidacy"]["previous_stage"] == "closed"


def test_consent_answer_and_feedback_are_events(app, firms):
    make_endpoint(app, firms.a, "http://127.0.0.1:9/x", events=("consent.answered", "feedback.posted"))
    search = make_search(app, firms.a)
    cy = add(app, firms.a, search, firms.a.candidate, stage=Stage.SCREENING)
    with firm_context(app, firms.a.firm):
        request = consent.request_consent(
            firms.a.firm, db.session.get(User, firms.a.recruiter.id), db.session.get(Candidacy, cy.id)
        )
    with firm_context(app, firms.a.firm):
        consent.answer_consent(
            firms.a.firm, db.session.get(Candidate, firms.a.candidate.id), request.id, approve=False, comment="Not now"
        )
    with firm_context(app, firms.a.firm):
        feedback.post_feedback(
            firms.a.firm, db.session.get(User, firms.a.recruiter.id), db.session.get(Candidacy, cy.id), "Well done"
        )
    (answered, posted) = events(app, firms.a)
    assert answered[0] == "consent.answered"
    assert answered[1]["consent"]["state"] == "declined" and answered[1]["consent"]["comment"] == "Not now"
    assert posted[0] == "feedback.posted" and posted[1]["feedback"]["body_markdown"] == "Well done"


def test_candidate_created_and_updated_and_only_subscribed_types(app, firms):
    make_endpoint(app, firms.a, "http://127.0.0.1:9/x", events=("candidate.updated",))
    other = make_endpoint(app, firms.a, "http://127.0.0.1:9/y", events=("candidate.created",))
    cand = new_candidate(app, firms.a)
    with firm_context(app, firms.a.firm):
        data = candidates.CandidateInput(name="Ada King", email="ada@example.org", tags="fintech, remote")
        candidates.update_candidate(
            firms.a.firm, db.session.get(User, firms.a.recruiter.id), db.session.get(Candidate, cand.id), data
        )
    (created, updated) = events(app, firms.a)
    assert created[0] == "candidate.created" and updated[0] == "candidate.updated"
    assert updated[1]["candidate"]["name"] == "Ada King" and updated[1]["candidate"]["tags"] == ["fintech", "remote"]
    deliveries = rows(app, firms.a, WebhookDelivery)
    assert [(d.event_id, d.endpoint_id) for d in deliveries][0][1] == other.id
    assert len(deliveries) == 2  # one each: every event went to its one subscriber
    # Firm B heard nothing of firm A's changes.
    assert rows(app, firms.b, WebhookEvent) == []


def test_a_disabled_endpoint_gets_no_events(app, firms):
    endpoint = make_endpoint(app, firms.a, "http://127.0.0.1:9/x")
    from portal.models import WebhookEndpoint
    from portal.services import webhook_endpoints

    with firm_context(app, firms.a.firm):
        webhook_endpoints.set_enabled(firms.a.firm, None, db.session.get(WebhookEndpoint, endpoint.id), False)
    new_candidate(app, firms.a)
    assert rows(app, firms.a, WebhookEvent) == []


def test_a_message_that_fails_for_good_is_a_message_failed_event_once(app, firms, run_jobs, smtp_sink):
    from portal import outbox

    make_endpoint(app, firms.a, "http://127.0.0.1:9/x", events=("message.failed",))
    smtp_sink.reply = "550 No such user here"
    try:
        with firm_context(app, firms.a.firm):
            firm = firms.a.firm
            msg = outbox.record(
                firm,
                kind="webhook_disabled",
                dedupe_key="test-failure",
                audience=Audience.RECRUITER,
                to_email="nobody@alpha.example",
                to_name="Nobody",
                show_in_portal=False,
                context={"endpoint": {"url": "https://x"}, "reason": "test", "link": "https://x"},
            )
        run_jobs()
    finally:
        smtp_sink.reply = None
    (event,) = rows(app, firms.a, WebhookEvent)
    assert event.type == "message.failed" and event.data["message"]["id"] == msg.id
    assert "550" in event.data["message"]["error"]
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(WebhookEvent.dedupe_key)) == f"message.failed:{msg.id}"


def test_interviews_and_applications_are_events_with_notes_apart(app, firms, client_for):
    """The interview and careers features connected: interview.scheduled for a new interview,
    interview.changed for a move, an answer or a cancel; application.received for an applicant.
    Internal interview notes never travel in `data`."""
    from datetime import UTC, datetime, timedelta

    from tests.careers.helpers import advertised, form, post_apply
    from tests.support.interview_services import schedule

    f = firms.a
    make_endpoint(app, f, "http://127.0.0.1:9/x", events=ALL)
    cy = add(app, f, make_search(app, f), f.candidate, stage=Stage.SCREENING)
    soon = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=5)
    interview_id = schedule(app, f, cy.id, at=soon)
    with firm_context(app, f.firm) as s:
        from portal.models import Interview
        from portal.services import interviews

        interviews.cancel(f.firm, s.get(User, f.recruiter.id), s.get(Interview, interview_id))
    search = advertised(app, f, title="Go Engineer")
    assert post_apply(client_for(f.firm), search.id, form(email="nora@example.com")).status_code == 303
    kinds = [(kind, data.get("change")) for kind, data in events(app, f) if not kind.startswith("candidacy")]
    assert kinds == [
        ("interview.scheduled", "scheduled"),
        ("interview.changed", "cancelled"),
        ("candidate.created", None),
        ("application.received", None),
    ] or kinds == [
        ("interview.scheduled", "scheduled"),
        ("interview.changed", "cancelled"),
        ("application.received", None),
    ], kinds
    for kind, data in events(app, f):
        assert "INTERNAL-IV-SECRET" not in str(data), kind
    with firm_context(app, f.firm) as s:
        event = s.scalars(select(WebhookEvent).where(WebhookEvent.type == "interview.scheduled")).one()
        assert event.data["interview"]["id"] == interview_id
