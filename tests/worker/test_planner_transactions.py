"""Trust item 10: the planner writes in short transactions. On SQLite one long write
transaction made a request (or a second planner) wait past its busy timeout and fail with
"database is locked"; now each chunk commits on its own, and two planners running at once
neither fail nor plan anything twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Candidacy, Candidate, Message, Role, Stage, User, utcnow
from tests.factories import firm_context
from tests.support.worker import make_search
from worker import jobs

PEOPLE = 8000  # enough for the old planner to hold the write lock for several seconds, even on a quiet
# machine (4,000 planned in 1.2 s here, too short for the test to mean anything)
WRITER_TIMEOUT = 1.0  # the concurrent writer's busy timeout (seconds)


def _crowd(app, firm, search, n):
    """n candidates with a portal login, active in the search, unheard of for 13 weeks:
    each is due a check-in and an availability prompt; the recruiter's digest lists them."""
    long_ago = utcnow() - timedelta(weeks=13)
    with firm_context(app, firm) as s:
        users = [
            User(
                firm_id=firm.id,
                email=f"crowd{i}@{firm.slug}.example",
                name=f"Crowd {i}",
                role=Role.CANDIDATE,
                password_hash="x",
                created_at=long_ago,
            )
            for i in range(n)
        ]
        s.add_all(users)
        s.flush()
        people = [
            Candidate(
                firm_id=firm.id,
                user_id=u.id,
                name=u.name,
                email=u.email,
                created_at=long_ago,
                last_contacted_at=long_ago,
            )
            for u in users
        ]
        s.add_all(people)
        s.flush()
        s.add_all(
            Candidacy(
                firm_id=firm.id,
                candidate_id=c.id,
                search_id=search.id,
                stage=Stage.SCREENING,
                created_at=long_ago,
                stage_changed_at=long_ago,
            )
            for c in people
        )
        return [c.id for c in people]


class Writer(threading.Thread):
    """A request's small write, every 50 ms, on its own connection with a short busy timeout."""

    def __init__(self, app, candidate_ids):
        super().__init__(daemon=True)
        self.app, self.ids = app, candidate_ids
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.writes = 0
        self.longest = 0.0

    def run(self):
        url = self.app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite"):
            conn = sqlite3.connect(url.split("sqlite:///", 1)[1], timeout=WRITER_TIMEOUT, isolation_level=None)
            sql, lock_timeout = "UPDATE candidates SET headline = ? WHERE id = ?", None
        else:  # PostgreSQL: waiting for a row the planner keeps locked is the same failure
            with self.app.app_context():
                conn = db.engine.raw_connection()
            sql, lock_timeout = "UPDATE candidates SET headline = %s WHERE id = %s", f"{int(WRITER_TIMEOUT * 1000)}ms"
        try:
            if lock_timeout:
                cur = conn.cursor()
                cur.execute(f"SET lock_timeout = '{lock_timeout}'")
                conn.commit()
            i = 0
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    cur = conn.cursor()
                    if lock_timeout is None:
                        cur.execute("BEGIN")
                    cur.execute(sql, (f"write {i}", self.ids[i % len(self.ids)]))
                    if lock_timeout is None:
                        cur.execute("COMMIT")
                    else:
                        conn.commit()
                    self.writes += 1
                except Exception as exc:  # noqa: BLE001 - what a request would have shown as a 500
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    try:
                        conn.rollback() if lock_timeout else cur.execute("ROLLBACK")
                    except Exception:  # noqa: BLE001
                        pass
                self.longest = max(self.longest, time.perf_counter() - started)
                i += 1
                time.sleep(0.05)
        finally:
            conn.close()


def test_a_request_and_a_second_planner_write_while_the_planner_runs(app, firms):
    a = firms.a
    search = make_search(app, a.firm, owner=a.recruiter)
    ids = _crowd(app, a.firm, search, PEOPLE)
    writer = Writer(app, ids)
    results, failures = [], []

    def planner():
        try:
            results.append(jobs.plan_firm(a.firm.id))
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{type(exc).__name__}: {exc}")

    writer.start()
    first = threading.Thread(target=planner)
    second = threading.Thread(target=planner)
    started = time.perf_counter()
    first.start()
    time.sleep(0.3)
    second.start()
    first.join(300)
    second.join(300)
    took = time.perf_counter() - started
    writer.stop.set()
    writer.join(30)

    assert failures == [], failures
    assert writer.errors == [], (
        f"{len(writer.errors)} of {writer.writes + len(writer.errors)} writes failed "
        f"while the planners ran ({took:.1f} s; longest write {writer.longest:.2f} s): {writer.errors[:3]}"
    )
    assert writer.writes > 0 and took > 2 * WRITER_TIMEOUT, (writer.writes, took)
    # Both planners ran every part, and nothing was planned twice.
    assert len(results) == 2
    with firm_context(app, a.firm) as s:
        per_kind = Counter(dict(s.execute(select(Message.kind, func.count()).group_by(Message.kind)).all()))
        twice = s.execute(
            select(Message.kind, Message.candidate_id, Message.recipient_user_id, func.count())
            .group_by(Message.kind, Message.candidate_id, Message.recipient_user_id)
            .having(func.count() > 1)
        ).all()
    assert twice == []
    assert per_kind["checkin"] == PEOPLE and per_kind["availability_prompt"] == PEOPLE
    assert sum(r.get("checkins", 0) + r.get("overdue", 0) for r in results) == PEOPLE


def test_a_planner_stopped_midway_runs_again_safely(app, firms, monkeypatch):
    """A chunk is committed on its own; a crash after some chunks loses nothing and the
    next run writes only what is missing."""
    from portal.services import cadence

    a = firms.a
    search = make_search(app, a.firm, owner=a.recruiter)
    _crowd(app, a.firm, search, 120)
    monkeypatch.setattr(cadence, "CHUNK_CANDIDATES", 50)
    real = cadence.record_many
    calls = []

    def crash_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker was killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(cadence, "record_many", crash_on_the_third_chunk)
    try:
        jobs.plan_firm(a.firm.id)
    except RuntimeError:
        pass
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(func.count()).select_from(Message).where(Message.kind == "checkin")) == 100
    monkeypatch.setattr(cadence, "record_many", real)
    out = jobs.plan_firm(a.firm.id)
    assert out["checkins"] == 20
    with firm_context(app, a.firm) as s:
        assert s.scalar(select(func.count()).select_from(Message).where(Message.kind == "checkin")) == 120
        s.execute(update(Candidate).values(last_contacted_at=None))
    assert jobs.plan_firm(a.firm.id)["overdue"] == 0, "the same week: nothing twice"
