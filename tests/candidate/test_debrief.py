"""The candidate's debrief after an interview (/me/interviews/<id>/debrief): the form, once, then
read-only with a thank-you; on the recruiter's needs-attention and candidacy page; hostile input;
another candidate's (or firm's) interview is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Debrief, InterviewKind, InterviewState, Stage, utcnow
from tests.factories import firm_context, make_candidate
from tests.support.candidate import add, make_search
from tests.support.fixtures.clients import login_as
from tests.support.interviews import make_interview

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
GOOD = {"how_it_went": "Went well; we talked about queues.", "interest": "4", "questions": "Is it hybrid?"}


@pytest.fixture
def held(app, firms):
    f = firms.a
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    return make_interview(app, f, cy, utcnow() - timedelta(days=1))


def _count(app, f):
    with firm_context(app, f.firm):
        return db.session.scalar(select(func.count(Debrief.id)))


def test_debrief_once_then_read_only(app, firms, cand_client, rec, held):
    f = firms.a
    page = cand_client.get(f"/me/interviews/{held.id}/debrief")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "How did your interview go?" in html and 'name="interest"' in html
    # The preparation page (/me/interviews/<id>) is linked by path once it exists; until then the search.
    assert f'href="/me/interviews/{held.id}"' in html or f'href="/me/searches/{held.candidacy_id}"' in html
    resp = cand_client.post(f"/me/interviews/{held.id}/debrief", data=GOOD)
    assert resp.status_code == 303
    html = cand_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your debrief" in html and "we talked about queues" in html and "Is it hybrid?" in html
    assert "<textarea" not in html  # read-only
    again = cand_client.post(f"/me/interviews/{held.id}/debrief", data={**GOOD, "how_it_went": "Changed my mind"})
    assert again.status_code == 200 and "Changed my mind" not in again.get_data(as_text=True)
    assert _count(app, f) == 1
    # On the recruiter's needs-attention (until seen) and the candidacy page.
    dash = rec.client.get("/recruiter/").get_data(as_text=True)
    assert 'id="debriefs"' in dash and "we talked about queues" in dash and "interest 4/5" in dash
    with firm_context(app, f.firm):
        debrief_id = db.session.scalar(select(Debrief.id))
    cy_page = rec.client.get(f"/recruiter/candidacies/{held.candidacy_id}").get_data(as_text=True)
    assert "we talked about queues" in cy_page and "Is it hybrid?" in cy_page
    assert rec.client.post(f"/recruiter/debriefs/{debrief_id}/seen").status_code == 303
    assert 'id="debriefs"' not in rec.client.get("/recruiter/").get_data(as_text=True)


def test_debrief_is_on_the_home_to_do_until_sent(app, firms, cand_client, held):
    html = cand_client.get("/me/").get_data(as_text=True)
    assert f"/me/interviews/{held.id}/debrief" in html and "Tell us how it went" in html
    cand_client.post(f"/me/interviews/{held.id}/debrief", data=GOOD)
    assert f"/me/interviews/{held.id}/debrief" not in cand_client.get("/me/").get_data(as_text=True)


def test_before_the_interview_the_form_waits(app, firms, cand_client):
    f = firms.a
    cy = add(app, f, make_search(app, f), f.candidate, Stage.SCREENING)
    later = make_interview(app, f, cy, utcnow() + timedelta(days=2))
    html = cand_client.get(f"/me/interviews/{later.id}/debrief").get_data(as_text=True)
    assert "once the interview is over" in html and "<textarea" not in html
    cand_client.post(f"/me/interviews/{later.id}/debrief", data=GOOD)
    assert _count(app, f) == 0


@pytest.mark.parametrize(
    "data,message",
    [
        ({**GOOD, "how_it_went": ""}, "Please tell us in a few words how it went."),
        ({**GOOD, "interest": ""}, "Please choose how interested you are"),
        ({**GOOD, "interest": "9"}, "Not a valid choice"),
        ({**GOOD, "how_it_went": "w" * 20_000}, "at most 5000 characters"),
        ({**GOOD, "questions": "q" * 20_000}, "at most 5000 characters"),
        ({**GOOD, "how_it_went": SCRIPT}, "HTML"),
    ],
)
def test_bad_and_hostile_input_is_refused_on_the_form(app, firms, cand_client, held, data, message):
    resp = cand_client.post(f"/me/interviews/{held.id}/debrief", data=data)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert "<script>alert" not in html
    assert _count(app, firms.a) == 0


def test_nul_bytes_are_stripped(app, firms, cand_client, held):
    resp = cand_client.post(
        f"/me/interviews/{held.id}/debrief", data={**GOOD, "how_it_went": "Fine\x00 really", "questions": "\x00"}
    )
    assert resp.status_code == 303
    with firm_context(app, firms.a.firm):
        d = db.session.scalar(select(Debrief))
        assert d.how_it_went == "Fine really" and d.questions == ""


def test_other_candidates_and_meetings_are_not_found(app, firms, client_for, held):
    f = firms.a
    other = make_candidate(app, f.firm, owner=f.recruiter)
    c = client_for(f.firm)
    login_as(c, other.login)
    assert c.get(f"/me/interviews/{held.id}/debrief").status_code == 404
    assert c.post(f"/me/interviews/{held.id}/debrief", data=GOOD).status_code == 404
    cy = add(app, f, make_search(app, f, title="Other role"), f.candidate, Stage.SCREENING)
    office = make_interview(app, f, cy, utcnow() - timedelta(days=1), kind=InterviewKind.OFFICE_HOURS)
    cancelled = make_interview(app, f, cy, utcnow() - timedelta(days=1), state=InterviewState.CANCELLED)
    mine = client_for(f.firm)
    login_as(mine, f.candidate_user)
    for iv in (office, cancelled):
        assert mine.get(f"/me/interviews/{iv.id}/debrief").status_code == 404
    assert mine.get("/me/interviews/999999/debrief").status_code == 404
    # Firm B's candidate, on firm B's host, with firm A's interview id.
    b = client_for(firms.b.firm)
    login_as(b, firms.b.candidate_user)
    assert b.get(f"/me/interviews/{held.id}/debrief").status_code == 404
    assert _count(app, f) == 0


def test_data_export_has_interviews_and_debriefs_never_internal_notes(app, firms, cand_client, held):
    cand_client.post(f"/me/interviews/{held.id}/debrief", data=GOOD)
    with firm_context(app, firms.a.firm):
        from portal.models import Interview, InterviewOutcome

        db.session.get(Interview, held.id).outcome = InterviewOutcome.NOT_PROGRESSED
    resp = cand_client.get("/me/settings/my-data.json")
    assert resp.status_code == 200
    data = resp.get_json()
    [iv] = data["interviews"]
    assert iv["who_you_meet"] == [{"name": "Ada Lovelace", "title": "CTO"}]
    assert iv["your_debrief"]["how_it_went"] == GOOD["how_it_went"] and iv["your_debrief"]["interest_1_to_5"] == 4
    text = resp.get_data(as_text=True)
    assert "INTERNAL-INTERVIEW-NOTE" not in text and "not_progressed" not in text
