"""The recruiter's interview pages: the candidacy page's Interviews section, scheduling (a fixed
time or proposed slots), moving, editing and cancelling; hostile input on the form; the
"Interview answers" on needs-attention; bounded queries with 1 and 50 interviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.models import Candidate, Message, Stage
from portal.models.interview import Interview, InterviewState
from portal.services import interview_choices
from tests.factories import firm_context
from tests.support import candidate as cs
from tests.support import interview_services as ivs
from tests.support.recruiter import flashes


def _local(days=10, hour=9) -> str:
    d = datetime.now(UTC) + timedelta(days=days)
    return f"{d:%Y-%m-%d}T{hour:02d}:00"


def _candidacy(app, f, **kw):
    search = cs.make_search(app, f, title="Staff Engineer", client="Globex", **kw)
    return cs.add(app, f, search, f.candidate, Stage.SCREENING)


def _form(**kw):
    data = {
        "kind": "client",
        "round": "1",
        "format": "video",
        "location": "https://meet.example.com/xyz",
        "duration_minutes": "45",
        "timezone": "Europe/Berlin",
        "attendees": "Dana Scully, Head of Engineering\nFox Mulder - CTO",
        "candidate_notes": "Bring **examples**.",
        "internal_notes": "INTERNAL-IV-SECRET",
        "mode": "fixed",
        "starts_at": _local(),
    }
    data.update(kw)
    return data


def _interviews(app, f):
    with firm_context(app, f.firm):
        rows = db.session.scalars(db.select(Interview).order_by(Interview.id)).all()
        for r in rows:
            _ = r.slots
            db.session.expunge(r)
        return rows


def test_schedule_a_fixed_time_from_the_candidacy_page(app, rec):
    f = rec.f
    cy = _candidacy(app, f)
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}")
    assert b'id="interviews"' in page.data and b"Schedule an interview" in page.data
    assert rec.client.get(f"/recruiter/candidacies/{cy.id}/interviews/new").status_code == 200
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/interviews/new", data=_form())
    assert resp.status_code == 303, flashes(resp.get_data(as_text=True))
    [iv] = _interviews(app, f)
    assert iv.state == InterviewState.SCHEDULED and iv.duration_minutes == 45
    assert iv.attendees == [
        {"name": "Dana Scully", "title": "Head of Engineering"},
        {"name": "Fox Mulder", "title": "CTO"},
    ]
    assert iv.starts_at.astimezone(UTC).hour in (7, 8)  # 09:00 in Berlin
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "Client interview" in page and "Set" in page and "Dana Scully" in page


def test_schedule_proposed_slots_then_move_edit_and_cancel(app, rec):
    f = rec.f
    cy = _candidacy(app, f)
    data = _form(mode="slots", starts_at="", **{"slots-0": _local(5), "slots-1": _local(6), "slots-5": _local(7)})
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/interviews/new", data=data)
    assert resp.status_code == 303
    [iv] = _interviews(app, f)
    assert iv.state == InterviewState.PROPOSED and len(iv.slots) == 3
    assert rec.client.get(f"/recruiter/interviews/{iv.id}/move").status_code == 200
    resp = rec.client.post(
        f"/recruiter/interviews/{iv.id}/move", data={"mode": "fixed", "starts_at": _local(8), "sequence": "0"}
    )
    assert resp.status_code == 303
    [iv] = _interviews(app, f)
    assert iv.state == InterviewState.SCHEDULED and iv.sequence == 1 and iv.slots == []
    assert rec.client.get(f"/recruiter/interviews/{iv.id}/edit").status_code == 200
    resp = rec.client.post(f"/recruiter/interviews/{iv.id}/edit", data=_form(duration_minutes="90", sequence="1"))
    assert resp.status_code == 303
    # A stale cancel button (the page before the edit) is refused, the current one works.
    resp = rec.client.post(f"/recruiter/interviews/{iv.id}/cancel", data={"sequence": "1"}, follow_redirects=True)
    assert "changed meanwhile" in flashes(resp.get_data(as_text=True))
    resp = rec.client.post(f"/recruiter/interviews/{iv.id}/cancel", data={"sequence": "2"}, follow_redirects=True)
    assert "Interview cancelled" in flashes(resp.get_data(as_text=True))
    [iv] = _interviews(app, f)
    assert iv.state == InterviewState.CANCELLED and iv.sequence == 3
    with firm_context(app, f.firm):
        kinds = db.session.scalars(
            db.select(Message.kind).where(Message.interview_id == iv.id).order_by(Message.id)
        ).all()
    assert kinds == ["interview_proposed", "interview_scheduled", "interview_scheduled", "interview_cancelled"]


HOSTILE = [
    ({"candidate_notes": "<script>alert(1)</script>"}, "HTML"),
    ({"location": "https://x.example/\x00<img src=x onerror=alert(1)>"}, "HTML"),
    ({"attendees": "A" * 20_000}, "3000"),
    ({"candidate_notes": "x" * 20_000}, "10000"),
    ({"internal_notes": "\x00" * 5 + "y" * 20_000}, "10000"),
    ({"starts_at": "tomorrow at nine"}, "valid"),
    ({"starts_at": "9999-99-99T99:99"}, "valid"),
    ({"timezone": "Mars/Olympus"}, "valid choice"),
    ({"kind": "office_hours"}, "valid choice"),
    ({"format": "<script>"}, "valid choice"),
    ({"round": "-1"}, "Round"),
    ({"duration_minutes": "99999999999999999999"}, "Duration"),
    ({"mode": "slots", "starts_at": "", "slots-0": _local(3)}, "at least 2"),
    ({"mode": "fixed", "starts_at": ""}, "fixed time"),
    ({"mode": "whenever"}, "valid choice"),
    ({"location": "javascript:alert(1)"}, "Video link"),
]


@pytest.mark.parametrize(("changes", "words"), HOSTILE)
def test_hostile_input_on_the_schedule_form_is_a_clear_message_not_a_500(app, rec, changes, words):
    cy = _candidacy(app, rec.f)
    resp = rec.client.post(f"/recruiter/candidacies/{cy.id}/interviews/new", data=_form(**changes))
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert words.lower() in text.lower()
    assert "<script>alert(1)</script>" not in text and "onerror=alert(1)>" not in text
    assert _interviews(app, rec.f) == []


def test_an_answer_is_on_needs_attention_until_handled(app, rec):
    f = rec.f
    cy = _candidacy(app, f)
    iv_id = ivs.schedule(app, f, cy.id, at=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=4))
    with firm_context(app, f.firm):
        iv = db.session.get(Interview, iv_id)
        me = db.session.get(Candidate, f.candidate.id)
        interview_choices.ask_to_reschedule(f.firm, me, iv, "My flight moved", "Friday morning", 0)
    page = rec.client.get("/recruiter/").get_data(as_text=True)
    assert 'id="interview-answers"' in page and "My flight moved" in page and "asked to reschedule" in page
    assert rec.client.get("/recruiter/?show=interview-answers").status_code == 200
    page = rec.client.get(f"/recruiter/candidacies/{cy.id}").get_data(as_text=True)
    assert "My flight moved" in page and "Friday morning" in page
    resp = rec.client.post(f"/recruiter/interviews/{iv_id}/seen", data={}, follow_redirects=True)
    assert "handled" in flashes(resp.get_data(as_text=True))
    assert 'id="interview-answers"' not in rec.client.get("/recruiter/").get_data(as_text=True)


def _count(count_queries, client, path):
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return q.count


def test_candidacy_page_queries_same_for_1_and_50(app, rec, count_queries):
    f = rec.f
    cy1 = _candidacy(app, f)
    other = cs.make_search(app, f, title="Other", client="Initech")
    from tests.factories import make_candidate

    c2 = make_candidate(app, f.firm, owner=f.recruiter)
    cy50 = cs.add(app, f, other, c2, Stage.SCREENING)
    base = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=3)
    ivs.schedule(app, f, cy1.id, slots=[base, base + timedelta(hours=1)])
    for i in range(50):
        if i % 2:
            ivs.schedule(app, f, cy50.id, at=base + timedelta(hours=i))
        else:
            ivs.schedule(
                app, f, cy50.id, slots=[base + timedelta(hours=i, minutes=10), base + timedelta(hours=i, minutes=40)]
            )
    one = f"/recruiter/candidacies/{cy1.id}"
    fifty = f"/recruiter/candidacies/{cy50.id}"
    rec.client.get(one), rec.client.get(fifty)
    assert _count(count_queries, rec.client, one) == _count(count_queries, rec.client, fifty)


def test_interview_answers_on_needs_attention_cost_the_same_with_1_and_50(app, rec, count_queries):
    f = rec.f
    cy = _candidacy(app, f)
    base = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=3)

    def answers(n, start):
        for i in range(start, start + n):
            iv_id = ivs.schedule(app, f, cy.id, at=base + timedelta(hours=i))
            with firm_context(app, f.firm):
                iv = db.session.get(Interview, iv_id)
                me = db.session.get(Candidate, f.candidate.id)
                interview_choices.decline(f.firm, me, iv, f"Reason {i}", 0)

    def count(url):
        rec.client.get(url)
        with count_queries() as q:
            html = rec.client.get(url).get_data(as_text=True)
        return q.count, html

    answers(1, 0)
    one, html = count("/recruiter/")
    assert html.count("declined the interview") == 1
    answers(49, 1)
    fifty, html = count("/recruiter/")
    assert fifty == one and html.count("declined the interview") == 10 and "show=interview-answers" in html
    _, html = count("/recruiter/?show=interview-answers&scope=firm")
    assert html.count("declined the interview") == 50
