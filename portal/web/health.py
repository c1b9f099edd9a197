"""Health for three readers. /livez: the process answers (a supervisor restarts it otherwise).
/readyz: this web server can serve (database and Redis answer): what a load balancer polls, so a
stopped worker never drains the web servers. /healthz: the whole system including the worker
heartbeat, for humans and monitors (503 when any part is down). They only report; nothing is
repaired here."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify
from sqlalchemy import text

from portal import transaction
from portal.extensions import db, get_redis
from portal.models import utcnow

bp = Blueprint("health", __name__)
HEARTBEAT_MAX_AGE = timedelta(seconds=120)


def check_database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise
        transaction.rollback()  # the failed statement must not leave the request's session unusable
        return {"ok": False, "error": type(exc).__name__}


def check_redis() -> dict:
    try:
        get_redis().ping()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def check_worker() -> dict:
    """Healthy when an RQ worker of this install has sent a heartbeat recently."""
    from rq import Worker

    from portal.extensions import MESSAGES, queue_name

    try:
        workers = Worker.all(connection=get_redis())
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}
    wanted = queue_name(MESSAGES)
    now = utcnow()
    alive = [
        w
        for w in workers
        if wanted in w.queue_names()
        and w.last_heartbeat
        and now - w.last_heartbeat.replace(tzinfo=now.tzinfo) < HEARTBEAT_MAX_AGE
    ]
    if not alive:
        return {"ok": False, "error": "no worker heartbeat in the last 2 minutes"}
    return {"ok": True, "workers": len(alive)}


@bp.route("/livez")
def livez():
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    checks = {"database": check_database(), "redis": check_redis()}
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), (200 if ok else 503)


@bp.route("/healthz")
def healthz():
    checks = {"database": check_database(), "redis": check_redis()}
    checks["worker"] = check_worker() if checks["redis"]["ok"] else {"ok": False, "error": "redis unavailable"}
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "degraded", checks=checks), (200 if ok else 503)
