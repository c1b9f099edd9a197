"""The interview lifecycle (services/interviews.py) and its invitations
(services/interview_messages.py): a fixed time or proposed slots, picking a slot, the candidate's
answers on needs-attention, moving and cancelling with a stable UID and a growing SEQUENCE,
daylight-saving changes, and a confidential client kept out of what the candidate reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.extensions import db
from portal.models import Candidacy, Candidate, Stage
from portal.models.interview import Interview, InterviewSlot, InterviewState
from portal.services import Conflict, DomainError, dashboard, interview_choices, interview_messages, interviews
from tests.factories import firm_context
from tests.support import candidate as cs
from tests.support import interview_services as ivs


def _setup(app, firms, **search_kw):
    f = firms.a
    search = cs.make_search(app, f, title="Staff Engineer", client="Globex", **search_kw)
    cy = cs.add(app, f, search, f.candidate, Stage.SCREENING)
    return f, cy


def _future(days=10, hour=9):
    base = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base.replace(tzinfo=None)


def test_fixed_time_emails_a_request_invitation_that_two_parsers_read(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, at=_future())
    iv = ivs.get(app, f, iv_id)
    assert iv.state == InterviewState.SCHEDULED and iv.sequence == 0
    [msg] = ivs.messages(app, f, iv_id)
    assert msg.kind == "interview_scheduled" and msg.to_email == f.candidate.email
    cal, event, other = ivs.parse_both(msg.calendar)
    assert str(cal["method"]) == "REQUEST" and other.method.value == "REQUEST"
    assert str(event["uid"]) == f"{iv.uid}@{f.firm.slug}" == other.vevent.uid.value
    assert int(event["sequence"]) == 0 and int(other.vevent.sequence.value) == 0
    assert event.decoded("dtstart") == iv.starts_at == other.vevent.dtstart.value
    assert "mailto:" + f.candidate.email == str(event["attendee"])
    assert str(event["organizer"]).startswith("mailto:")
    assert "Globex" in str(event["summary"])
    assert "INTERNAL-IV-SECRET" not in msg.calendar + msg.body_text + msg.body_html
    assert "/me/interviews/" in msg.body_text


def test_reschedule_keeps_the_uid_and_raises_the_sequence_and_cancel_is_method_cancel(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, at=_future(10))
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.reschedule(f.firm, db.session.merge(f.recruiter), iv, starts_at=_future(12), expected_sequence=0)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.cancel(f.firm, db.session.merge(f.recruiter), iv, expected_sequence=1)
    first, moved, cancelled = ivs.messages(app, f, iv_id)
    parsed = [ivs.parse_both(m.calendar) for m in (first, moved, cancelled)]
    uids = {str(e["uid"]) for _, e, _ in parsed} | {o.vevent.uid.value for _, _, o in parsed}
    assert len(uids) == 1
    assert [int(e["sequence"]) for _, e, _ in parsed] == [0, 1, 2]
    assert [str(c["method"]) for c, _, _ in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    assert parsed[2][2].method.value == "CANCEL" and str(parsed[2][1]["status"]) == "CANCELLED"
    assert parsed[1][1].decoded("dtstart") > parsed[0][1].decoded("dtstart")
    assert moved.kind == "interview_scheduled" and "has moved" in moved.subject
    assert cancelled.kind == "interview_cancelled"


@pytest.mark.parametrize(
    ("today", "local", "utc"),
    [
        ("2026-10-01", datetime(2026, 10, 26, 9, 0), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),  # after autumn: UTC+1
        ("2026-03-01", datetime(2026, 3, 30, 9, 0), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),  # after spring: UTC+2
    ],
)
def test_nine_in_berlin_the_day_after_a_clock_change(app, firms, today, local, utc):
    with time_machine.travel(datetime.fromisoformat(today + "T00:00:00+00:00"), tick=True):
        f, cy = _setup(app, firms)
        iv_id = ivs.schedule(app, f, cy.id, at=local, timezone="Europe/Berlin")
        [msg] = ivs.messages(app, f, iv_id)
    _, event, other = ivs.parse_both(msg.calendar)
    assert event.decoded("dtstart") == utc == other.vevent.dtstart.value
    assert "DTSTART:" + utc.strftime("%Y%m%dT%H%M%SZ") in msg.calendar.replace("\r\n ", "")
    assert ivs.get(app, f, iv_id).starts_at == utc


def test_a_time_the_clocks_skip_is_refused(app, firms):
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=True):
        f, cy = _setup(app, firms)
        with pytest.raises(DomainError, match="does not exist"):
            ivs.schedule(app, f, cy.id, at=datetime(2026, 3, 29, 2, 30), timezone="Europe/Berlin")


def test_proposed_slots_then_pick_confirms_at_once_and_releases_the_others(app, firms):
    f, cy = _setup(app, firms)
    slots = [_future(5), _future(6), _future(7)]
    iv_id = ivs.schedule(app, f, cy.id, slots=slots)
    [proposal] = ivs.messages(app, f, iv_id)
    assert proposal.kind == "interview_proposed" and proposal.calendar is None
    assert "#pick" in proposal.body_text
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        assert iv.state == InterviewState.PROPOSED and iv.starts_at is None and len(iv.slots) == 3
        chosen = iv.slots[1]
        interview_choices.pick_slot(f.firm, db.session.get(Candidate, f.candidate.id), iv, chosen.id, 0)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        assert iv.state == InterviewState.SCHEDULED and iv.sequence == 1
        assert [s.picked for s in iv.slots] == [True] and iv.starts_at == iv.slots[0].starts_at
    _, confirmed = ivs.messages(app, f, iv_id)
    _, event, _ = ivs.parse_both(confirmed.calendar)
    assert int(event["sequence"]) == 1


def test_a_second_pick_on_a_stale_page_is_refused_clearly(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, slots=[_future(5), _future(6)])
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        first, second = (s.id for s in iv.slots)
        me = db.session.get(Candidate, f.candidate.id)
        interview_choices.pick_slot(f.firm, me, iv, first, 0)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        me = db.session.get(Candidate, f.candidate.id)
        with pytest.raises(Conflict, match="no longer available"):
            interview_choices.pick_slot(f.firm, me, iv, second, 0)


@pytest.mark.parametrize("how", ["none", "reschedule", "decline"])
def test_the_candidates_answer_reaches_needs_attention_and_the_recruiters_inbox(app, firms, how):
    f, cy = _setup(app, firms)
    if how == "none":
        iv_id = ivs.schedule(app, f, cy.id, slots=[_future(5), _future(6)])
    else:
        iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        me = db.session.get(Candidate, f.candidate.id)
        if how == "none":
            interview_choices.none_suits(f.firm, me, iv, "Any morning next week", iv.sequence)
        elif how == "reschedule":
            interview_choices.ask_to_reschedule(f.firm, me, iv, "I am travelling that day", "Thursday", iv.sequence)
        else:
            interview_choices.decline(f.firm, me, iv, "I accepted another offer", iv.sequence)
    with firm_context(app, f.firm):
        att = dashboard.needs_attention(f.firm, db.session.merge(f.recruiter), "mine")
        [row] = att.interview_answers.rows
        assert row.interview.id == iv_id and row.candidate.id == f.candidate.id
        assert not att.empty
    to_recruiter = [m for m in ivs.messages(app, f, iv_id) if m.kind == "interview_answer"]
    assert len(to_recruiter) == 1 and to_recruiter[0].to_email == f.recruiter.email
    assert not to_recruiter[0].show_in_portal
    with firm_context(app, f.firm):
        interviews.mark_answer_seen(f.firm, db.session.merge(f.recruiter), db.session.get(Interview, iv_id))
    with firm_context(app, f.firm):
        att = dashboard.needs_attention(f.firm, db.session.merge(f.recruiter), "mine")
        assert att.interview_answers.rows == []


def test_moving_after_an_answer_handles_it(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interview_choices.ask_to_reschedule(f.firm, db.session.get(Candidate, f.candidate.id), iv, "Ill", "", 0)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.reschedule(f.firm, db.session.merge(f.recruiter), iv, slots=[_future(8), _future(9)])
        assert iv.answer_seen_at is not None and iv.state == InterviewState.PROPOSED
    last = ivs.messages(app, f, iv_id)[-1]
    cal, event, _ = ivs.parse_both(last.calendar)  # the old time leaves the candidate's calendar
    assert str(cal["method"]) == "CANCEL" and int(event["sequence"]) == 1


@pytest.mark.parametrize(
    ("kw", "slots", "words"),
    [
        ({"location": "not a link"}, None, "Video link"),
        ({"format": interviews.InterviewFormat.ON_SITE, "location": ""}, None, "Address"),
        ({"timezone": "Mars/Olympus"}, None, "time zone"),
        ({"round": 0}, None, "Round"),
        ({"duration_minutes": 5000}, None, "Duration"),
        ({"candidate_notes_md": "<script>alert(1)</script>"}, None, "HTML"),
        ({"attendees": [{"name": "<b>x</b>", "title": ""}]}, None, "HTML"),
        ({}, "one", "at least 2"),
        ({}, "eleven", "up to 10"),
        ({}, "past", "past"),
    ],
)
def test_bad_details_are_refused_in_plain_words(app, firms, kw, slots, words):
    f, cy = _setup(app, firms)
    times = {
        None: {"at": _future()},
        "one": {"slots": [_future(3), _future(3)]},
        "eleven": {"slots": [_future(3 + i) for i in range(11)]},
        "past": {"at": _future(-3)},
    }[slots]
    with pytest.raises(DomainError, match=words):
        ivs.schedule(app, f, cy.id, **times, **kw)
    with firm_context(app, f.firm):
        assert db.session.scalar(db.select(db.func.count(Interview.id))) == 0
        assert db.session.scalar(db.select(db.func.count(InterviewSlot.id))) == 0


def test_a_candidate_who_does_not_know_the_search_gets_no_interview(app, firms):
    f = firms.a
    search = cs.make_search(app, f)
    cy = cs.add(app, f, search, f.candidate, Stage.IDENTIFIED)
    with pytest.raises(DomainError, match="does not know"):
        ivs.schedule(app, f, cy.id, at=_future())


def test_confidential_client_never_in_the_invitation_before_consent_and_named_after(app, firms):
    f, cy = _setup(app, firms, confidential=True)
    iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    [before] = ivs.messages(app, f, iv_id)
    assert "Globex" not in before.calendar + before.subject + before.body_text + before.body_html
    consent = cs.request_consent(app, f, cy.id)
    cs.approve(app, f, f.candidate, consent.id)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.reschedule(f.firm, db.session.merge(f.recruiter), iv, starts_at=_future(6))
    after = ivs.messages(app, f, iv_id)[-1]
    assert "Globex" in after.calendar


def test_details_that_name_a_confidential_client_are_refused(app, firms):
    f, cy = _setup(app, firms, confidential=True)
    with pytest.raises(DomainError, match="confidential client"):
        ivs.schedule(app, f, cy.id, at=_future(), candidate_notes_md="Read up on Globex before you come.")


def test_edit_sends_an_updated_invitation_only_when_the_candidate_sees_a_change(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        interviews.edit(f.firm, db.session.merge(f.recruiter), iv, ivs.details(internal_notes="only ours"))
        assert iv.sequence == 0
        interviews.edit(f.firm, db.session.merge(f.recruiter), iv, ivs.details(duration_minutes=90))
        assert iv.sequence == 1
    msgs = ivs.messages(app, f, iv_id)
    assert [m.kind for m in msgs] == ["interview_scheduled", "interview_scheduled"]
    _, event, _ = ivs.parse_both(msgs[-1].calendar)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)


def test_candidate_zone_is_used_in_emails(app, firms):
    f, cy = _setup(app, firms)
    with firm_context(app, f.firm):
        interview_choices.set_timezone(f.firm, db.session.get(Candidate, f.candidate.id), "America/New_York")
        with pytest.raises(DomainError):
            interview_choices.set_timezone(f.firm, db.session.get(Candidate, f.candidate.id), "Nowhere/Land")
    iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    [msg] = ivs.messages(app, f, iv_id)
    assert "(America/New York, E" in msg.body_text  # the zone, and its abbreviation at that date (EST or EDT)
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        facts = interview_messages.facts(f.firm, iv)
        assert facts.zone == "America/New_York"


def test_another_candidate_cannot_reach_the_interview(app, firms):
    f, cy = _setup(app, firms)
    iv_id = ivs.schedule(app, f, cy.id, at=_future(5))
    from tests.factories import make_candidate

    other = make_candidate(app, f.firm)
    with firm_context(app, f.firm):
        with pytest.raises(interview_choices.NotFound):
            interview_choices.for_candidate(db.session.get(Candidate, other.id), iv_id)
        assert db.session.get(Candidacy, cy.id) is not None
