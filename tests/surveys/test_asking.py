"""Asking: each occasion (a close-the-loop message sent, a placement, a held interview) brings one
survey email the day after; at most one per candidate per 30 days, across occasions and across
two planners at once; never to a candidate who opted out, unsubscribed, is suppressed or deleted;
the link's token exists only in the email the mail server took (only its hash is stored)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidate, Firm, InterviewOutcome, Message, MessageState, utcnow
from portal.services import surveys
from tests.factories import firm_context, make_candidate
from tests.surveys.helpers import (
    closed_candidacy,
    delivered_links,
    held_interview,
    placed_candidacy,
    plan,
    responses,
    set_candidate,
    survey_messages,
)


def test_a_close_the_loop_message_brings_one_survey_the_next_day(app, firms, run_jobs, smtp_sink):
    f = firms.a
    cy = closed_candidacy(app, f, sent_days_ago=0.5)
    assert plan(app, f) == 0  # not the same day
    assert plan(app, f, utcnow() + timedelta(days=1)) == 1
    assert plan(app, f, utcnow() + timedelta(days=1)) == 0  # idempotent
    (r,) = responses(app, f)
    assert (r.occasion, r.candidacy_id, r.candidate_id, r.recruiter_id) == (
        "closed",
        cy.id,
        f.candidate.id,
        f.recruiter.id,
    )
    assert r.search_id == cy.search_id and r.score is None and r.answered_at is None
    (msg,) = survey_messages(app, f)
    assert r.message_id == msg.id and msg.stream == surveys.SURVEY_STREAM and not msg.show_in_portal
    # The stored email has no token: a placeholder where the link's token goes.
    assert surveys.TOKEN_MARK in msg.body_text and surveys.TOKEN_MARK in msg.body_html
    links = delivered_links(run_jobs, smtp_sink, f.candidate.email)
    token = links[7].split("?")[0].split("/")[-1]
    assert surveys.TOKEN_MARK not in links[7]
    (r,) = responses(app, f)
    assert r.token_hash == surveys.hash_token(token)  # only its hash is stored
    (msg,) = survey_messages(app, f)
    assert msg.state == MessageState.SENT and token not in msg.body_text and token not in msg.body_html
    assert r.expires_at > utcnow() + timedelta(days=29)


def test_the_email_keeps_the_one_click_unsubscribe(app, firms, run_jobs, smtp_sink):
    f = firms.a
    closed_candidacy(app, f)
    plan(app, f)
    run_jobs()
    (mail,) = [m.email for m in smtp_sink.messages if "informed" in str(m.email["Subject"])]
    assert mail["To"].addresses[0].addr_spec == f.candidate.email
    assert mail["List-Unsubscribe"].strip() == f"<http://alpha.localhost/unsubscribe/{f.candidate.unsubscribe_token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f"/unsubscribe/{f.candidate.unsubscribe_token}" in html and "How well did we keep you informed?" in html


def test_a_placement_brings_a_survey(app, firms):
    f = firms.a
    cy = placed_candidacy(app, f)
    assert plan(app, f) == 0
    assert plan(app, f, utcnow() + timedelta(days=1, minutes=1)) == 1
    (r,) = responses(app, f)
    assert (r.occasion, r.candidacy_id) == ("placed", cy.id)


def test_an_undone_placement_brings_none(app, firms):
    f = firms.a
    app.config["GRACE_SECONDS"] = 300
    cy = placed_candidacy(app, f)
    from portal.models import Candidacy
    from portal.services import pipeline

    with firm_context(app, f.firm) as s:
        pipeline.undo_last_change(s.get(Firm, f.firm.id), f.recruiter, s.get(Candidacy, cy.id))
    assert plan(app, f, utcnow() + timedelta(days=2)) == 0


def test_a_held_interview_brings_a_survey_but_one_that_did_not_take_place_does_not(app, firms):
    f = firms.a
    other = make_candidate(app, f.firm, email="other@alpha.example")
    iv = held_interview(app, f)
    missed = held_interview(app, f, candidate=other)
    with firm_context(app, f.firm) as s:
        from portal.models import Interview

        s.get(Interview, missed.id).outcome = InterviewOutcome.DID_NOT_TAKE_PLACE
    assert plan(app, f) == 1
    (r,) = responses(app, f)
    assert (r.occasion, r.interview_id, r.candidate_id) == ("interview", iv.id, f.candidate.id)
    (msg,) = survey_messages(app, f)
    assert msg.interview_id == iv.id


def test_an_interview_not_yet_a_day_old_or_a_stale_occasion_waits_or_is_skipped(app, firms):
    f = firms.a
    held_interview(app, f, days_ago=0.5)
    closed_candidacy(app, f, sent_days_ago=9)  # a late run asks nothing stale
    assert plan(app, f) == 0


def test_at_most_one_survey_per_candidate_per_30_days_across_occasions(app, firms):
    f = firms.a
    closed_candidacy(app, f, sent_days_ago=2)
    held_interview(app, f, days_ago=3)
    assert plan(app, f) == 1
    (r,) = responses(app, f)
    assert r.occasion == "interview"  # the older occasion first
    # A placement three weeks later: still within 30 days of the last survey.
    placed_candidacy(app, f)
    assert plan(app, f, utcnow() + timedelta(days=21, hours=1)) == 0
    # A new occasion after 30 days is asked about.
    closed_candidacy(app, f, sent_days_ago=2)
    with firm_context(app, f.firm) as s:
        s.get(Candidate, f.candidate.id).surveyed_at = utcnow() - timedelta(days=30, minutes=1)
    assert plan(app, f) == 1
    assert len(responses(app, f)) == 2


def test_two_planners_at_once_ask_once(app, firms):
    """Two planners find the same occasions at the same moment; the conditional UPDATE of the
    candidate's survey turn lets one of them ask."""
    f = firms.a
    closed_candidacy(app, f, sent_days_ago=2)
    held_interview(app, f, days_ago=2)
    now = utcnow()
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        found = surveys.occasions(firm, now)
    assert len(found) == 2  # both planners would see both occasions
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        asked = [surveys.ask(firm, occ, now) for occ in found]
    assert sum(a is not None for a in asked) == 1
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(5)
            plan(app, f, now + timedelta(hours=1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(responses(app, f)) == 1 and len(survey_messages(app, f)) == 1


@pytest.mark.parametrize(
    "values,reason",
    [
        ({"survey_emails": False}, "survey_emails off"),
        ({"unsubscribed_all": True}, "unsubscribed"),
        ({"email_suppressed": True}, "suppressed"),
        ({"deleted_at": utcnow()}, "deleted"),
        ({"email": None}, "no address"),
    ],
)
def test_opted_out_candidates_are_never_asked(app, firms, values, reason):
    f = firms.a
    closed_candidacy(app, f)
    held_interview(app, f)
    placed_candidacy(app, f)
    set_candidate(app, f, f.candidate.id, **values)
    assert plan(app, f) == 0, reason
    assert responses(app, f) == [] and survey_messages(app, f) == []


@pytest.mark.parametrize("values", [{"survey_emails": False}, {"unsubscribed_all": True}, {"deleted_at": utcnow()}])
def test_an_opt_out_after_the_survey_was_written_holds_at_send_time(app, firms, run_jobs, smtp_sink, values):
    f = firms.a
    closed_candidacy(app, f)
    with firm_context(app, f.firm) as s:
        surveys.plan_surveys(s.get(Firm, f.firm.id), utcnow())
        for k, v in values.items():
            setattr(s.get(Candidate, f.candidate.id), k, v)
    run_jobs()
    assert [m for m in smtp_sink.messages if "informed" in str(m.email["Subject"])] == []
    (msg,) = survey_messages(app, f)
    assert msg.state == MessageState.SKIPPED


def test_turning_surveys_off_on_the_settings_page(app, firms, cand_client):
    f = firms.a
    page = cand_client.get("/me/settings").get_data(as_text=True)
    assert 'name="survey_emails"' in page and "how well you kept me informed" in page
    resp = cand_client.post(
        "/me/settings/preferences",
        data={"suggestion_frequency": "weekly", "checkin_emails": "y", "allow_availability_prompts": "y"},
    )
    assert resp.status_code == 303
    with firm_context(app, f.firm) as s:
        assert s.get(Candidate, f.candidate.id).survey_emails is False
    cand_client.post("/me/settings/preferences", data={"suggestion_frequency": "weekly", "survey_emails": "y"})
    with firm_context(app, f.firm) as s:
        assert s.get(Candidate, f.candidate.id).survey_emails is True


def test_a_reopened_candidacy_brings_no_close_survey(app, firms):
    f = firms.a
    cy = closed_candidacy(app, f)
    with firm_context(app, f.firm) as s:
        from portal.models import Candidacy, Stage

        s.get(Candidacy, cy.id).stage = Stage.SCREENING
    assert plan(app, f) == 0


def test_one_firm_plans_only_its_own(app, firms):
    closed_candidacy(app, firms.b)
    assert plan(app, firms.a) == 0
    assert plan(app, firms.b) == 1
    with firm_context(app, firms.a.firm):
        assert db.session.scalar(select(Message.id).where(Message.kind == surveys.SURVEY_KIND)) is None
