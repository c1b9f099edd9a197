"""Promise 7's rules (services/interview_feedback.py): business days in the firm's zone around
weekends and daylight-saving changes, what is owed, the recruiter's outcome and feedback, the
"still waiting" notice and the debrief request (each once)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Candidacy,
    Feedback,
    Firm,
    Interview,
    InterviewKind,
    InterviewOutcome,
    InterviewState,
    Message,
    Stage,
    User,
    utcnow,
)
from portal.services import DomainError, debriefs, interview_feedback
from tests.factories import firm_context
from tests.support.candidate import add, close, make_search
from tests.support.interviews import make_interview


def _firm(tz="Europe/Berlin", days=2):
    return SimpleNamespace(timezone=tz, feedback_window_days=days, zone=Firm(timezone=tz).zone)


@pytest.mark.parametrize(
    "ended,expected_last,expected_end",
    [
        # Tuesday afternoon -> Thursday is the last day; ends at midnight Berlin (CET, UTC+1)
        (datetime(2025, 1, 14, 15, 0, tzinfo=UTC), date(2025, 1, 16), datetime(2025, 1, 16, 23, 0, tzinfo=UTC)),
        # Friday -> Tuesday (the weekend does not count)
        (datetime(2025, 1, 17, 10, 0, tzinfo=UTC), date(2025, 1, 21), datetime(2025, 1, 21, 23, 0, tzinfo=UTC)),
        # Saturday -> Tuesday (Monday is the first business day)
        (datetime(2025, 1, 18, 10, 0, tzinfo=UTC), date(2025, 1, 21), datetime(2025, 1, 21, 23, 0, tzinfo=UTC)),
        # Friday 23:30 UTC is already Saturday in Berlin -> Tuesday
        (datetime(2025, 1, 17, 23, 30, tzinfo=UTC), date(2025, 1, 21), datetime(2025, 1, 21, 23, 0, tzinfo=UTC)),
        # Summer time starts Sunday 30 March 2025: the window of Friday 28 March ends at
        # midnight CEST (UTC+2) after Tuesday 1 April
        (datetime(2025, 3, 28, 16, 0, tzinfo=UTC), date(2025, 4, 1), datetime(2025, 4, 1, 22, 0, tzinfo=UTC)),
        # Summer time ends Sunday 26 October 2025: back to UTC+1
        (datetime(2025, 10, 24, 14, 0, tzinfo=UTC), date(2025, 10, 28), datetime(2025, 10, 28, 23, 0, tzinfo=UTC)),
    ],
)
def test_window_in_business_days_of_the_firm_zone(ended, expected_last, expected_end):
    firm = _firm()
    assert interview_feedback.last_day(firm, ended) == expected_last
    assert interview_feedback.window_end(firm, ended) == expected_end


def test_window_of_other_sizes_and_zones():
    ended = datetime(2025, 1, 17, 10, 0, tzinfo=UTC)  # a Friday
    assert interview_feedback.last_day(_firm(days=1), ended) == date(2025, 1, 20)
    assert interview_feedback.last_day(_firm(days=5), ended) == date(2025, 1, 24)
    # 02:00 UTC on Saturday is still Friday evening in New York
    late = datetime(2025, 1, 18, 2, 0, tzinfo=UTC)
    assert interview_feedback.last_day(_firm("America/New_York"), late) == date(2025, 1, 21)
    assert interview_feedback.window_end(_firm("America/New_York"), late) == datetime(2025, 1, 22, 5, 0, tzinfo=UTC)
    # The candidate told "still waiting" hears by the end of the next window.
    assert interview_feedback.next_promise_day(_firm(), ended) == date(2025, 1, 23)


def test_business_days_between():
    assert interview_feedback.business_days_between(date(2025, 1, 17), date(2025, 1, 20)) == 1  # Fri -> Mon
    assert interview_feedback.business_days_between(date(2025, 1, 20), date(2025, 1, 20)) == 0
    assert interview_feedback.business_days_between(date(2025, 1, 13), date(2025, 1, 27)) == 10


def _setup(app, f, **kw):
    s = make_search(app, f)
    cy = add(app, f, s, f.candidate, Stage.SCREENING)
    return s, cy


def _owed_ids(app, f, now=None):
    with firm_context(app, f.firm):
        firm = db.session.get(Firm, f.firm.id)
        return [o.interview.id for o in interview_feedback.owed(firm, now or utcnow())]


def test_what_is_owed(app, firms):
    f = firms.a
    s, cy = _setup(app, f)
    now = utcnow()
    held = make_interview(app, f, cy, now - timedelta(days=3))
    make_interview(app, f, cy, now + timedelta(days=1))  # not yet
    make_interview(app, f, cy, now - timedelta(minutes=30))  # still running (60 minutes)
    make_interview(app, f, cy, now - timedelta(days=2), state=InterviewState.CANCELLED)
    make_interview(app, f, cy, None, state=InterviewState.PROPOSED)
    gone = make_interview(app, f, cy, now - timedelta(days=4), outcome=InterviewOutcome.DID_NOT_TAKE_PLACE)
    office = make_interview(app, f, cy, now - timedelta(days=2), kind=InterviewKind.OFFICE_HOURS)
    assert _owed_ids(app, f) == [held.id]
    assert gone.id and office.id


def test_feedback_for_the_interview_keeps_the_promise(app, firms):
    f = firms.a
    s, cy = _setup(app, f)
    held = make_interview(app, f, cy, utcnow() - timedelta(days=3))
    with firm_context(app, f.firm):
        firm, actor = db.session.get(Firm, f.firm.id), db.session.get(User, f.recruiter.id)
        iv = db.session.get(Interview, held.id)
        fb = interview_feedback.write_feedback(firm, actor, iv, "The client liked your *design* answers.")
        assert fb.interview_id == iv.id and iv.feedback_at is not None
        msg = db.session.scalar(select(Message).where(Message.dedupe_key == f"feedback:{fb.id}"))
        assert msg.interview_id == iv.id and msg.kind == "feedback_posted"
    assert _owed_ids(app, f) == []


def test_refusals(app, firms):
    f = firms.a
    s, cy = _setup(app, f)
    future = make_interview(app, f, cy, utcnow() + timedelta(days=1))
    with firm_context(app, f.firm):
        firm, actor = db.session.get(Firm, f.firm.id), db.session.get(User, f.recruiter.id)
        iv = db.session.get(Interview, future.id)
        with pytest.raises(DomainError, match="not taken place"):
            interview_feedback.write_feedback(firm, actor, iv, "Too early")
        with pytest.raises(DomainError, match="not taken place"):
            interview_feedback.record_outcome(firm, actor, iv, InterviewOutcome.PROGRESSED)
        assert db.session.scalar(select(Feedback.id)) is None


def test_closing_counts_only_with_an_explanation(app, firms):
    f = firms.a
    s = make_search(app, f)
    from tests.factories import make_candidate

    other = make_candidate(app, f.firm, owner=f.recruiter)
    explained = add(app, f, s, f.candidate, Stage.SCREENING)
    silent = add(app, f, s, other, Stage.SCREENING)
    a = make_interview(app, f, explained, utcnow() - timedelta(days=5))
    b = make_interview(app, f, silent, utcnow() - timedelta(days=5))
    close(app, f, explained.id, explanation="The client chose someone with more Go experience.")
    close(app, f, silent.id, explanation="")
    assert _owed_ids(app, f) == [b.id]
    assert a.id != b.id


def test_outcome_did_not_take_place_ends_the_promise(app, firms):
    f = firms.a
    s, cy = _setup(app, f)
    held = make_interview(app, f, cy, utcnow() - timedelta(days=3))
    with firm_context(app, f.firm):
        firm, actor = db.session.get(Firm, f.firm.id), db.session.get(User, f.recruiter.id)
        interview_feedback.record_outcome(
            firm, actor, db.session.get(Interview, held.id), InterviewOutcome.AWAITING_CLIENT
        )
    assert _owed_ids(app, f) == [held.id]  # awaiting the client: still owed
    with firm_context(app, f.firm):
        firm, actor = db.session.get(Firm, f.firm.id), db.session.get(User, f.recruiter.id)
        interview_feedback.record_outcome(
            firm, actor, db.session.get(Interview, held.id), InterviewOutcome.DID_NOT_TAKE_PLACE
        )
    assert _owed_ids(app, f) == []


def test_waiting_notice_once_after_the_window_with_an_honest_date(app, firms):
    f = firms.a
    with firm_context(app, f.firm):
        db.session.get(Firm, f.firm.id).timezone = "Europe/Berlin"
    with time_machine.travel(datetime(2025, 3, 24, 8, 0, tzinfo=UTC), tick=False):  # a Monday
        s, cy = _setup(app, f)
        iv = make_interview(app, f, cy, datetime(2025, 3, 28, 9, 0, tzinfo=UTC))  # Friday 10:00 Berlin

    def plan(at):
        with time_machine.travel(at, tick=False), firm_context(app, f.firm):
            return interview_feedback.plan_waiting_notices(db.session.get(Firm, f.firm.id), utcnow())

    assert plan(datetime(2025, 4, 1, 21, 59, tzinfo=UTC)) == 0  # Tuesday 23:59 CEST: still in the window
    assert plan(datetime(2025, 4, 1, 22, 0, tzinfo=UTC)) == 1
    assert plan(datetime(2025, 4, 2, 9, 0, tzinfo=UTC)) == 0  # once
    with firm_context(app, f.firm):
        msg = db.session.scalar(select(Message).where(Message.kind == interview_feedback.WAITING_KIND))
        assert msg.interview_id == iv.id and msg.candidacy_id == cy.id
        assert "still waiting for the client" in msg.body_text
        assert "Friday, March 28" in msg.body_text and "by Thursday, April 3" in msg.body_text  # the locale's words
        assert db.session.get(Interview, iv.id).waiting_notice_at is not None


def test_debrief_request_once_shortly_after_the_interview(app, firms):
    f = firms.a
    s, cy = _setup(app, f)
    start = utcnow() - timedelta(minutes=70)  # ended 10 minutes ago
    iv = make_interview(app, f, cy, start)
    make_interview(app, f, cy, utcnow() - timedelta(days=2), kind=InterviewKind.OFFICE_HOURS)

    def plan(now):
        with firm_context(app, f.firm):
            return debriefs.plan_requests(db.session.get(Firm, f.firm.id), now)

    assert plan(utcnow()) == 0  # not yet: REQUEST_DELAY after the end
    assert plan(utcnow() + timedelta(minutes=10)) == 1
    assert plan(utcnow() + timedelta(hours=2)) == 0
    with firm_context(app, f.firm):
        [msg] = db.session.scalars(select(Message).where(Message.kind == debriefs.REQUEST_KIND)).all()
        assert msg.interview_id == iv.id
        assert f"/me/interviews/{iv.id}/debrief" in msg.body_text
        assert "How did it go?" in msg.body_text
        assert db.session.get(Candidacy, cy.id).candidate_id == msg.candidate_id
