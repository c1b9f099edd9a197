"""Interview reminders: written by the periodic job, due at the exact instant starts_at - N hours
(correct across daylight-saving changes), in the candidate's zone, never for a cancelled or moved
interview, never twice. Time runs with time-machine; the emails go through the real worker
delivery to the SMTP sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.models import Candidate, Consent, Firm, Message, MessageState
from portal.models.interview import InterviewFormat, InterviewState
from portal.services import interview_reminders
from tests.factories import firm_context
from tests.support.interviews import change_interview, make_interview_at
from tests.support.worker import make_candidacy, make_search
from worker import jobs

KIND = interview_reminders.KIND


def _set_firm(app, firm, **values):
    with firm_context(app, firm) as s:
        f = s.get(Firm, firm.id)
        for k, v in values.items():
            setattr(f, k, v)


def reminders(app, firm) -> list[Message]:
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(Message).where(Message.kind == KIND).order_by(Message.due_at, Message.id)))
        for r in rows:
            s.expunge(r)
    return rows


def step(app, firm, now) -> list[int]:
    """One moment: the periodic job runs, then every reminder due by now is delivered (what the
    relay and the delivery worker do). Returns the ids delivered (sent) at this moment."""
    with time_machine.travel(now, tick=False):
        jobs.plan_interview_reminders()
        due = [
            m.id
            for m in reminders(app, firm)
            if m.state == MessageState.PENDING and m.due_at <= now  # (the relay's rule)
        ]
        return [mid for mid in due if jobs.deliver_message(mid) == "sent"]


def run_clock(app, firm, start, end, every=timedelta(minutes=10)) -> dict[int, datetime]:
    """The job every `every` from start to end; when each reminder was sent."""
    sent: dict[int, datetime] = {}
    now = start
    while now <= end:
        for mid in step(app, firm, now):
            sent[mid] = now
        now += every
    return sent


def test_autumn_change_reminded_at_the_exact_instants(app, firms, smtp_sink):
    a = firms.a
    _set_firm(app, a.firm, timezone="Europe/Berlin")
    starts = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the day after the clocks go back
    iid = make_interview_at(app, a, starts)
    sent = run_clock(app, a.firm, datetime(2026, 10, 24, 23, 0, tzinfo=UTC), starts + timedelta(hours=1))
    rows = reminders(app, a.firm)
    assert [(m.due_at, m.state) for m in rows] == [
        (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), MessageState.SENT),
        (datetime(2026, 10, 26, 7, 0, tzinfo=UTC), MessageState.SENT),
    ]
    assert sorted(sent.values()) == [datetime(2026, 10, 25, 8, 0, tzinfo=UTC), datetime(2026, 10, 26, 7, 0, tzinfo=UTC)]
    assert all(m.interview_id == iid and m.candidate_id == a.candidate.id for m in rows)
    bodies = [m.email.get_body(("plain",)).get_content() for m in smtp_sink.messages]
    assert len(bodies) == 2
    # In the locale's words (English: "Monday, October 26, 2026, 9:00 AM", a narrow no-break space before AM).
    assert all("Monday, October 26, 2026, 9:00\u202fAM (Europe/Berlin, CET)" in b for b in bodies)
    subjects = sorted(str(m.email["Subject"]) for m in smtp_sink.messages)
    assert subjects[0].endswith("in 1 day") and subjects[1].endswith("in 1 hour")
    assert f"/me/interviews/{iid}" in bodies[0]


def test_spring_change_and_the_candidates_own_zone(app, firms, smtp_sink):
    a = firms.a
    _set_firm(app, a.firm, timezone="Europe/Berlin")
    with firm_context(app, a.firm) as s:
        s.get(Candidate, a.candidate.id).timezone = "America/New_York"
    starts = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 in Berlin (CEST since the day before)
    make_interview_at(app, a, starts)
    sent = run_clock(app, a.firm, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), starts)
    assert sorted(sent.values()) == [datetime(2026, 3, 29, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)]
    body = smtp_sink.messages[0].email.get_body(("plain",)).get_content()
    # In the candidate's own zone: New York is on summer time since 8 March (EDT, UTC-4).
    assert "Monday, March 30, 2026, 3:00\u202fAM (America/New York, EDT)" in body


def test_cancelled_after_the_reminder_was_written_is_never_sent(app, firms, smtp_sink):
    a = firms.a
    starts = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    iid = make_interview_at(app, a, starts)
    due = starts - timedelta(hours=24)
    with time_machine.travel(due - timedelta(minutes=20), tick=False):
        assert jobs.plan_interview_reminders() == 1
    change_interview(app, a.firm, iid, state=InterviewState.CANCELLED, cancelled_at=due)
    (m,) = reminders(app, a.firm)
    assert m.state == MessageState.PENDING
    with time_machine.travel(due + timedelta(seconds=5), tick=False):
        assert jobs.deliver_message(m.id) == "skipped"  # the worker's guard, before any planner run
    (m,) = reminders(app, a.firm)
    assert m.state == MessageState.CANCELLED and "no longer scheduled" in m.last_error
    assert smtp_sink.messages == []
    # ... and the planner cancels what it finds too, and writes nothing for it.
    run_clock(app, a.firm, due, starts + timedelta(hours=1), every=timedelta(minutes=30))
    assert [m.state for m in reminders(app, a.firm)] == [MessageState.CANCELLED]
    assert smtp_sink.messages == []


def test_a_moved_interview_gets_fresh_reminders_and_the_old_ones_are_cancelled(app, firms, smtp_sink):
    a = firms.a
    starts = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    iid = make_interview_at(app, a, starts)
    with time_machine.travel(starts - timedelta(hours=24, minutes=10), tick=False):
        jobs.plan_interview_reminders()
    moved = starts + timedelta(days=2)
    change_interview(app, a.firm, iid, starts_at=moved, sequence=1)
    sent = run_clock(app, a.firm, starts - timedelta(hours=24), moved, every=timedelta(minutes=30))
    rows = reminders(app, a.firm)
    assert [(m.dedupe_key, m.state) for m in rows] == [
        (f"interview-reminder:{iid}:0:24h", MessageState.CANCELLED),
        (f"interview-reminder:{iid}:1:24h", MessageState.SENT),
        (f"interview-reminder:{iid}:1:1h", MessageState.SENT),
    ]
    assert sorted(sent.values()) == [moved - timedelta(hours=24), moved - timedelta(hours=1)]
    assert len(smtp_sink.messages) == 2


def test_never_twice_under_a_double_run(app, firms, smtp_sink):
    a = firms.a
    starts = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    make_interview_at(app, a, starts)
    due = starts - timedelta(hours=1)
    for _ in range(2):
        with time_machine.travel(due - timedelta(minutes=5), tick=False):
            jobs.plan_interview_reminders()
            jobs.plan_interview_reminders()
    with time_machine.travel(due, tick=False):
        (m,) = [m for m in reminders(app, a.firm) if m.dedupe_key.endswith(":1h")]
        assert jobs.deliver_message(m.id) == "sent"
        assert jobs.deliver_message(m.id) == "not claimable"
        jobs.plan_interview_reminders()
    assert len(smtp_sink.messages) == 1
    assert len(reminders(app, a.firm)) == 1  # the 24-hour one was long too late when planning started


def test_too_late_reminders_are_not_written_and_off_means_off(app, firms):
    a = firms.a
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    make_interview_at(app, a, now + timedelta(hours=2))  # booked two hours ahead: only the 1-hour reminder
    run_clock(app, a.firm, now, now + timedelta(hours=2), every=timedelta(minutes=15))
    assert [m.dedupe_key.rsplit(":", 1)[1] for m in reminders(app, a.firm)] == ["1h"]
    _set_firm(app, a.firm, reminder_first_hours=0, reminder_second_hours=0)
    make_interview_at(app, a, now + timedelta(days=3))
    run_clock(app, a.firm, now + timedelta(days=1), now + timedelta(days=3), every=timedelta(hours=1))
    assert len(reminders(app, a.firm)) == 1


def test_the_reminder_never_names_an_untold_confidential_client_nor_internal_notes(app, firms, smtp_sink):
    a = firms.a
    search = make_search(app, a.firm, client="Globex", title="Data Engineer", confidential=True)
    cy = make_candidacy(app, a.firm, a.candidate, search)
    starts = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    iid = make_interview_at(
        app,
        a,
        starts,
        candidacy=cy,
        format=InterviewFormat.ON_SITE,
        location="Globex HQ, 1 Main Street",
        internal_notes="SECRET-NOTE: fee 30%",
    )
    step(app, a.firm, starts - timedelta(hours=24))
    email = smtp_sink.messages[0].email
    text = email.get_body(("plain",)).get_content() + email.get_body(("html",)).get_content() + str(email["Subject"])
    assert "Globex" not in text and "SECRET-NOTE" not in text
    assert "Data Engineer at Confidential client" in text and "1 Main Street" in text
    # Once told, the name is there.
    with firm_context(app, a.firm) as s:
        s.add(
            Consent(
                candidacy_id=cy.id,
                candidate_id=cy.candidate_id,
                search_id=cy.search_id,
                requested_by_id=a.recruiter.id,
                client_name="Globex",
                role_title="x",
            )
        )
    change_interview(app, a.firm, iid, sequence=1)
    step(app, a.firm, starts - timedelta(hours=1))
    text = smtp_sink.messages[-1].email.get_body(("plain",)).get_content()
    assert "Data Engineer at Globex" in text and "SECRET-NOTE" not in text


def test_the_worker_cancels_a_reminder_of_a_moved_interview_even_before_the_planner_runs(app, firms, smtp_sink):
    a = firms.a
    starts = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    iid = make_interview_at(app, a, starts)
    due = starts - timedelta(hours=1)
    with time_machine.travel(due - timedelta(minutes=10), tick=False):
        jobs.plan_interview_reminders()
    change_interview(app, a.firm, iid, starts_at=starts + timedelta(minutes=30), sequence=1)
    (m,) = reminders(app, a.firm)
    with time_machine.travel(due, tick=False):
        assert jobs.deliver_message(m.id) == "skipped"
    (m,) = reminders(app, a.firm)
    assert m.state == MessageState.CANCELLED and "moved" in m.last_error
    assert smtp_sink.messages == []
