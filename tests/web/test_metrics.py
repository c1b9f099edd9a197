"""/livez, /readyz and /metrics: a load balancer sees a web server as ready while the worker is
down; the metrics are behind a token and move when the system does (messages pending, a worker
gone, a candidate past the cadence), and add up across several gunicorn workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from portal.models import Candidate, Stage, utcnow
from tests.factories import firm_context, make_candidate
from tests.support.recruiter import add, make_search
from tests.support.worker import process_env, send_plain

TOKEN = "metrics-" + "t" * 24


@pytest.fixture
def metrics_on(app):
    app.config["METRICS_TOKEN"] = TOKEN
    yield
    app.config["METRICS_TOKEN"] = None


def _scrape(client) -> dict[str, float]:
    resp = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200, resp.data
    assert resp.headers["Content-Type"].startswith("text/plain")
    return _parse(resp.get_data(as_text=True))


def _parse(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_livez_and_readyz_answer_while_the_worker_is_down_healthz_does_not(client_for, firms):
    c = client_for(firms.a.firm)
    assert c.get("/livez").status_code == 200
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": {"ok": True}, "redis": {"ok": True}}
    assert c.get("/healthz").status_code == 503  # no worker runs in this test
    # On a host no firm answers to, the probes still answer (a load balancer calls the bare IP).
    bare = client_for(host="10.0.0.9")
    assert bare.get("/livez").status_code == 200 and bare.get("/readyz").status_code == 200


def test_readyz_is_503_when_redis_is_down(client_for, firms, private_redis):
    c = client_for(firms.a.firm)
    private_redis.stop()
    resp = c.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["checks"]["redis"]["ok"] is False
    assert c.get("/livez").status_code == 200
    private_redis.start()
    assert c.get("/readyz").status_code == 200


def test_metrics_need_the_token_and_do_not_exist_without_one(app, client_for, firms):
    c = client_for(firms.a.firm)
    assert c.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    try:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None


def test_metrics_move_with_the_system(app, client_for, firms, metrics_on):
    f = firms.a
    c = client_for(f.firm)
    before = _scrape(c)
    assert before['portal_metrics_source_up{source="database"}'] == 1
    assert before['portal_metrics_source_up{source="redis"}'] == 1

    # Requests are counted by endpoint (never by raw path).
    c.get("/login")
    c.get("/login")
    after = _scrape(c)
    key = 'portal_http_requests_total{endpoint="auth.login",method="GET",status="200"}'
    assert after[key] - before.get(key, 0) == 2
    assert not any("/login" in name for name in after)

    # A message written and not yet sent is pending.
    from tests.support.fixtures.worker import with_test_templates

    with with_test_templates(app):
        send_plain(app, f.firm, f.candidate)
    assert _scrape(c)["portal_outbox_pending_messages"] == before["portal_outbox_pending_messages"] + 1

    # A candidate in an active search who has heard nothing for longer than the cadence.
    person = make_candidate(app, f.firm, with_login=False, name="Silent Sam", email="sam@example.com")
    add(app, f, make_search(app, f), person, Stage.SCREENING)
    with firm_context(app, f.firm) as s:
        s.get(Candidate, person.id).last_contacted_at = utcnow() - timedelta(days=f.firm.cadence_days + 3)
    assert _scrape(c)["portal_promise_active_past_cadence"] == before["portal_promise_active_past_cadence"] + 1

    # A held interview without feedback is owed; once the candidate was told "still waiting", overdue.
    from portal.models import Candidacy, Interview
    from tests.support.interviews import make_interview

    with firm_context(app, f.firm) as s:
        cy = s.scalars(select(Candidacy).where(Candidacy.candidate_id == person.id)).one()
    iv = make_interview(app, f, cy, utcnow() - timedelta(days=5))
    owed = _scrape(c)
    assert owed["portal_promise_interviews_owed_feedback"] == before["portal_promise_interviews_owed_feedback"] + 1
    assert owed["portal_promise_interviews_feedback_overdue"] == before["portal_promise_interviews_feedback_overdue"]
    with firm_context(app, f.firm) as s:
        s.get(Interview, iv.id).waiting_notice_at = utcnow()
    overdue = _scrape(c)["portal_promise_interviews_feedback_overdue"]
    assert overdue == before["portal_promise_interviews_feedback_overdue"] + 1


def test_a_worker_going_away_shows_in_the_metrics(app, client_for, firms, metrics_on):
    from rq import Worker

    from portal.extensions import MESSAGES, get_queue, get_redis, queue_name

    c = client_for(firms.a.firm)
    label = f'portal_workers{{queue="{queue_name(MESSAGES, app)}"}}'
    base = _scrape(c)[label]
    w = Worker([get_queue(MESSAGES, app)], connection=get_redis(app), name=f"w-metrics-{os.getpid()}")
    w.register_birth()
    try:
        assert _scrape(c)[label] == base + 1
    finally:
        w.register_death()
    assert _scrape(c)[label] == base


@pytest.mark.slow
def test_request_counts_add_up_across_gunicorn_workers(app, firms, tmp_path):
    from portal.devtools.harness import free_port

    port = free_port()
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = process_env(app, PORTAL_METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(multiproc), WEB_CONCURRENCY="2")
    env["PORTAL_BIND"] = f"127.0.0.1:{port}"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:portal.web.gunicorn_conf",
            "--max-requests",
            "10",
            "portal:create_app()",
        ],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    host = {"Host": f"{firms.a.firm.slug}.localhost"}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/readyz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        before = _parse(
            requests.get(f"{base}/metrics", headers={**host, "Authorization": f"Bearer {TOKEN}"}, timeout=10).text
        )
        for _ in range(40):  # new connections: the two workers share them
            resp = requests.get(f"{base}/livez", headers={**host, "Connection": "close"}, timeout=60)
            assert resp.status_code == 200
        text = requests.get(f"{base}/metrics", headers={**host, "Authorization": f"Bearer {TOKEN}"}, timeout=10).text
        values = _parse(text)
        key = 'portal_http_requests_total{endpoint="health.livez",method="GET",status="200"}'
        assert values[key] - before.get(key, 0) == 40, {k: v for k, v in values.items() if "livez" in k}
        # Each worker is replaced after 10 requests: several processes answered, and the counts of
        # those that exited are still added up.
        assert len(list(multiproc.glob("counter_*.db"))) >= 4
        assert values['portal_metrics_source_up{source="database"}'] == 1
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
