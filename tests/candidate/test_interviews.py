"""The candidate's interview pages: the preparation page (company unless confidential and untold,
role and pay, who they meet, how to join, what to prepare, the steps), picking a slot (two real
concurrent requests: exactly one wins), none-suits / reschedule / decline, the .ics download
(own interviews only), the time zone on the profile, hostile input, bounded queries."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Candidate, Message, Stage
from portal.models.interview import Interview, InterviewSlot, InterviewState
from tests.factories import firm_context, make_candidate
from tests.support import candidate as cs
from tests.support import interview_services as ivs
from tests.support.fixtures.clients import login_as
from tests.support.recruiter import flashes


def _soon(days=5, hours=0):
    return datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=days, hours=hours)


def _candidacy(app, f, **kw):
    kw.setdefault("pay_min", 90000)
    kw.setdefault("pay_max", 110000)
    search = cs.make_search(app, f, title="Staff Engineer", client="Globex", **kw)
    return cs.add(app, f, search, f.candidate, Stage.SCREENING)


def _state(app, f, iv_id):
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        return iv.state, iv.sequence, [(s.id, s.picked) for s in iv.slots]


def test_preparation_page_shows_what_the_candidate_needs_and_never_internal_notes(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f)
    first = ivs.schedule(app, f, cy.id, at=_soon(3), kind=ivs.interviews.InterviewKind.RECRUITER_SCREEN)
    iv_id = ivs.schedule(app, f, cy.id, at=_soon(6), round=2)
    page = cand_client.get(f"/me/interviews/{iv_id}").get_data(as_text=True)
    for words in (
        "Staff Engineer",
        "Globex",
        "90,000",
        "110,000",
        "Dana Scully",
        "Head of Engineering",
        "https://meet.example.com/abc-defg",
        "<strong>examples</strong>",
        "Interview (round 2) (this one)",
        "Conversation with your recruiter",
        "Europe/Berlin",  # the firm's zone (the candidate has none): shown on the page
        "Add to my calendar",
        "Ask to reschedule",
        "Decline this interview",
        'aria-current="step"',
    ):
        assert words in page, words
    assert "INTERNAL-IV-SECRET" not in page
    assert f"/me/interviews/{first}" in page
    search_page = cand_client.get(f"/me/searches/{cy.id}").get_data(as_text=True)
    assert f"/me/interviews/{iv_id}" in search_page and "Your interviews" in search_page


@pytest.fixture(autouse=True)
def _berlin_firm(app, firms):
    with firm_context(app, firms.a.firm):
        from portal.models import Firm

        db.session.get(Firm, firms.a.firm.id).timezone = "Europe/Berlin"


def test_confidential_client_is_not_on_the_page_or_in_the_download_before_consent(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f, confidential=True)
    iv_id = ivs.schedule(app, f, cy.id, at=_soon(4), attendees=[])
    page = cand_client.get(f"/me/interviews/{iv_id}").get_data(as_text=True)
    ics = cand_client.get(f"/me/interviews/{iv_id}/invite.ics").get_data(as_text=True)
    assert "Globex" not in page and "Globex" not in ics
    assert "confidential client" in page.lower()
    consent = cs.request_consent(app, f, cy.id)
    cs.approve(app, f, f.candidate, consent.id)
    assert "Globex" in cand_client.get(f"/me/interviews/{iv_id}").get_data(as_text=True)
    assert "Globex" in cand_client.get(f"/me/interviews/{iv_id}/invite.ics").get_data(as_text=True)


def test_the_download_is_the_invitation_and_only_the_candidates_own(app, firms, cand_client, client_for):
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, at=_soon(4))
    resp = cand_client.get(f"/me/interviews/{iv_id}/invite.ics")
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    assert "attachment" in resp.headers["Content-Disposition"]
    cal, event, other = ivs.parse_both(resp.get_data(as_text=True))
    iv = ivs.get(app, f, iv_id)
    assert str(event["uid"]) == f"{iv.uid}@{f.firm.slug}" and other.vevent.dtstart.value == iv.starts_at
    assert "INTERNAL-IV-SECRET" not in resp.get_data(as_text=True)
    # Another candidate of the same firm: 404 on the page and the download.
    stranger = make_candidate(app, f.firm)
    c = client_for(f.firm)
    login_as(c, stranger.login)
    assert c.get(f"/me/interviews/{iv_id}").status_code == 404
    assert c.get(f"/me/interviews/{iv_id}/invite.ics").status_code == 404
    # A proposed interview has no time yet: nothing to download.
    proposed = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6)])
    assert cand_client.get(f"/me/interviews/{proposed}/invite.ics").status_code == 404
    # The recruiter's own session is not a candidate's.
    assert client_for(f.firm).get(f"/me/interviews/{iv_id}/invite.ics").status_code == 302


def test_pick_a_slot_confirms_it_and_lands_on_the_preparation_page(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6), _soon(7)])
    page = cand_client.get(f"/me/interviews/{iv_id}").get_data(as_text=True)
    assert 'id="pick"' in page and "Confirm this time" in page
    _, _, slots = _state(app, f, iv_id)
    resp = cand_client.post(f"/me/interviews/{iv_id}/pick", data={"slot": slots[2][0], "sequence": "0"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/me/interviews/{iv_id}")
    page = cand_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "your interview is confirmed" in flashes(page)
    state, seq, slots_after = _state(app, f, iv_id)
    assert state == InterviewState.SCHEDULED and seq == 1 and slots_after == [(slots[2][0], True)]


def test_two_concurrent_picks_for_one_interview_give_it_to_exactly_one(app, firms, client_for):
    """Two real requests (two signed-in tabs, two threads) pick different slots at once."""
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6)])
    _, _, slots = _state(app, f, iv_id)
    tabs = []
    for _ in range(2):
        c = client_for(f.firm)
        login_as(c, f.candidate_user)
        tabs.append(c)
    start = threading.Barrier(2)
    results: list = [None, None]

    def pick(i):
        start.wait()
        resp = tabs[i].post(
            f"/me/interviews/{iv_id}/pick", data={"slot": slots[i][0], "sequence": "0"}, follow_redirects=True
        )
        results[i] = (resp.status_code, flashes(resp.get_data(as_text=True)))

    threads = [threading.Thread(target=pick, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(r is not None and r[0] == 200 for r in results), results
    won = [r for r in results if "your interview is confirmed" in r[1]]
    lost = [r for r in results if "no longer available" in r[1]]
    assert len(won) == 1 and len(lost) == 1, results
    state, seq, left = _state(app, f, iv_id)
    assert state == InterviewState.SCHEDULED and seq == 1 and len(left) == 1 and left[0][1]
    with firm_context(app, f.firm):
        confirmations = db.session.scalars(
            db.select(Message).where(Message.interview_id == iv_id, Message.kind == "interview_scheduled")
        ).all()
        assert len(confirmations) == 1


def test_a_stale_tab_is_told_clearly(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6)])
    _, _, slots = _state(app, f, iv_id)
    cand_client.post(f"/me/interviews/{iv_id}/pick", data={"slot": slots[0][0], "sequence": "0"})
    resp = cand_client.post(
        f"/me/interviews/{iv_id}/pick", data={"slot": slots[1][0], "sequence": "0"}, follow_redirects=True
    )
    assert "no longer available" in flashes(resp.get_data(as_text=True))
    assert _state(app, f, iv_id)[2] == [(slots[0][0], True)]


def test_none_suits_reschedule_and_decline(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f)
    proposed = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6)])
    resp = cand_client.post(f"/me/interviews/{proposed}/none-suits", data={"availability": "", "sequence": "0"})
    assert resp.status_code == 400 and "when you could" in resp.get_data(as_text=True).lower()
    resp = cand_client.post(
        f"/me/interviews/{proposed}/none-suits", data={"availability": "Mornings next week", "sequence": "0"}
    )
    assert resp.status_code == 303 and _state(app, f, proposed)[0] == InterviewState.NEEDS_NEW_TIME
    page = cand_client.get(f"/me/interviews/{proposed}").get_data(as_text=True)
    assert "We are finding a new time" in page and "Mornings next week" in page

    fixed = ivs.schedule(app, f, cy.id, at=_soon(8))
    resp = cand_client.post(f"/me/interviews/{fixed}/reschedule", data={"reason": "", "sequence": "0"})
    assert resp.status_code == 400 and "Please give a reason" in resp.get_data(as_text=True)
    resp = cand_client.post(
        f"/me/interviews/{fixed}/reschedule", data={"reason": "A family matter", "availability": "", "sequence": "0"}
    )
    assert resp.status_code == 303 and _state(app, f, fixed)[0] == InterviewState.NEEDS_NEW_TIME

    other = ivs.schedule(app, f, cy.id, at=_soon(9))
    resp = cand_client.post(
        f"/me/interviews/{other}/decline", data={"decline_reason": "I took another job", "sequence": "0"}
    )
    assert resp.status_code == 303 and _state(app, f, other)[0] == InterviewState.DECLINED
    assert "You declined this interview" in cand_client.get(f"/me/interviews/{other}").get_data(as_text=True)
    with firm_context(app, f.firm):
        told = db.session.scalars(db.select(Message.to_email).where(Message.kind == "interview_answer")).all()
    assert told == [f.recruiter.email] * 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", "r" * 20_000),
        ("reason", "\x00\x00"),
        ("availability", "a" * 20_000),
        ("sequence", "<script>alert(1)</script>"),
    ],
)
def test_hostile_answers_are_a_clear_message(app, firms, cand_client, field, value):
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, at=_soon(4))
    data = {"reason": "Travelling", "availability": "", "sequence": "0", field: value}
    resp = cand_client.post(f"/me/interviews/{iv_id}/reschedule", data=data, follow_redirects=True)
    assert resp.status_code in (200, 400)
    text = resp.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert _state(app, f, iv_id)[0] == InterviewState.SCHEDULED
    assert "2000" in text or "reason" in text.lower() or "changed" in text.lower()


def test_forged_slot_ids_are_refused(app, firms, cand_client):
    f = firms.a
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, slots=[_soon(5), _soon(6)])
    other = ivs.schedule(app, f, cy.id, slots=[_soon(7), _soon(8)])
    _, _, foreign = _state(app, f, other)
    for slot in (foreign[0][0], "abc", "", "99999999999999999999"):
        resp = cand_client.post(f"/me/interviews/{iv_id}/pick", data={"slot": slot, "sequence": "0"})
        assert resp.status_code == 400, slot
    assert _state(app, f, iv_id)[0] == InterviewState.PROPOSED


def test_the_candidate_sets_their_time_zone(app, firms, cand_client):
    f = firms.a
    page = cand_client.get("/me/profile").get_data(as_text=True)
    assert 'id="timezone"' in page and "America/New_York" in page
    resp = cand_client.post("/me/profile/timezone", data={"timezone": "America/New_York"}, follow_redirects=True)
    assert "Saved" in flashes(resp.get_data(as_text=True))
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, at=_soon(4))
    assert "America/New_York" in cand_client.get(f"/me/interviews/{iv_id}").get_data(as_text=True)
    for bad in ("Mars/Olympus", "<script>", "x" * 20_000):
        resp = cand_client.post("/me/profile/timezone", data={"timezone": bad}, follow_redirects=True)
        assert "not saved" in flashes(resp.get_data(as_text=True))
    with firm_context(app, f.firm):
        assert db.session.get(Candidate, f.candidate.id).timezone == "America/New_York"
    cand_client.post("/me/profile/timezone", data={"timezone": ""})
    with firm_context(app, f.firm):
        assert db.session.get(Candidate, f.candidate.id).timezone is None


def test_preparation_page_queries_same_with_1_and_50_interviews(app, firms, cand_client, count_queries):
    f = firms.a
    one = _candidacy(app, f)
    other = cs.make_search(app, f, title="Busy role", client="Initech")
    fifty = cs.add(app, f, other, f.candidate, Stage.SCREENING)
    lone = ivs.schedule(app, f, one.id, slots=[_soon(3), _soon(3, 2)])
    ids = [
        ivs.schedule(app, f, fifty.id, slots=[_soon(3, i), _soon(4, i)])
        if i % 2
        else ivs.schedule(app, f, fifty.id, at=_soon(5, i))
        for i in range(50)
    ]
    busy = ids[1]  # a proposed one, like `lone`

    def count(path):
        cand_client.get(path)
        with count_queries() as q:
            assert cand_client.get(path).status_code == 200
        return q.count

    assert count(f"/me/interviews/{lone}") == count(f"/me/interviews/{busy}")
    assert count(f"/me/searches/{one.id}") == count(f"/me/searches/{fifty.id}")
    with firm_context(app, f.firm):
        assert db.session.scalar(db.select(db.func.count(InterviewSlot.id))) == 52
