"""/healthz tells the truth about the database, Redis and the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from rq import Worker

from portal.extensions import DEFAULT, MESSAGES, get_queue, get_redis
from tests.support.worker import process_env


def _health(client):
    resp = client.get("/healthz")
    return resp.status_code, resp.get_json()


@pytest.mark.slow
def test_healthy_with_a_real_worker_then_not_without_it(app, client_for, firms, smtp_sink):
    c = client_for(firms.a.firm)
    status, body = _health(c)
    assert status == 503
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["ok"] is False

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "--queue", "messages"],
        env=process_env(app),
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            status, body = _health(c)
            if status == 200:
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
        assert status == 200, body
        assert body == {
            "status": "ok",
            "checks": {"database": {"ok": True}, "redis": {"ok": True}, "worker": {"ok": True, "workers": 1}},
        }
        # The real worker also delivers: a reset sent through the web is received.
        c.post("/reset", data={"email": firms.a.candidate.email})
        assert len(smtp_sink.wait_for(1, timeout=20)) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    status, body = _health(c)
    assert status == 503 and body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False


def test_worker_of_another_queue_or_install_does_not_count(app, client_for, firms):
    c = client_for(firms.a.firm)
    other = Worker([get_queue(DEFAULT, app)], connection=get_redis(app), name=f"w-default-{os.getpid()}")
    other.register_birth()
    try:
        assert _health(c)[1]["checks"]["worker"]["ok"] is False
        mine = Worker([get_queue(MESSAGES, app)], connection=get_redis(app), name=f"w-messages-{os.getpid()}")
        mine.register_birth()
        try:
            assert _health(c)[0] == 200
        finally:
            mine.register_death()
    finally:
        other.register_death()
    assert _health(c)[0] == 503


def test_a_stale_heartbeat_is_not_a_live_worker(app, client_for, firms):
    from datetime import timedelta

    import time_machine

    from portal.models import utcnow

    w = Worker([get_queue(MESSAGES, app)], connection=get_redis(app), name=f"w-stale-{os.getpid()}", worker_ttl=3600)
    w.register_birth()
    try:
        c = client_for(firms.a.firm)
        assert _health(c)[0] == 200
        with time_machine.travel(utcnow() + timedelta(minutes=5), tick=False):
            status, body = _health(c)
        assert status == 503 and body["checks"]["worker"]["ok"] is False
    finally:
        w.register_death()


def test_redis_stopped_is_reported(app, client_for, firms, private_redis):
    c = client_for(firms.a.firm)
    w = Worker([get_queue(MESSAGES, app)], connection=get_redis(app), name=f"w-redis-{os.getpid()}")
    w.register_birth()
    assert _health(c)[0] == 200
    private_redis.stop()
    status, body = _health(c)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["worker"]["ok"] is False
    # Pages that do not need Redis keep working.
    assert c.get("/login").status_code == 200
    private_redis.start()
    status, body = _health(c)
    assert body["checks"]["redis"] == {"ok": True}


def test_healthz_needs_no_firm(app, client_for, firms):
    for host in ("127.0.0.1", "unknown.example", "alpha.localhost"):
        resp = client_for(host=host).get("/healthz")
        assert resp.status_code in (200, 503)
        assert resp.is_json and "Alpha" not in resp.get_data(as_text=True)


def test_database_down_is_reported(make_app, client_for, app):
    other = make_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    with other.test_client() as c:
        resp = c.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["database"]["ok"] is False
    assert resp.get_json()["checks"]["redis"]["ok"] is True
