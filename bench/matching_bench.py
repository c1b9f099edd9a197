"""Matching benchmark: top 10 roles for a candidate and top 50 candidates for a search, on a
generated firm (100,000 candidates, 10,000 searches, 2,000 skills by default).

    .venv/bin/python -m bench.matching_bench --db sqlite
    .venv/bin/python -m bench.matching_bench --db postgres

SQLite uses a file under /tmp (kept with --keep and reused with --reuse). PostgreSQL uses a
fresh database `portal_bench_matching` on --pg-url, dropped at the end unless --keep.
Each query runs in a fresh session with the candidate or search already loaded (as a view
has it), so the time is the service call: SQL, scoring, loading the results.

After generating (or reusing) the firm it builds the match pools of the large open searches,
as `portal matching pools` or the worker's hourly plan would after a bulk load, and reports
how long that took. candidates_for_search is measured twice: as the site runs (searches with a
pool read it) and live (every search aggregated, as right after a search's skills change
before its pool is built). --no-pools skips the pools.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import create_engine, event, select, text

from bench.dataset import Sizes, analyse, generate

PG_DB = "portal_bench_matching"
SQLITE_PATH = os.path.join(tempfile.gettempdir(), "portal_bench_matching.sqlite")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@contextmanager
def postgres_database(base_url: str, name: str, keep: bool, reuse: bool):
    admin = create_engine(base_url.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        fresh = not (exists and reuse)
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rstrip("/") + "/" + name, fresh
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_database(path: str, keep: bool, reuse: bool):
    fresh = not (reuse and os.path.exists(path))
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    try:
        yield f"sqlite:///{path}", fresh
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPU ({cpu}), {mem}, Python {platform.python_version()}"


def cpu_calibration() -> float:
    """Milliseconds of CPU for a fixed pure-Python loop: how fast (or how contended) this
    machine is right now, to compare runs taken at different times."""
    t0 = time.thread_time()
    total = 0
    for i in range(1_000_000):
        total += i
    return round((time.thread_time() - t0) * 1000, 1)


def run(url: str, fresh: bool, args) -> dict:
    from sqlalchemy import func
    from sqlalchemy.orm.attributes import set_committed_value

    from portal import create_app, transaction
    from portal.extensions import db
    from portal.models import Candidate, Firm, MatchPool, Search, SearchState
    from portal.services import matching
    from portal.services.matching import pools as match_pools
    from portal.tenancy import bind_firm

    app = create_app(
        {
            "PORTAL_ENV": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": os.path.join(tempfile.gettempdir(), "portal-bench-instance"),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )
    sizes = Sizes(candidates=args.candidates, searches=args.searches, vocabulary=args.vocabulary)
    result: dict = {
        "db": args.db,
        "sizes": sizes.__dict__,
        "seed": args.seed,
        "queries": args.queries,
        "repeat": args.repeat,
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    with app.app_context():
        engine = db.engine
        result["server"] = engine.dialect.name + " " + ".".join(map(str, engine.dialect.server_version_info or ()))
        if fresh:
            db.create_all()
            t0 = time.perf_counter()
            gen = generate(engine, sizes, seed=args.seed, progress=lambda m: print("  " + m, flush=True))
            result["generate_seconds"] = round(time.perf_counter() - t0, 1)
            result["rows"] = gen.rows
        firm_id = db.session.execute(select(Firm.id).where(Firm.slug == "bench")).scalar_one()
        bind_firm(firm_id)
        if not args.no_pools:
            # What `portal matching pools` (and the worker's hourly plan) does after a bulk load.
            t0 = time.perf_counter()
            # Committed in steps, as the worker does: thousands of pools in one transaction would
            # hold SQLite's one writer for minutes.
            built = match_pools.maintain(db.session.get(Firm, firm_id), checkpoint=transaction.checkpoint)
            db.session.remove()
            if built["built"]:
                analyse(engine)  # as after the generator's bulk load (autovacuum would, soon)
            result["pools_seconds"] = round(time.perf_counter() - t0, 1)
            result["pools_built"] = built["built"]
            bind_firm(firm_id)
            result["pools"] = db.session.scalar(
                select(func.count())
                .select_from(Search)
                .where(Search.firm_id == firm_id, Search.pool_floor.is_not(None))
            )
            result["pool_rows"] = db.session.scalar(
                select(func.count()).select_from(MatchPool).where(MatchPool.firm_id == firm_id)
            )
            db.session.remove()
            bind_firm(firm_id)
        rng = random.Random(args.seed + 1)
        cand_ids = db.session.scalars(
            select(Candidate.id)
            .where(Candidate.firm_id == firm_id, Candidate.deleted_at.is_(None))
            .order_by(Candidate.id)
        ).all()
        search_ids = db.session.scalars(
            select(Search.id)
            .where(Search.firm_id == firm_id, Search.state.in_([SearchState.OPEN, SearchState.ON_HOLD]))
            .order_by(Search.id)
        ).all()
        db.session.remove()
        picks_c = rng.sample(cand_ids, min(args.queries + args.warmup, len(cand_ids)))
        picks_s = rng.sample(search_ids, min(args.queries + args.warmup, len(search_ids)))

        n_sql = [0]

        def count(*_a, **_k):
            n_sql[0] += 1

        event.listen(engine, "before_cursor_execute", count)

        def measure(ids, load, call):
            times, cpu, sizes_, queries = [], [], [], []
            for i, obj_id in enumerate(ids):
                session = db.session()
                bind_firm(firm_id)
                firm = session.get(Firm, firm_id)
                obj = session.get(load, obj_id)
                dt = dc = float("inf")
                for _ in range(args.repeat):  # best of N runs of the same query
                    n_sql[0] = 0
                    c0, t0 = time.thread_time(), time.perf_counter()
                    out = call(firm, obj)
                    dt = min(dt, (time.perf_counter() - t0) * 1000)
                    dc = min(dc, (time.thread_time() - c0) * 1000)
                if i >= args.warmup:
                    times.append(dt)
                    cpu.append(dc)
                    sizes_.append(len(out))
                    queries.append(n_sql[0])
                db.session.remove()
            return {
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "p99_ms": round(percentile(times, 99), 1),
                "max_ms": round(max(times), 1),
                "mean_ms": round(statistics.fmean(times), 1),
                "mean_results": round(statistics.fmean(sizes_), 1),
                "client_cpu_p50_ms": round(percentile(cpu, 50), 1),
                "client_cpu_p95_ms": round(percentile(cpu, 95), 1),
                "sql_per_call": max(queries),
            }

        result["load_before"] = os.getloadavg()[0]
        result["cpu_calibration_ms_before"] = cpu_calibration()
        result["roles_for_candidate"] = measure(
            picks_c, Candidate, lambda f, c: matching.roles_for_candidate(f, c, limit=10)
        )
        result["candidates_for_search"] = measure(
            picks_s, Search, lambda f, s: matching.candidates_for_search(f, s, limit=50)
        )
        if not args.no_pools:

            def live(f, s):  # as if no search had a pool: the aggregation every time
                set_committed_value(s, "pool_floor", None)
                return matching.candidates_for_search(f, s, limit=50)

            result["candidates_for_search_live"] = measure(picks_s, Search, live)
        result["load_after"] = os.getloadavg()[0]
        result["cpu_calibration_ms_after"] = cpu_calibration()
        event.remove(engine, "before_cursor_execute", count)
        db.session.remove()
        engine.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument(
        "--pg-url", default=os.environ.get("PORTAL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
    )
    p.add_argument("--pg-db", default=PG_DB, help="PostgreSQL database name (created and dropped)")
    p.add_argument("--sqlite-path", default=SQLITE_PATH)
    p.add_argument("--candidates", type=int, default=100_000)
    p.add_argument("--searches", type=int, default=10_000)
    p.add_argument("--vocabulary", type=int, default=2_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument(
        "--repeat", type=int, default=1, help="run each query N times and keep the fastest (smooths out a busy machine)"
    )
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--keep", action="store_true", help="keep the generated database")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database instead of generating")
    p.add_argument("--json", help="also write the result as JSON to this file")
    p.add_argument(
        "--no-pools",
        action="store_true",
        help="do not build match pools (every search is matched live, as before any pool exists)",
    )
    args = p.parse_args(argv)

    ctx = (
        postgres_database(args.pg_url, args.pg_db, args.keep, args.reuse)
        if args.db == "postgres"
        else sqlite_database(args.sqlite_path, args.keep, args.reuse)
    )
    with ctx as (url, fresh):
        print(
            f"matching benchmark on {args.db} ({'generating' if fresh else 'reusing'} {url.rsplit('@', 1)[-1]})",
            flush=True,
        )
        result = run(url, fresh, args)
    if "pools" in result:
        print(
            f"match pools: {result['pools']:,} searches, {result['pool_rows']:,} rows "
            f"({result['pools_built']:,} built in {result['pools_seconds']} s)"
        )
    for key in ("roles_for_candidate", "candidates_for_search", "candidates_for_search_live"):
        if key not in result:
            continue
        r = result[key]
        print(
            f"{key:26} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
            f"max {r['max_ms']:6.1f} ms  results {r['mean_results']:.0f}  SQL/call {r['sql_per_call']}  "
            f"(this process's CPU p50 {r['client_cpu_p50_ms']:.1f} p95 {r['client_cpu_p95_ms']:.1f} ms)"
        )
    print(
        f"load average (1 min) before {result['load_before']:.1f}, after {result['load_after']:.1f}; "
        f"CPU calibration (1M-step loop) {result['cpu_calibration_ms_before']} / "
        f"{result['cpu_calibration_ms_after']} ms"
    )
    print(
        json.dumps(
            {
                k: v
                for k, v in result.items()
                if k not in ("roles_for_candidate", "candidates_for_search", "candidates_for_search_live")
            }
        )
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
