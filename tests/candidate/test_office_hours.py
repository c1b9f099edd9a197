"""A candidate books a recruiter's office hours: free times in their own zone, a booking with a
calendar invitation by email (the recruiter is told too), cancelling it, two candidates racing
for one slot (two real concurrent requests: one wins, the other gets the next free times), and a
bounded number of queries."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import icalendar
from sqlalchemy import event, select

from portal.extensions import db
from portal.models import Audience, Candidate, Message, utcnow
from portal.models.interview import Interview, InterviewKind, InterviewState
from tests.factories import firm_context, make_candidate, make_user
from tests.support.fixtures.clients import login_as
from tests.support.interviews import make_interview_at, make_office_hours

SLOT = re.compile(r'name="slot" value="([^"]+)"')


def _free(client) -> list[str]:
    resp = client.get("/me/office-hours")
    assert resp.status_code == 200
    return SLOT.findall(resp.get_data(as_text=True))


def _interviews(app, firm) -> list[Interview]:
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(Interview).order_by(Interview.id)))
        for r in rows:
            s.expunge(r)
    return rows


def _messages(app, firm) -> list[Message]:
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(Message).order_by(Message.id)))
        for r in rows:
            s.expunge(r)
    return rows


def test_book_and_cancel(app, firms, client_for, run_jobs, smtp_sink):
    a = firms.a
    make_office_hours(app, a, weekday=utcnow().weekday(), start_minute=0, end_minute=24 * 60 - 60, slot_minutes=60)
    with firm_context(app, a.firm) as s:
        s.get(Candidate, a.candidate.id).timezone = "America/New_York"
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    page = me.get("/me/office-hours").get_data(as_text=True)
    assert "America/New York" in page and "Recruiter" in page
    free = _free(me)
    assert free, "no free times offered"
    resp = me.post("/me/office-hours/book", data={"slot": free[0]})
    assert resp.status_code == 303
    (booking,) = _interviews(app, a.firm)
    assert (booking.kind, booking.state, booking.candidacy_id) == (
        InterviewKind.OFFICE_HOURS,
        InterviewState.SCHEDULED,
        None,
    )
    assert booking.candidate_id == a.candidate.id and booking.recruiter_id == a.recruiter.id
    assert resp.headers["Location"].endswith(f"#booking-{booking.id}")
    page = me.get("/me/office-hours").get_data(as_text=True)
    assert f'id="booking-{booking.id}"' in page and "You are booked" in page
    assert free[0] not in SLOT.findall(page)  # taken: no longer offered

    to_candidate, to_recruiter = _messages(app, a.firm)
    assert to_candidate.audience == Audience.CANDIDATE and to_candidate.interview_id == booking.id
    cal = icalendar.Calendar.from_ical(to_candidate.calendar)
    assert str(cal["METHOD"]) == "REQUEST"
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == booking.uid and vevent.decoded("DTSTART") == booking.starts_at
    assert to_recruiter.audience == Audience.RECRUITER and to_recruiter.to_email == a.recruiter.email
    run_jobs()
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == sorted([a.candidate.email, a.recruiter.email])

    # Cancelling: the slot is free again; the candidate's calendar gets METHOD:CANCEL.
    resp = me.post(f"/me/office-hours/bookings/{booking.id}/cancel")
    assert resp.status_code == 303
    (booking,) = _interviews(app, a.firm)
    assert booking.state == InterviewState.CANCELLED and booking.sequence == 1
    cancel = [m for m in _messages(app, a.firm) if m.kind == "office_hours_cancelled"][0]
    cal = icalendar.Calendar.from_ical(cancel.calendar)
    assert str(cal["METHOD"]) == "CANCEL" and int(cal.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert free[0] in _free(me)
    assert me.post(f"/me/office-hours/bookings/{booking.id}/cancel").status_code == 303  # refused, flashed


def test_another_candidates_booking_cannot_be_cancelled(app, firms, client_for):
    a = firms.a
    other = make_candidate(app, a.firm)
    iid = make_interview_at(
        app, a, utcnow() + timedelta(days=2), candidate_id=other.id, kind=InterviewKind.OFFICE_HOURS
    )
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    assert me.post(f"/me/office-hours/bookings/{iid}/cancel").status_code == 404
    assert _interviews(app, a.firm)[0].state == InterviewState.SCHEDULED


def test_bad_slot_values_are_refused_on_the_page(app, firms, client_for):
    a = firms.a
    make_office_hours(app, a)
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    for bad in ("", "<script>alert(1)</script>", "x" * 20_000, "1:20000101T0000Z", "999999:20300101T0000Z"):
        resp = me.post("/me/office-hours/book", data={"slot": bad})
        assert resp.status_code == 400, bad
        html = resp.get_data(as_text=True)
        assert "Choose one of the free times" in html and "<script>alert" not in html
    assert _interviews(app, a.firm) == []


def test_three_bookings_at_most(app, firms, client_for):
    a = firms.a
    make_office_hours(app, a, weekday=(utcnow() + timedelta(days=3)).weekday(), start_minute=0, end_minute=1440)
    me = client_for(a.firm)
    login_as(me, a.candidate_user)
    free = _free(me)
    for value in free[:3]:
        assert me.post("/me/office-hours/book", data={"slot": value}).status_code == 303
    resp = me.post("/me/office-hours/book", data={"slot": free[3]})
    assert resp.status_code == 400 and "already have 3 bookings" in resp.get_data(as_text=True)


def test_two_candidates_racing_for_one_slot(app, firms, client_for):
    """Two real requests at once: both pass every check, both INSERT; the unique index lets one
    win, the other is told at once and offered the next free times."""
    a = firms.a
    make_office_hours(app, a, weekday=(utcnow() + timedelta(days=3)).weekday())
    rival = make_candidate(app, a.firm)
    clients = []
    for user in (a.candidate_user, rival.login):
        c = client_for(a.firm)
        login_as(c, user)
        clients.append(c)
    value = _free(clients[0])[0]
    with app.app_context():
        engine = db.engine
    both_inserting = threading.Barrier(2, timeout=5)

    def hold_inserts(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO INTERVIEWS"):
            both_inserting.wait()  # neither inserts before the other has passed every check

    results: list = [None, None]

    def book(i):
        results[i] = clients[i].post("/me/office-hours/book", data={"slot": value})

    event.listen(engine, "before_cursor_execute", hold_inserts)
    try:
        threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        event.remove(engine, "before_cursor_execute", hold_inserts)
    codes = sorted(r.status_code for r in results)
    assert codes == [303, 409], codes
    loser = next(r for r in results if r.status_code == 409).get_data(as_text=True)
    assert "Someone just booked that time; here are the next free ones." in loser
    assert "Next free times" in loser and value not in SLOT.findall(loser)
    booked = [i for i in _interviews(app, a.firm) if i.state == InterviewState.SCHEDULED]
    assert len(booked) == 1
    # Nothing written for the loser: one confirmation and one recruiter email.
    assert len(_messages(app, a.firm)) == 2


def _count(count_queries, client, path) -> int:
    client.get(path)  # warm-up
    with count_queries() as q:
        resp = client.get(path)
    assert resp.status_code == 200
    return q.count


def test_office_hours_pages_query_count_is_bounded(app, firms, client_for, count_queries):
    a = firms.a
    counts = {}
    for n in (1, 50):
        recruiter = make_user(app, a.firm, name=f"Busy {n}")
        cand = make_candidate(app, a.firm)
        first = None
        for i in range(n):
            other = make_user(app, a.firm, name=f"Offering {n}-{i}")
            hid = make_office_hours(app, a, recruiter=other, weekday=i % 7, start_minute=8 * 60, end_minute=10 * 60)
            make_office_hours(app, a, recruiter=recruiter, weekday=i % 7, start_minute=i * 15, end_minute=i * 15 + 15)
            first = first or hid
            make_interview_at(
                app,
                a,
                utcnow() + timedelta(days=1, minutes=i),
                candidate_id=cand.id if i < 3 else a.candidate.id,
                recruiter_id=recruiter.id,
                kind=InterviewKind.OFFICE_HOURS,
            )
        c = client_for(a.firm)
        login_as(c, cand.login)
        s = client_for(a.firm)
        login_as(s, recruiter)
        counts[n] = (_count(count_queries, c, "/me/office-hours"), _count(count_queries, s, "/recruiter/office-hours"))
        html = s.get("/recruiter/office-hours").get_data(as_text=True)
        assert html.count('class="office-hours-entry"') == n and html.count('id="booking-') == n
    assert counts[1] == counts[50], counts
