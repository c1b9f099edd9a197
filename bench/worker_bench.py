"""The worker's benchmark (not run by `make test`):

1. Planning check-ins for 100,000 active candidacies (70,000 candidates, bulk-inserted with
   Core inserts): `portal.services.cadence.plan_checkins` at the weekly slot, then the
   hourly safety-net run that finds nobody.
2. Delivering 10,000 messages into a local SMTP sink with one and with two `python -m worker`
   processes (batch jobs: one SMTP session per batch, one claim per message), next to raw
   smtplib sending the same emails over one reused connection (the ceiling).

    .venv/bin/python -m bench.worker_bench                 # SQLite (a temporary file)
    .venv/bin/python -m bench.worker_bench --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.worker_bench --candidacies 20000 --messages 2000   # quicker

It writes the figures and the command into the "Worker" section of docs/PERFORMANCE.md.
`run(db_url=None, log=print)` returns the figures (used by `python -m bench`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "PERFORMANCE.md")
CHUNK = 10_000
HISTORY = "### History"  # the Worker section's hand-written part, kept when the figures are rewritten


# ---------------------------------------------------------------- services


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CountingSink:
    """aiosmtpd on loopback counting messages per Message-ID (to catch duplicates)."""

    def __init__(self):
        self.port = free_port()
        self.ids: dict[str, int] = {}
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        data = envelope.original_content or envelope.content
        m = re.search(rb"(?im)^Message-ID:\s*(<[^>]+>)", data)
        key = m.group(1).decode() if m else uuid.uuid4().hex
        with self.lock:
            self.ids[key] = self.ids.get(key, 0) + 1
        return "250 OK"

    @property
    def count(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    def reset(self) -> None:
        with self.lock:
            self.ids.clear()

    def start(self) -> CountingSink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def fresh_database(db_url: str | None) -> tuple[str, callable]:
    """A new, empty database: a temporary SQLite file, or a fresh PostgreSQL database on the
    server of `db_url` (dropped afterwards). Never writes into an existing database."""
    if db_url and db_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(db_url)
        name = f"portal_worker_bench_{os.getpid()}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()

        return url.set(database=name).render_as_string(hide_password=False), drop
    folder = tempfile.mkdtemp(prefix="portal-worker-bench-")
    path = os.path.join(folder, "bench.db")

    def remove() -> None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)

    return f"sqlite:///{path}", remove


def make_app(db_url: str, redis_url: str, smtp_port: int, prefix: str):
    from portal import create_app

    instance = tempfile.mkdtemp(prefix="portal-worker-bench-instance-")
    return create_app(
        {
            "PORTAL_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "REDIS_URL": redis_url,
            "QUEUE_PREFIX": prefix,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_port,
            "SMTP_SECURITY": "none",
            "INSTANCE_DIR": instance,
            "RATELIMIT_ENABLED": False,
            "GRACE_SECONDS": 0,
        }
    )


# ---------------------------------------------------------------- data


def bulk_insert(conn, table, rows) -> None:
    from sqlalchemy import insert

    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[i : i + CHUNK])


def load_pipeline(app, candidacies: int, seed: int = 1) -> dict:
    """One firm, its recruiters, clients and searches, and `candidacies` active candidacies
    over about 0.7 x as many candidates (some in two or three searches)."""
    from portal.extensions import db
    from portal.models import Candidacy, Candidate, Client, Consent, Firm, Search, Stage, User
    from portal.models.candidate import new_unsubscribe_token
    from portal.services.cadence import CHECKIN_STAGES

    rng = random.Random(seed)
    now = datetime.now(UTC)
    n_candidates = max(1, int(candidacies * 0.7))
    n_searches = max(10, candidacies // 50)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            conn.execution_options(all_firms=True)  # a bulk load over the whole database
            firm_id = conn.execute(
                Firm.__table__.insert()
                .values(name="Bench Search", slug="bench", timezone="Europe/Berlin", created_at=now)
                .returning(Firm.__table__.c.id)
            ).scalar_one()
            bulk_insert(
                conn,
                User.__table__,
                [
                    {
                        "firm_id": firm_id,
                        "email": f"recruiter{i}@bench.example",
                        "name": f"Recruiter {i}",
                        "role": "recruiter",
                        "active": True,
                        "created_at": now,
                    }
                    for i in range(40)
                ],
            )
            users = [r[0] for r in conn.execute(User.__table__.select().with_only_columns(User.__table__.c.id))]
            bulk_insert(
                conn,
                Client.__table__,
                [{"firm_id": firm_id, "name": f"Client {i}", "created_at": now} for i in range(500)],
            )
            clients = [r[0] for r in conn.execute(Client.__table__.select().with_only_columns(Client.__table__.c.id))]
            bulk_insert(
                conn,
                Search.__table__,
                [
                    {
                        "firm_id": firm_id,
                        "client_id": rng.choice(clients),
                        "owner_id": rng.choice(users),
                        "title": f"Role {i}",
                        "confidential": rng.random() < 0.2,
                        "state": "on_hold" if i % 10 == 0 else "open",
                        "remote_policy": "hybrid",
                        "pay_currency": "EUR",
                        "engagement": "retained",
                        "anticipated": False,
                        "description_md": "",
                        "description_html": "",
                        "requirements_md": "",
                        "requirements_html": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(n_searches)
                ],
            )
            searches = [r[0] for r in conn.execute(Search.__table__.select().with_only_columns(Search.__table__.c.id))]
            bulk_insert(
                conn,
                Candidate.__table__,
                [
                    {
                        "firm_id": firm_id,
                        "name": f"Candidate {i}",
                        "email": f"c{i}@bench.example",
                        "owner_id": rng.choice(users),
                        "job_seeking": "open",
                        "remote_preference": "any",
                        "pay_currency": "EUR",
                        "suggestion_frequency": "weekly",
                        "allow_availability_prompts": True,
                        "unsubscribed_all": False,
                        "unsubscribe_token": new_unsubscribe_token(),
                        "email_failures": 0,
                        "email_suppressed": False,
                        "created_at": now - timedelta(days=60),
                        "updated_at": now,
                        # most last heard more than a week ago; a tenth recently
                        "last_contacted_at": now
                        - timedelta(days=rng.uniform(1, 6) if rng.random() < 0.1 else rng.uniform(8, 30)),
                    }
                    for i in range(n_candidates)
                ],
            )
            cand_ids = [
                r[0] for r in conn.execute(Candidate.__table__.select().with_only_columns(Candidate.__table__.c.id))
            ]
            pairs: set[tuple[int, int]] = set()
            for cid in cand_ids:  # everyone in at least one search
                pairs.add((cid, rng.choice(searches)))
            while len(pairs) < candidacies:
                pairs.add((rng.choice(cand_ids), rng.choice(searches)))
            stages = [s.value for s in CHECKIN_STAGES]
            rows = []
            for cid, sid in pairs:
                created = now - timedelta(days=rng.uniform(10, 90))
                rows.append(
                    {
                        "firm_id": firm_id,
                        "search_id": sid,
                        "candidate_id": cid,
                        "stage": rng.choice(stages),
                        "version": 1,
                        "created_at": created,
                        "stage_changed_at": created,
                    }
                )
            bulk_insert(conn, Candidacy.__table__, rows)
            cy_t = Candidacy.__table__
            some = conn.execute(
                cy_t.select()
                .with_only_columns(cy_t.c.id, cy_t.c.candidate_id, cy_t.c.search_id)
                .limit(candidacies // 20)
            ).all()
            bulk_insert(
                conn,
                Consent.__table__,
                [
                    {
                        "firm_id": firm_id,
                        "candidacy_id": cy,
                        "candidate_id": cid,
                        "search_id": sid,
                        "state": "approved",
                        "requested_at": now,
                        "client_name": "Client",
                        "role_title": "Role",
                    }
                    for cy, cid, sid in some
                ],
            )
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execution_options(all_firms=True)  # a bulk load over the whole database
                conn.exec_driver_sql("ANALYZE")
    _ = Stage  # (stages come from CHECKIN_STAGES)
    return {"firm_id": firm_id, "candidates": n_candidates, "candidacies": candidacies, "searches": n_searches}


# ---------------------------------------------------------------- 1. planning


def bench_planning(app, firm_id: int, log=print) -> dict:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Message
    from portal.services import cadence
    from portal.tenancy import as_firm

    out = {}
    with app.app_context():
        with as_firm(firm_id):
            firm = cadence.load_firm(firm_id)
            now = datetime.now(UTC)
            _last, nxt = cadence.checkin_slots(firm, now)
            t, cpu = time.perf_counter(), time.process_time()
            written = cadence.plan_checkins(firm, now, horizon=nxt)
            out["checkin_plan_seconds"] = time.perf_counter() - t
            t = time.perf_counter()
            db.session.commit()  # the enqueue (batch jobs) runs after the commit
            out["checkin_commit_and_enqueue_seconds"] = time.perf_counter() - t
            out["checkin_cpu_seconds"] = time.process_time() - cpu
            out["checkin_total_seconds"] = out["checkin_plan_seconds"] + out["checkin_commit_and_enqueue_seconds"]
            out["checkins_written"] = written
            out["messages_in_table"] = db.session.scalar(select(func.count(Message.id)))
            t = time.perf_counter()
            again = cadence.plan_checkins(
                firm, now + timedelta(hours=1), horizon=now + timedelta(hours=1) + cadence.tick_horizon()
            )
            out["hourly_safety_net_seconds"] = time.perf_counter() - t
            out["hourly_safety_net_written"] = again
            db.session.rollback()
    log(
        f"  check-ins: {out['checkins_written']:,} written in {out['checkin_plan_seconds']:.1f} s "
        f"(+{out['checkin_commit_and_enqueue_seconds']:.1f} s commit and enqueue; "
        f"{out['checkin_cpu_seconds']:.1f} s of CPU); hourly run with nobody due "
        f"{out['hourly_safety_net_seconds']:.2f} s"
    )
    return out


# ---------------------------------------------------------------- 2. delivery


def _pending_messages(app, firm_id: int, n: int) -> list[int]:
    from sqlalchemy import delete, select, update

    from portal.extensions import db
    from portal.models import Candidate, Message, Stage
    from portal.outbox import EmailRenderer
    from portal.services import cadence
    from portal.tenancy import as_firm

    with app.app_context():
        with as_firm(firm_id):
            firm = cadence.with_domains(cadence.load_firm(firm_id))
            subject, text, html = EmailRenderer(firm, "checkin").render(
                candidate_name="Ada",
                to_name="Ada",
                portal_url=None,
                items=[
                    {
                        "title": "Staff Engineer",
                        "client": "Initech",
                        "stage": Stage.INTERVIEWING,  # the email says its words (email/checkin.*)
                        "unchanged": True,
                        "recruiter": "Rita",
                    }
                ],
            )
            cands = db.session.execute(select(Candidate.id, Candidate.email, Candidate.name).limit(n)).all()
        with db.engine.begin() as conn:
            conn.execution_options(all_firms=True)  # a bulk load over the whole database
            conn.execute(delete(Message.__table__))
            conn.execute(update(Candidate.__table__).values(email_failures=0, email_suppressed=False))
            now = datetime.now(UTC)
            rows = [
                {
                    "firm_id": firm_id,
                    "kind": "checkin",
                    "audience": "candidate",
                    "candidate_id": c.id,
                    "to_email": c.email,
                    "to_name": c.name,
                    "subject": subject,
                    "body_text": text,
                    "body_html": html,
                    "dedupe_key": f"bench:{uuid.uuid4().hex}",
                    "state": "pending",
                    "attempts": 0,
                    "due_at": now,
                    "enqueued_at": now,
                    "created_at": now,
                    "show_in_portal": True,
                }
                for c in (cands * (n // max(len(cands), 1) + 1))[:n]
            ]
            bulk_insert(conn, Message.__table__, rows)
            return conn.execute(select(Message.__table__.c.id).order_by(Message.__table__.c.id)).scalars().all()


def _run_workers(app, workers: int, redis_url: str, smtp_port: int, log=print) -> float:
    env = dict(
        os.environ,
        PORTAL_ENV="testing",
        PORTAL_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PORTAL_REDIS_URL=redis_url,
        PORTAL_SMTP_PORT=str(smtp_port),
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_QUEUE_PREFIX=app.config["QUEUE_PREFIX"],
        PORTAL_INSTANCE_DIR=app.config["INSTANCE_DIR"],
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "worker", "--queue", "messages", "--burst"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for _ in range(workers)
    ]
    for p in procs:
        p.wait(1800)
    return 0.0


def bench_delivery(app, firm_id: int, sink: CountingSink, redis_url: str, n: int, log=print) -> dict:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Message, MessageState
    from portal.outbox import enqueue_delivery
    from worker import mailer

    out: dict = {"messages": n}
    # The ceiling: raw smtplib, the same emails, one reused connection.
    ids = _pending_messages(app, firm_id, n)
    with app.app_context():
        from portal.services import cadence
        from portal.tenancy import as_firm

        with as_firm(firm_id):
            firm = cadence.with_domains(cadence.load_firm(firm_id))
            sample = db.session.get(Message, ids[0])
            db.session.expunge(sample)
        emails = []
        for mid in ids:
            sample.id = mid
            emails.append(mailer.build_email(firm, sample))
    sink.reset()
    t = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as conn:
        for em in emails:
            conn.send_message(em)
    out["raw_smtplib_per_second"] = n / (time.perf_counter() - t)
    log(f"  raw smtplib, one connection: {out['raw_smtplib_per_second']:,.0f} messages/s")

    for workers in (1, 2):
        ids = _pending_messages(app, firm_id, n)
        sink.reset()
        from redis import Redis

        Redis.from_url(redis_url).flushdb()
        t = time.perf_counter()
        with app.app_context():
            enqueue_delivery(ids, app)  # batch jobs of DELIVERY_BATCH_SIZE
        _run_workers(app, workers, redis_url, sink.port, log)
        elapsed = time.perf_counter() - t
        with app.app_context():
            sent = db.session.scalar(
                select(func.count(Message.id))
                .where(Message.state == MessageState.SENT)
                .execution_options(all_firms=True)
            )
        dupes = sum(c - 1 for c in sink.ids.values() if c > 1)
        rate = sent / elapsed
        out[f"workers_{workers}"] = {
            "seconds": elapsed,
            "sent": sent,
            "per_second": rate,
            "duplicates": dupes,
            "ratio_to_smtplib": rate / out["raw_smtplib_per_second"],
        }
        log(
            f"  {workers} worker(s): {sent:,} sent in {elapsed:.1f} s = {rate:,.0f}/s "
            f"({rate / out['raw_smtplib_per_second']:.2f} of raw smtplib), {dupes} duplicates"
        )
    # For comparison: one job per message (what a lone message gets right after its commit).
    small = min(n, 1000)
    ids = _pending_messages(app, firm_id, small)
    from redis import Redis
    from rq import Queue

    from portal.extensions import MESSAGES, get_queue
    from portal.outbox import DELIVER, JOB_TIMEOUT

    Redis.from_url(redis_url).flushdb()
    t = time.perf_counter()
    with app.app_context():
        get_queue(MESSAGES, app).enqueue_many(
            [Queue.prepare_data(DELIVER, args=(mid,), timeout=JOB_TIMEOUT) for mid in ids]
        )
    _run_workers(app, 1, redis_url, sink.port, log)
    elapsed = time.perf_counter() - t
    out["single_jobs_1_worker"] = {"messages": small, "per_second": small / elapsed}
    log(f"  1 worker, one job per message: {small / elapsed:,.0f}/s")
    out["delivery_ratio"] = out["workers_2"]["ratio_to_smtplib"]
    return out


# ---------------------------------------------------------------- report


def write_section(results: dict, command: str) -> None:
    p, d = results["planning"], results["delivery"]
    db = results["database"]
    body = f"""
Measured with `{command}` ({db}, {results["machine"]}), on {results["date"]}; the
machine was shared ({results["load_before"]} before the run, {results["load_after"]} after),
so wall-clock times are pessimistic: the CPU time shows the work itself.

**Planning check-ins** for {results["data"]["candidacies"]:,} active candidacies
({results["data"]["candidates"]:,} candidates, {results["data"]["searches"]:,} searches), most of them
last contacted more than a week ago (`portal.services.cadence.plan_checkins` at the weekly slot:
one set-based query, rendering each distinct check-in once with the name filled in per
candidate, one bulk INSERT):

| Step | Result |
| --- | --- |
| check-ins written | {p["checkins_written"]:,} |
| check-in planning (query + render + insert) | {p["checkin_plan_seconds"]:.1f} s |
| commit + enqueue (batch jobs) | {p["checkin_commit_and_enqueue_seconds"]:.1f} s |
| total (target: under 30 s) | {p["checkin_total_seconds"]:.1f} s |
| CPU time of the planning process | {p["checkin_cpu_seconds"]:.1f} s |
| hourly safety-net run, nobody due | {p["hourly_safety_net_seconds"]:.2f} s |

**Delivering {d["messages"]:,} messages** into a local SMTP sink (aiosmtpd on loopback), from the
enqueue to the last worker exiting (`python -m worker --queue messages --burst`, which runs
the jobs inside the worker process; jobs of {results["batch_size"]} messages, each claimed, sent and
recorded on its own). The ceiling's smtplib client shares its process (and GIL) with the sink;
the workers do not, which is how two of them can pass it:

| Sender | Messages/s | Share of raw smtplib |
| --- | --- | --- |
| raw smtplib, one reused connection (the ceiling) | {d["raw_smtplib_per_second"]:,.0f} | 1.00 |
| 1 worker, batch jobs | {d["workers_1"]["per_second"]:,.0f} | {d["workers_1"]["ratio_to_smtplib"]:.2f} |
| 2 workers, batch jobs | {d["workers_2"]["per_second"]:,.0f} | {d["workers_2"]["ratio_to_smtplib"]:.2f} |
| 1 worker, one job per message ({d["single_jobs_1_worker"]["messages"]:,} messages) | {d["single_jobs_1_worker"]["per_second"]:,.0f} | {d["single_jobs_1_worker"]["per_second"] / d["raw_smtplib_per_second"]:.2f} |

Duplicates at the sink (by Message-ID): {d["workers_1"]["duplicates"]} and {d["workers_2"]["duplicates"]}.
Each message costs two short transactions (the claim before the send, the outcome after it),
which is what keeps a crash from losing or repeating it; batching saves the job and the SMTP
handshake per message, the email is serialised directly (`mailer.build_raw`) and the
per-message statements are built once (Core, bound values). A lone message is still enqueued
on its own right after its commit, so it goes out at once; the relay and the planners enqueue
batches.
"""
    text = open(DOC).read() if os.path.exists(DOC) else "# Performance\n"
    parts = re.split(r"(?m)^## (.+?)\s*$", text)
    pre, sections = parts[0], [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]
    if any(t == "Worker" for t, _ in sections):
        # a hand-written "### History" (before/after notes) below the figures is kept
        sections = [
            (t, (body.rstrip("\n") + "\n\n" + b[b.index(HISTORY) :] if HISTORY in b else body) if t == "Worker" else b)
            for t, b in sections
        ]
    else:
        sections.append(("Worker", body))
    out = pre.rstrip("\n") + "\n\n" + "".join(f"## {t}\n\n{b.strip(chr(10))}\n\n" for t, b in sections)
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    with open(DOC, "w") as fh:
        fh.write(out.rstrip("\n") + "\n")


def _load() -> str:
    try:
        return "load average " + open("/proc/loadavg").read().split()[0]
    except OSError:
        return "load average unknown"


def _machine() -> str:
    from bench.report import machine

    facts = machine()
    cpu = facts["cpu"]
    return f"{facts['cores']} CPUs{', ' + cpu if cpu else ''}, Python {facts['python']}"


def run(
    db_url: str | None = None,
    log=print,
    candidacies: int = 100_000,
    messages: int = 10_000,
    write: bool = True,
    command: str = "python -m bench.worker_bench",
) -> dict:
    """Run both benchmarks on a fresh database (never on `db_url` itself: a PostgreSQL URL
    only names the server to create a scratch database on)."""
    sys.path.insert(0, ROOT)
    from portal.devtools.harness import start_redis

    url, drop = fresh_database(db_url)
    rport = free_port()
    redis = start_redis(rport)
    redis_url = f"redis://127.0.0.1:{rport}/0"
    sink = CountingSink().start()
    results: dict = {
        "database": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        "machine": _machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    results["load_before"] = _load()
    try:
        app = make_app(url, redis_url, sink.port, prefix=f"wb{os.getpid()}")
        results["batch_size"] = app.config["DELIVERY_BATCH_SIZE"]
        log(f"worker benchmark on {results['database']}: loading {candidacies:,} active candidacies ...")
        t = time.perf_counter()
        data = load_pipeline(app, candidacies)
        log(f"  loaded in {time.perf_counter() - t:.1f} s")
        results["data"] = data
        results["planning"] = bench_planning(app, data["firm_id"], log)
        results["delivery"] = bench_delivery(app, data["firm_id"], sink, redis_url, messages, log)
        results["load_after"] = _load()
        results["checkin_seconds"] = results["planning"]["checkin_total_seconds"]
        results["delivery_ratio"] = results["delivery"]["delivery_ratio"]
        if write:
            write_section(results, command)
            log(f"  wrote the Worker section of {os.path.relpath(DOC, ROOT)}")
        with app.app_context():
            from portal.extensions import db

            db.engine.dispose()
    finally:
        sink.stop()
        redis.terminate()
        redis.wait(10)
        drop()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.worker_bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", metavar="URL", help="benchmark on a scratch database on this server")
    parser.add_argument("--candidacies", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    command = "python -m bench.worker_bench" + (" --postgres URL" if args.postgres else "")
    if args.candidacies != 100_000 or args.messages != 10_000:
        command += f" --candidacies {args.candidacies} --messages {args.messages}"
    run(args.postgres, candidacies=args.candidacies, messages=args.messages, write=not args.no_write, command=command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
