"""Trust item 10: what the check-in planner planned is kept in the database (not only in
Redis), and a one-click unsubscribe stops check-in emails (the portal keeps them)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.extensions import get_redis
from portal.models import Candidate, Firm, Message, MessageState, Stage
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as
from tests.support.worker import make_candidacy, make_search, messages, move_stage, send_plain
from worker import jobs

UTC = UTC
# The firm checks in on Mondays at 09:00 in Berlin: 07:00 UTC in summer.
SLOT = datetime(2025, 6, 16, 7, 0, tzinfo=UTC)


def _berlin_monday_firm(app, firm):
    with firm_context(app, firm) as s:
        f = s.get(Firm, firm.id)
        f.timezone, f.checkin_weekday, f.checkin_hour, f.cadence_days = "Europe/Berlin", 0, 9, 7


def _redis_loses_everything(app):
    """The test's own throwaway Redis loses its data (with PORTAL_REDIS_URL: our keys only)."""
    conn = get_redis(app)
    if os.environ.get("PORTAL_REDIS_URL"):
        keys = list(conn.scan_iter(f"{app.config['QUEUE_PREFIX']}*", count=1000))
        if keys:
            conn.delete(*keys)
    else:
        conn.flushdb()


def _last_heard(app, firm, candidate_id, when):
    with firm_context(app, firm) as s:
        s.get(Candidate, candidate_id).last_contacted_at = when


def test_a_slot_rerun_on_another_day_of_the_firm_week_plans_no_second_checkin(app, firms):
    a = firms.a
    _berlin_monday_firm(app, a.firm)
    search = make_search(app, a.firm, owner=a.recruiter)
    with time_machine.travel(SLOT - timedelta(days=30), tick=False):
        make_candidacy(app, a.firm, a.candidate, search)
        send_plain(app, a.firm, a.candidate)  # last heard a month ago
    with time_machine.travel(SLOT + timedelta(minutes=3), tick=False):
        assert jobs.plan_firm(a.firm.id)["checkins"] == 1
    (first,) = messages(app, kind="checkin")
    # Redis loses everything (the "slot done" markers with it), and "last heard" goes back to
    # before the check-in, as when a database is restored from before it or when a failed
    # email does not count as contact: the database's plan must still say "done this week".
    _redis_loses_everything(app)
    _last_heard(app, a.firm, a.candidate.id, SLOT - timedelta(days=30))
    thursday = SLOT + timedelta(days=3, hours=5)
    with time_machine.travel(thursday, tick=False):
        out = jobs.plan_firm(a.firm.id)
    assert out.get("checkins", 0) == 0 and out["overdue"] == 0, out
    assert [m.id for m in messages(app, kind="checkin")] == [first.id]
    # Sunday 23:30 in Berlin is still the same firm week.
    _redis_loses_everything(app)
    with time_machine.travel(SLOT + timedelta(days=6, hours=14, minutes=30), tick=False):
        jobs.plan_firm(a.firm.id)
    assert len(messages(app, kind="checkin")) == 1
    # The next week (the tick an hour before the slot already plans for it): one new check-in.
    with time_machine.travel(SLOT + timedelta(days=7, minutes=-60), tick=False):
        jobs.plan_firm(a.firm.id)
    with time_machine.travel(SLOT + timedelta(days=7, minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)
    checkins = messages(app, kind="checkin")
    assert len(checkins) == 2
    assert checkins[0].dedupe_key != checkins[1].dedupe_key


def test_recruiter_digest_once_per_firm_week_without_redis(app, firms):
    a = firms.a
    _berlin_monday_firm(app, a.firm)
    search = make_search(app, a.firm, owner=a.recruiter)
    make_candidacy(app, a.firm, a.candidate, search, created_at=SLOT - timedelta(days=40))
    with time_machine.travel(SLOT + timedelta(minutes=3), tick=False):
        assert jobs.plan_firm(a.firm.id)["digests"] >= 1
    digests = len(messages(app, kind="recruiter_digest"))
    _redis_loses_everything(app)
    with time_machine.travel(SLOT + timedelta(days=2), tick=False):
        assert jobs.plan_firm(a.firm.id)["digests"] == 0
    assert len(messages(app, kind="recruiter_digest")) == digests


def _checkin_emails(sink):
    return [m for m in sink.messages if m.email["Subject"].startswith("Your update on")]


def test_one_click_unsubscribe_stops_checkin_emails_not_the_portal(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    _berlin_monday_firm(app, a.firm)
    search = make_search(app, a.firm, owner=a.recruiter, title="Head of Data")
    with time_machine.travel(SLOT - timedelta(days=30), tick=False):
        cy = make_candidacy(app, a.firm, a.candidate, search, stage=Stage.SCREENING)
        send_plain(app, a.firm, a.candidate)
    # Week 1: the check-in is emailed, with a one-click List-Unsubscribe (RFC 8058).
    with time_machine.travel(SLOT + timedelta(minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)
        run_jobs()
    (email,) = _checkin_emails(smtp_sink)
    assert email.email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", str(email.email["List-Unsubscribe"]).strip()).group(1)
    body = email.email.get_body(("plain",)).get_content()
    path = url.split("localhost", 1)[1].split(":", 1)[-1]
    path = path[path.index("/") :]
    # Week 2: a check-in is planned; before the worker sends it, the mail provider posts the
    # one-click unsubscribe (no login, no CSRF token).
    with time_machine.travel(SLOT + timedelta(days=7, minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)
        resp = client_for(a.firm).post(path, data={"List-Unsubscribe": "One-Click"})
        assert resp.status_code == 200
        answer = resp.get_data(as_text=True)
        run_jobs()
    # Week 3: planned again (written for the portal), then the relay and the worker run.
    with time_machine.travel(SLOT + timedelta(days=14, minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)
        jobs.relay()
        run_jobs()
    assert len(_checkin_emails(smtp_sink)) == 1, "no check-in email after the unsubscribe"
    checkins = messages(app, kind="checkin")
    assert [m.state for m in checkins] == [MessageState.SENT, MessageState.SKIPPED, MessageState.SKIPPED]
    assert all(m.show_in_portal for m in checkins)
    assert {m.last_error for m in checkins[1:]} == {"the candidate prefers no check-in emails"}
    # Transactional messages still go.
    before = len(smtp_sink.messages)
    with time_machine.travel(SLOT + timedelta(days=15), tick=False):
        move_stage(app, a.firm, cy.id, Stage.INTERVIEWING, grace=False)
        run_jobs()
    assert len(smtp_sink.messages) == before + 1
    # The candidate reads every check-in in the portal, marked as not emailed.
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    page = me.get("/me/messages").get_data(as_text=True)
    assert page.count("Your update on Head of Data") == 3
    assert page.count("not emailed") == 2
    assert url in body, "the check-in email names its own unsubscribe link too"
    assert "check-in emails" in answer, "the unsubscribe page says check-in emails stop"
    # The recruiter sees the preference on the candidate's page and on the overdue list.
    rec = client_for(a.firm)
    login_as(rec, a.recruiter)
    page = rec.get(f"/recruiter/candidates/{a.candidate.id}").get_data(as_text=True)
    assert "prefers no check-in emails" in page
    _last_heard(app, a.firm, a.candidate.id, SLOT - timedelta(days=30))
    page = rec.get("/recruiter/?show=overdue&scope=firm").get_data(as_text=True)
    assert a.candidate.name in page and "prefers no check-in emails" in page


def test_checkin_emails_preference_on_the_settings_page(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    _berlin_monday_firm(app, a.firm)
    search = make_search(app, a.firm, owner=a.recruiter)
    make_candidacy(app, a.firm, a.candidate, search, created_at=SLOT - timedelta(days=30))
    me = client_for(a.firm)
    with time_machine.travel(SLOT + timedelta(minutes=3), tick=False):
        login_as(me, a.candidate_user)
        page = me.get("/me/settings").get_data(as_text=True)
        box = re.search(r'<input[^>]*name="checkin_emails"[^>]*>', page).group(0)
        assert "checked" in box
        jobs.plan_firm(a.firm.id)  # planned, not sent yet
        resp = me.post(
            "/me/settings/preferences", data={"suggestion_frequency": "weekly", "allow_availability_prompts": "y"}
        )
        assert resp.status_code == 303
        run_jobs()
    assert _checkin_emails(smtp_sink) == []
    (m,) = messages(app, kind="checkin")
    assert m.state == MessageState.SKIPPED and m.show_in_portal
    with firm_context(app, a.firm) as s:
        c = s.get(Candidate, a.candidate.id)
        assert not c.checkin_emails and not c.unsubscribed_all and c.allow_availability_prompts
    with time_machine.travel(SLOT + timedelta(minutes=5), tick=False):
        exported = me.get("/me/settings/my-data.json").get_json()
    assert exported["preferences"]["check_in_emails"] is False
    # Ticked again: the next week's check-in is emailed.
    with time_machine.travel(SLOT + timedelta(days=7, minutes=3), tick=False):
        login_as(me, a.candidate_user)
        resp = me.post("/me/settings/preferences", data={"suggestion_frequency": "weekly", "checkin_emails": "y"})
        assert resp.status_code == 303
        jobs.plan_firm(a.firm.id)
        run_jobs()
    assert len(_checkin_emails(smtp_sink)) == 1
    with firm_context(app, a.firm) as s:
        states = list(s.scalars(select(Message.state).where(Message.kind == "checkin").order_by(Message.id)))
    assert states == [MessageState.SKIPPED, MessageState.SENT]


def test_a_portal_only_checkin_is_contact_not_an_unreachable_candidate(app, firms, run_jobs, smtp_sink):
    """A candidate who chose no check-in emails is reached in the portal, the way they asked:
    that check-in counts as contact and never puts them on the 'cannot reach' list, whether it
    was skipped when planned or at send time."""
    from portal.services import contact

    a = firms.a
    _berlin_monday_firm(app, a.firm)
    search = make_search(app, a.firm, owner=a.recruiter, title="Head of Data")
    with time_machine.travel(SLOT - timedelta(days=30), tick=False):
        make_candidacy(app, a.firm, a.candidate, search, stage=Stage.SCREENING)
        send_plain(app, a.firm, a.candidate)
    with time_machine.travel(SLOT + timedelta(minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)  # pending: the worker has not sent it yet
        with firm_context(app, a.firm) as s:  # the preference changes before the send
            s.get(Candidate, a.candidate.id).checkin_emails = False
        run_jobs()
    (checkin,) = messages(app, kind="checkin")
    assert checkin.state == MessageState.SKIPPED and checkin.last_error == "the candidate prefers no check-in emails"
    assert _checkin_emails(smtp_sink) == []
    with time_machine.travel(SLOT + timedelta(days=7, minutes=3), tick=False):
        jobs.plan_firm(a.firm.id)  # written skipped for the portal at once
        with firm_context(app, a.firm):
            contact.recompute_last_contacted([a.candidate.id])
    latest = messages(app, kind="checkin")[-1]
    with firm_context(app, a.firm) as s:
        cand = s.get(Candidate, a.candidate.id)
        assert cand.unreachable_since is None
        assert cand.last_contacted_at == latest.created_at
