"""The fixed cost of a request, in-process: Portal's in-app ceiling (/bench/ceiling) against the
independent ceiling (bench/ceiling_app.py), both through the Flask test client, interleaved
request by request, each logged in as the benchmark candidate (issue 24).

    python -m bench.fixed_cost --db URL [--requests 3000] [--profile]

Portal is built as gunicorn serves it in `make bench` (bench.pages.server_env: production
settings, CSRF and rate limits on), and signed in through its real form (GET /login for the
CSRF token, POST, then the first page, as bench.pages.login does), so the measured requests
carry the session a browser would. Prints the median time of each, and their ratio
(independent / Portal: what the gunicorn figures compare as requests per second).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

from bench.generate import absolute_url, facts_from_db
from bench.pages import USER_AGENT, free_port, make_app


def portal_client(db_url: str, redis_url: str, email: str, password: str):
    """Portal's app as gunicorn builds it, and a test client signed in through the form."""
    app = make_app(db_url, redis_url, overrides={})  # CSRF and rate limits on, as gunicorn has them
    c = app.test_client()
    c.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT})
    page = c.get("/login", base_url="http://127.0.0.1").data
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if token is None:
        raise SystemExit("no CSRF token on /login")
    r = c.post(
        "/login",
        data={"csrf_token": token.group(1).decode(), "email": email, "password": password},
        base_url="http://127.0.0.1",
    )
    if r.status_code != 302:
        raise SystemExit(f"Portal: login as {email} answered {r.status_code}")
    c.get(r.headers["Location"], base_url="http://127.0.0.1")  # the first page, as a browser
    return app, c


def independent_client(db_url: str, firm: str, email: str):
    from bench.ceiling_app import create_app

    app = create_app(db_url, firm)
    c = app.test_client()
    c.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT})
    r = c.get("/login", query_string={"email": email})
    if r.status_code != 302:
        raise SystemExit(f"independent ceiling: login answered {r.status_code}")
    return app, c


def measure(portal, independent, requests: int, clock=time.thread_time) -> tuple[list[float], list[float]]:
    """Per-request seconds of each, alternating request by request. The clock is the thread's
    CPU time by default: on a shared machine wall time mostly measures the wait for a core."""
    ours, theirs = [], []
    for _ in range(requests):
        t = clock()
        r = portal.get("/bench/ceiling", base_url="http://127.0.0.1")
        ours.append(clock() - t)
        t = clock()
        s = independent.get("/ceiling")
        theirs.append(clock() - t)
        if r.status_code != 200 or s.status_code != 200:
            raise SystemExit(f"HTTP {r.status_code} / {s.status_code}")
    return ours, theirs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fixed_cost")
    ap.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite:///bench/data/portal-bench.db"))
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3, help="measure this many times, report each")
    ap.add_argument("--wall", action="store_true", help="wall time instead of the thread's CPU time")
    ap.add_argument("--profile", action="store_true", help="then profile Portal's request (pyinstrument)")
    args = ap.parse_args(argv)
    from portal.devtools.harness import start_redis

    url = absolute_url(args.db)
    ds = facts_from_db(url)
    port = free_port()
    redis = start_redis(port)
    try:
        _, portal = portal_client(url, f"redis://127.0.0.1:{port}/0", ds.candidate_email, ds.password)
        _, independent = independent_client(url, ds.firm_slug, ds.candidate_email)
        measure(portal, independent, 200)  # warm both
        for n in range(args.rounds):
            ours, theirs = measure(
                portal, independent, args.requests, time.perf_counter if args.wall else time.thread_time
            )
            a, b = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
            print(
                f"round {n + 1}: Portal {a:.3f} ms, independent {b:.3f} ms (medians of {args.requests}), "
                f"ratio independent/Portal {b / a:.2f}"
            )
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0001)
            profiler.start()
            for _ in range(args.requests):
                portal.get("/bench/ceiling", base_url="http://127.0.0.1")
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    finally:
        redis.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
