"""Profile one page in-process with pyinstrument, logged in as the benchmark user.

    python -m bench.profile --db URL dashboard [--requests 100] [--html out.html]

PAGE is a key of bench.pages.PAGES (candidate_home, candidate_feedback, roles, dashboard,
board, pool) or `ceiling`. Prints the SQL statements of one request, the mean time per
request, and pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.generate import absolute_url, facts_from_db
from bench.pages import CEILING, PAGES, USER_AGENT, Page, count_queries, free_port, make_app, resolve_urls


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile")
    ap.add_argument("page", choices=[p.key for p in PAGES] + ["ceiling"])
    ap.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite:///bench/data/portal-bench.db"))
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--html", help="also write pyinstrument's HTML report here")
    args = ap.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pip install pyinstrument (it is in the dev extra)") from None
    from portal.devtools.harness import start_redis

    url = absolute_url(args.db)
    ds = facts_from_db(url)
    port = free_port()
    redis = start_redis(port)
    try:
        app = make_app(url, f"redis://127.0.0.1:{port}/0")
        urls = resolve_urls(app, ds)
        ep, path = urls[args.page]
        if ep is None:
            raise SystemExit(f"{args.page}: {path}")
        counts = count_queries(app, ds, urls)[args.page]
        print(
            f"{args.page}: {ep} {path}  HTTP {counts['status']}, {counts['bytes']} bytes, "
            f"{counts['queries']} SQL statements:"
        )
        for s in counts["statements"]:
            print("   ", s)
        page = next((p for p in PAGES if p.key == args.page), Page("ceiling", "", "candidate", (CEILING,)))
        email = {"candidate": ds.candidate_email, "admin": ds.admin_email}.get(page.who, ds.recruiter_email)
        client = app.test_client()
        client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT})
        client.post("/login", data={"email": email, "password": ds.password}, base_url="http://127.0.0.1")
        client.get(path, base_url="http://127.0.0.1")
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        for _ in range(args.requests):
            client.get(path, base_url="http://127.0.0.1")
        profiler.stop()
        per = (time.perf_counter() - started) / args.requests * 1000
        print(f"\n{args.requests} requests, {per:.1f} ms each (in-process, profiler on)\n")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        if args.html:
            with open(args.html, "w") as fh:
                fh.write(profiler.output_html())
    finally:
        redis.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
