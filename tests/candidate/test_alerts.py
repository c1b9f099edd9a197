"""Saved searches for signed-in candidates (/me/alerts): save the job-alert criteria without a
double opt-in, list and delete them; another candidate's (or firm's) saved search is a 404;
the page runs the same number of queries with 1 and 50 saved searches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import Candidate, Firm, JobAlert
from portal.services import data_rights, job_alerts
from tests.factories import firm_context, make_candidate
from tests.support.fixtures.clients import login_as


def _mine(app, firm, candidate_id):
    with firm_context(app, firm) as s:
        rows = list(s.scalars(select(JobAlert).where(JobAlert.candidate_id == candidate_id).order_by(JobAlert.id)))
        for r in rows:
            s.expunge(r)
    return rows


def _save(app, firm, candidate_id, keywords):
    with firm_context(app, firm) as s:
        return job_alerts.save_for_candidate(s.get(Firm, firm.id), s.get(Candidate, candidate_id), keywords, "", "").id


def test_save_list_and_delete_a_saved_search(app, firms, client_for):
    a = firms.a
    c = client_for(a.firm)
    login_as(c, a.candidate_user)
    page = c.get("/me/alerts")
    assert page.status_code == 200 and "You have no saved searches yet" in page.get_data(as_text=True)
    resp = c.post("/me/alerts", data={"keywords": "data engineer", "location": "Berlin", "remote": "hybrid"})
    assert resp.status_code == 303
    (alert,) = _mine(app, a.firm, a.candidate.id)
    assert alert.active and alert.email == a.candidate.email, "no double opt-in: their address is known"
    page = c.get("/me/alerts").get_data(as_text=True)
    assert "Data engineer, in Berlin, hybrid" in page
    # The same search again is refused on the form.
    again = c.post("/me/alerts", data={"keywords": "data engineer", "location": "Berlin", "remote": "hybrid"})
    assert again.status_code == 400 and "You already have this saved search" in again.get_data(as_text=True)
    assert c.post(f"/me/alerts/{alert.id}/delete").status_code == 303
    assert _mine(app, a.firm, a.candidate.id) == []


def test_another_candidates_saved_search_cannot_be_deleted(app, firms, client_for):
    a = firms.a
    other = make_candidate(app, a.firm, email="other@alpha.example", owner=a.recruiter)
    theirs = _save(app, a.firm, other.id, "python")
    c = client_for(a.firm)
    login_as(c, a.candidate_user)
    assert c.post(f"/me/alerts/{theirs}/delete").status_code == 404
    assert len(_mine(app, a.firm, other.id)) == 1


@pytest.mark.parametrize("value", ["x" * 20_000, "<script>alert(1)</script>", "a\x00b", "\x01\x02\x1b[31m"])
def test_hostile_criteria_get_a_clear_answer(app, firms, client_for, value):
    a = firms.a
    c = client_for(a.firm)
    login_as(c, a.candidate_user)
    resp = c.post("/me/alerts", data={"keywords": value, "location": value, "remote": value})
    assert resp.status_code in (303, 400)
    page = c.get("/me/alerts").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    for alert in _mine(app, a.firm, a.candidate.id):
        assert "\x00" not in alert.keywords and len(alert.keywords) <= 200


def test_deleting_the_account_deletes_the_saved_searches(app, firms):
    a = firms.a
    _save(app, a.firm, a.candidate.id, "python")
    with firm_context(app, a.firm) as s:
        data_rights.delete_account(s.get(Firm, a.firm.id), s.get(Candidate, a.candidate.id), None)
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(func.count()).select_from(JobAlert)) == 0


def test_the_page_runs_the_same_queries_with_1_and_50_saved_searches(app, firms, client_for, count_queries):
    a = firms.a
    counts = []
    for n in (1, 50):
        cand = make_candidate(app, a.firm, email=f"busy{n}@alpha.example", owner=a.recruiter)
        for i in range(n):
            _save(app, a.firm, cand.id, f"keyword {i}")
        c = client_for(a.firm)
        login_as(c, cand.login)
        with count_queries() as q:
            page = c.get("/me/alerts")
        assert page.status_code == 200 and page.get_data(as_text=True).count('id="alert-') == n
        counts.append(q.count)
    assert counts[0] == counts[1], counts
