"""The job-alert digest from the worker's side: the daily job fans out one plan per firm, the
digest is emailed through the outbox with a one-click List-Unsubscribe (RFC 8058) of its own,
and that one-click POST stops the next week's digest. A candidate's saved search respects their
unsubscribe from optional emails."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from portal.models import Candidate, Firm, JobAlert, MessageState, utcnow
from portal.services import job_alerts
from tests.careers.alerts_support import advertise, confirm_path, digests, subscribe
from tests.factories import firm_context
from worker import jobs
from worker.schedule import JOB_ALERTS_CRON, build_scheduler

START = utcnow().replace(hour=7, minute=20, second=0, microsecond=0) + timedelta(days=1)


def _path(url: str) -> str:
    rest = url.split("localhost", 1)[1]
    return rest[rest.index("/") :]


def test_the_scheduler_runs_job_alerts_daily(app):
    names = {j.func_name if hasattr(j, "func_name") else str(j.func) for j in build_scheduler(app).get_jobs()}
    assert any("job_alerts" in n for n in names), names
    assert JOB_ALERTS_CRON.split()[2:] == ["*", "*", "*"], "every day"


def test_digest_email_has_one_click_unsubscribe_that_stops_the_next_week(app, firms, client_for, run_jobs, smtp_sink):
    a, b = firms.a, firms.b
    with time_machine.travel(START, tick=False):
        advertise(app, a.firm, "Data Engineer")
        advertise(app, b.firm, "Firm B Role")
        subscribe(client_for(a.firm), "fan@example.com")
        run_jobs()  # the confirmation email
        (confirmation,) = smtp_sink.messages
        assert "List-Unsubscribe" not in confirmation.email
        text = confirmation.email.get_body(("plain",)).get_content()
        link = re.search(r"https?://\S+/careers/alerts/confirm/\S+", text)
        assert link is not None and _path(link.group(0)) == confirm_path(app, "fan@example.com")
        client_for(a.firm).post(_path(link.group(0)))
        assert jobs.job_alerts() == 2  # one plan per firm with a careers site
        run_jobs()
    email = smtp_sink.messages[-1].email
    assert "Data Engineer" in email["Subject"] and "fan@example.com" in email["To"]
    assert "Firm B Role" not in email.get_body(("plain",)).get_content()
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Precedence"] == "bulk"
    url = re.fullmatch(r"<(.+)>", str(email["List-Unsubscribe"]).strip()).group(1)
    assert "/careers/alerts/unsubscribe/" in url and url.startswith(f"http://{a.firm.slug}.localhost")
    # The mail provider's one-click POST: no session, no CSRF token.
    with time_machine.travel(START + timedelta(days=2), tick=False):
        resp = client_for(a.firm).post(_path(url), data={"List-Unsubscribe": "One-Click"})
        assert resp.status_code == 200
        advertise(app, a.firm, "Platform Engineer")
    before = len(smtp_sink.messages)
    with time_machine.travel(START + timedelta(days=7), tick=False):
        jobs.job_alerts()
        run_jobs()
    assert len(smtp_sink.messages) == before, "no digest after the unsubscribe"
    assert len(digests(app)) == 1


def _saved_search(app, firm, candidate, **criteria):
    with firm_context(app, firm) as s:
        alert = job_alerts.save_for_candidate(s.get(Firm, firm.id), s.get(Candidate, candidate.id), **criteria)
        return alert.id


def test_a_candidates_saved_search_goes_to_them_and_respects_their_unsubscribe(app, firms, run_jobs, smtp_sink):
    a = firms.a
    with time_machine.travel(START, tick=False):
        advertise(app, a.firm, "Python Developer")
        _saved_search(app, a.firm, a.candidate, keywords="python", location="", remote="")
        jobs.plan_job_alerts(a.firm.id)
        run_jobs()
    (digest,) = digests(app)
    assert digest.candidate_id == a.candidate.id and digest.show_in_portal and digest.state == MessageState.SENT
    email = smtp_sink.messages[-1].email
    url = re.fullmatch(r"<(.+)>", str(email["List-Unsubscribe"]).strip()).group(1)
    assert "/careers/alerts/unsubscribe/" in url, "the alert's own one-click link, not the candidate's"
    # The candidate unsubscribes from every optional email: the saved search sends nothing more.
    with firm_context(app, a.firm) as s:
        s.get(Candidate, a.candidate.id).unsubscribed_all = True
    with time_machine.travel(START + timedelta(days=7), tick=False):
        advertise(app, a.firm, "Python Lead")
        assert jobs.plan_job_alerts(a.firm.id) == 0
    assert len(digests(app)) == 1
    with firm_context(app, a.firm) as s:
        (alert,) = s.scalars(select(JobAlert))
        assert alert.unsubscribed_at is None, "their saved search is kept for when they opt in again"
