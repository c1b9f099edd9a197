"""Check-ins (the cadence) and the recruiter digest: who is due, what they read, when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    Audience,
    Candidate,
    Consent,
    ConsentState,
    Feedback,
    Firm,
    Interest,
    MessageState,
    Role,
    SearchState,
    Stage,
    utcnow,
)
from portal.services import cadence, cadence_digest
from tests.factories import firm_context, make_candidate, make_firm, make_user
from tests.support.worker import make_candidacy, make_search, messages, send_plain
from worker import jobs

UTC = UTC


def _firm(app, **kw):
    return make_firm(app, **kw)


def _set_contact(app, firm, candidate, when):
    with firm_context(app, firm) as s:
        s.get(Candidate, candidate.id).last_contacted_at = when


def _plan(app, firm, now, horizon):
    with firm_context(app, firm) as s:
        return cadence.plan_checkins(s.get(Firm, firm.id), now, horizon=horizon)


@pytest.mark.parametrize(
    "now, last, nxt",
    [
        # Europe/Berlin, Friday 14:00 local: 12:00 UTC in summer, 13:00 UTC in winter.
        (
            datetime(2025, 6, 13, 13, 30, tzinfo=UTC),
            datetime(2025, 6, 13, 12, tzinfo=UTC),
            datetime(2025, 6, 20, 12, tzinfo=UTC),
        ),
        (
            datetime(2025, 6, 13, 11, 59, tzinfo=UTC),
            datetime(2025, 6, 6, 12, tzinfo=UTC),
            datetime(2025, 6, 13, 12, tzinfo=UTC),
        ),
        (
            datetime(2025, 12, 3, 9, 0, tzinfo=UTC),
            datetime(2025, 11, 28, 13, tzinfo=UTC),
            datetime(2025, 12, 5, 13, tzinfo=UTC),
        ),
        # across the end of summer time (26 Oct 2025)
        (
            datetime(2025, 10, 27, 0, 0, tzinfo=UTC),
            datetime(2025, 10, 24, 12, tzinfo=UTC),
            datetime(2025, 10, 31, 13, tzinfo=UTC),
        ),
    ],
)
def test_weekly_slot_is_in_the_firms_time_zone(now, last, nxt):
    firm = Firm(name="F", slug="f", timezone="Europe/Berlin", checkin_weekday=4, checkin_hour=14, cadence_days=7)
    assert cadence.weekly_slots(firm, now) == (last, nxt)
    assert cadence.checkin_slots(firm, now) == (last, nxt)


def test_short_cadence_checks_in_daily_and_bad_zone_falls_back_to_utc():
    firm = Firm(name="F", slug="f", timezone="Nowhere/Atlantis", checkin_weekday=4, checkin_hour=9, cadence_days=3)
    now = datetime(2025, 6, 11, 8, 0, tzinfo=UTC)
    assert cadence.checkin_slots(firm, now) == (
        datetime(2025, 6, 10, 9, tzinfo=UTC),
        datetime(2025, 6, 11, 9, tzinfo=UTC),
    )


def test_one_checkin_per_candidate_listing_every_active_search(app, firms, run_jobs, smtp_sink):
    a = firms.a
    now = utcnow()
    open_search = make_search(app, a.firm, title="Head of Data", owner=a.recruiter, client="Initech")
    held = make_search(
        app, a.firm, title="Staff Engineer", client="Hooli", confidential=True, state=SearchState.ON_HOLD
    )
    make_candidacy(app, a.firm, a.candidate, open_search, stage=Stage.INTERVIEWING, created_at=now - timedelta(days=20))
    make_candidacy(app, a.firm, a.candidate, held, stage=Stage.SCREENING, created_at=now - timedelta(days=20))
    _set_contact(app, a.firm, a.candidate, now - timedelta(days=8))
    assert _plan(app, a.firm, now, now + timedelta(minutes=70)) == 1
    (m,) = messages(app, kind="checkin")
    assert m.audience == Audience.CANDIDATE and m.stream is None and m.candidacy_id is None
    text = m.body_text
    for words in (
        "Head of Data",
        "Initech",
        "Interviewing",
        "Staff Engineer",
        "a confidential client",
        "Getting to know you",
        "No decision yet",
        f"Your recruiter: {a.recruiter.name}",
    ):
        assert words in text, words
    assert "Hooli" not in text
    assert "screening" not in text.lower(), "no internal stage codes"
    run_jobs()
    assert len(smtp_sink.messages) == 1
    with firm_context(app, a.firm) as s:
        assert s.get(Candidate, a.candidate.id).last_contacted_at >= now
    assert _plan(app, a.firm, now, now + timedelta(minutes=70)) == 0, "idempotent"


def test_who_is_due(app, firms):
    a = firms.a
    now = utcnow()
    search = make_search(app, a.firm, owner=a.recruiter)
    filled = make_search(app, a.firm, state=SearchState.FILLED)

    def cand(contacted_days_ago=None, created_days_ago=20, stage=Stage.SCREENING, where=search, **kw):
        c = make_candidate(app, a.firm, **kw)
        make_candidacy(app, a.firm, c, where, stage=stage, created_at=now - timedelta(days=created_days_ago))
        if contacted_days_ago is not None:
            _set_contact(app, a.firm, c, now - timedelta(days=contacted_days_ago))
        return c

    overdue = cand(contacted_days_ago=7.5)
    about_to_exceed = cand(contacted_days_ago=6.97)  # crosses 7 days before the next hourly run
    recent = cand(contacted_days_ago=2)
    never_old = cand()  # never heard, in the search for 20 days
    never_new = cand(created_days_ago=0.01)  # just added: the clock has just started
    closed = cand(contacted_days_ago=30, stage=Stage.CLOSED)
    placed = cand(contacted_days_ago=30, stage=Stage.PLACED)
    search_filled = cand(contacted_days_ago=30, where=filled)
    deleted = cand(contacted_days_ago=30, deleted_at=now)
    identified = cand(stage=Stage.IDENTIFIED)  # not contacted yet: hears nothing
    _plan(app, a.firm, now, now + timedelta(minutes=70))
    got = {m.candidate_id for m in messages(app, kind="checkin")}
    assert got == {overdue.id, about_to_exceed.id, never_old.id}
    for c in (recent, never_new, closed, placed, search_filled, deleted, identified):
        assert c.id not in got
    # At the weekly slot everyone who would exceed the cadence before the NEXT slot is included.
    _plan(app, a.firm, now, now + timedelta(days=7))
    got = {m.candidate_id for m in messages(app, kind="checkin")}
    assert got == {overdue.id, about_to_exceed.id, never_old.id, recent.id, never_new.id}


def test_planning_is_set_based(app, firms):
    """The number of statements does not grow with the number of candidates."""
    a = firms.a
    now = utcnow()
    search = make_search(app, a.firm, owner=a.recruiter)

    def add(n):
        for _ in range(n):
            c = make_candidate(app, a.firm, with_login=False)
            make_candidacy(app, a.firm, c, search, created_at=now - timedelta(days=10))

    def count_statements(fn):
        statements = []
        with app.app_context():
            engine = db.engine

            def listener(*args):
                statements.append(args[2])

            event.listen(engine, "before_cursor_execute", listener)
            try:
                assert fn() > 0
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    add(1)
    one = count_statements(lambda: _plan(app, a.firm, now, now + timedelta(days=7)))
    add(40)
    many = count_statements(lambda: _plan(app, a.firm, now + timedelta(days=1), now + timedelta(days=8)))
    assert many == one, (one, many)


def test_plan_firm_runs_the_slot_once_and_the_safety_net_every_hour(app, firms):
    a = firms.a
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, a.firm.id)
        f.timezone, f.checkin_weekday, f.checkin_hour = "America/New_York", 2, 9  # Wednesday 09:00
    slot = datetime(2025, 6, 11, 13, 0, tzinfo=UTC)  # 09:00 EDT
    search = make_search(app, a.firm, owner=a.recruiter)
    with time_machine.travel(slot - timedelta(days=30), tick=False):
        make_candidacy(app, a.firm, a.candidate, search)
        send_plain(app, a.firm, a.candidate)
    with time_machine.travel(slot - timedelta(days=3, minutes=50), tick=False):
        first = jobs.plan_firm(a.firm.id)  # the previous slot (4 June) is caught up now
        assert first["checkins"] == 1 and "digests" in first
        again = jobs.plan_firm(a.firm.id)
        assert "checkins" not in again and "digests" not in again and again["overdue"] == 0
    with time_machine.travel(slot + timedelta(minutes=5), tick=False):
        out = jobs.plan_firm(a.firm.id)
        assert out["checkins"] == 1  # last heard 7 days ago (the check-in above)
    assert len(messages(app, kind="checkin")) == 2


def test_the_safety_net_catches_a_missed_slot(app, firms):
    a = firms.a  # Friday 14:00 UTC
    search = make_search(app, a.firm)
    start = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)  # a Monday
    with time_machine.travel(start, tick=False):
        make_candidacy(app, a.firm, a.candidate, search, created_at=start - timedelta(days=1))
        send_plain(app, a.firm, a.candidate)
    now = start + timedelta(days=7) - timedelta(minutes=30)
    with time_machine.travel(now, tick=False):
        with app.app_context():
            firm = db.session.get(Firm, a.firm.id)
            last, _ = cadence.weekly_slots(firm, now)
            # Friday's slot "ran" (its markers are set) but the candidate was missed.
            jobs._mark_done(jobs._marker("checkins", firm.id, last))
            jobs._mark_done(jobs._marker("weekly", firm.id, last))
        out = jobs.plan_firm(a.firm.id)
    assert {k: v for k, v in out.items() if k != "reports"} == {"overdue": 1}  # reports: every tick
    (m,) = messages(app, kind="checkin")
    assert m.candidate_id == a.candidate.id


def test_recruiter_digest(app, firms):
    a = firms.a
    now = utcnow()
    idle = make_user(app, a.firm, Role.RECRUITER, name="Idle Ida")
    mine = make_search(app, a.firm, title="Mine", owner=a.recruiter)
    orphan = make_search(app, a.firm, title="Nobody's")
    stale = make_candidate(app, a.firm, name="Stale Sam", owner=a.recruiter)
    cy = make_candidacy(app, a.firm, stale, mine, created_at=now - timedelta(days=12))
    fresh = make_candidate(app, a.firm, name="Fresh Fay")
    cy2 = make_candidacy(app, a.firm, fresh, mine, created_at=now - timedelta(days=12))
    lost = make_candidate(app, a.firm, name="Lost Lou")
    make_candidacy(app, a.firm, lost, orphan, created_at=now - timedelta(days=12))
    with firm_context(app, a.firm) as s:
        s.add(Feedback(firm_id=a.firm.id, candidacy_id=cy2.id, body_md="ok", body_html="<p>ok</p>"))
        s.add(
            Consent(
                firm_id=a.firm.id,
                candidacy_id=cy.id,
                candidate_id=cy.candidate_id,
                search_id=cy.search_id,
                state=ConsentState.REQUESTED,
                requested_by_id=a.recruiter.id,
                client_name="Acme",
                role_title="Mine",
            )
        )
        s.add(Interest(firm_id=a.firm.id, candidate_id=a.candidate.id, search_id=mine.id))
    failed = send_plain(app, a.firm, a.candidate)
    with firm_context(app, a.firm) as s:
        from portal.models import Message

        m = s.get(Message, failed)
        m.state, m.last_error = MessageState.FAILED, "rejected by the mail server: 550 no such user"
    with firm_context(app, a.firm) as s:
        assert cadence_digest.plan_recruiter_digests(s.get(Firm, a.firm.id), now) == 2
        assert cadence_digest.plan_recruiter_digests(s.get(Firm, a.firm.id), now) == 0, "one a day"
    digests = {m.recipient_user_id: m for m in messages(app, kind="recruiter_digest")}
    assert set(digests) == {a.recruiter.id, a.admin.id}, "nothing to report: no email for Idle Ida"
    assert idle.id not in digests
    mine_text = digests[a.recruiter.id].body_text
    for words in ("Stale Sam", "Waiting for the candidate's consent", "interested", "550 no such user"):
        assert words in mine_text, words
    assert "Fresh Fay" not in mine_text, "feedback within the cadence counts as a personal update"
    assert "Lost Lou" not in mine_text
    assert "Lost Lou" in digests[a.admin.id].body_text, "unowned items go to the admins"
    assert digests[a.recruiter.id].audience == Audience.RECRUITER
    assert not digests[a.recruiter.id].show_in_portal
