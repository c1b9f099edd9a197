"""`make bench` = `python -m bench`: generate the firm, measure the pages and the worker,
rewrite docs/PERFORMANCE.md (sections Summary, Dataset, Pages, Scale).

    python -m bench                         # SQLite at 10,000 and 100,000 candidates (--scales 0.1,1)
    python -m bench --scale 0.05            # a quick run, one size
    python -m bench --scales 0.1,1,3        # any sizes; targets judged at the largest
    python -m bench --postgres postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench
    python -m bench --skip-generate         # reuse the databases already generated
    make bench-large                        # 1,000,000 candidates on PostgreSQL (BENCH_POSTGRES)

Each smaller size has its own database beside the main one (portal-bench-x0.1.db, or the
PostgreSQL database name with _x0_1). Environment: BENCH_SCALE, BENCH_SCALES, BENCH_SEED,
BENCH_SECONDS, BENCH_POSTGRES (same as the options).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import shlex
import sys
import time
from datetime import UTC, datetime

from bench import report
from bench.generate import FULL, absolute_url, facts_from_db, generate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
DOC = os.path.join(ROOT, "docs", "PERFORMANCE.md")
SQLITE_URL = "sqlite:///" + os.path.join(DATA, "portal-bench.db")
BUDGET_S = 20 * 60
CEILING_TARGET = 0.8  # Portal's in-app ceiling against the independent one (issue 24)


def _db_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def _size(url: str) -> str:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        total = sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))
        return f"{total / 1e9:.2f} GB"
    try:
        from sqlalchemy import create_engine, text

        eng = create_engine(url)
        with eng.connect() as conn:
            n = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        eng.dispose()
        return f"{n / 1e9:.2f} GB"
    except Exception:  # noqa: BLE001
        return "?"


# ---------------------------------------------------------------- worker


def worker_benchmarks(db_url: str, log=print, command: str = "make bench") -> dict:
    """bench/worker_bench.py (the worker's own benchmark) when present; else RQ rates here."""
    path = os.path.join(ROOT, "bench", "worker_bench.py")
    if os.path.exists(path):
        spec = importlib.util.spec_from_file_location("bench.worker_bench", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["bench.worker_bench"] = mod
        spec.loader.exec_module(mod)
        fn = getattr(mod, "run", None)
        if callable(fn):
            params = inspect.signature(fn).parameters
            kwargs = {}
            for name in ("db_url", "url", "database_url", "db"):
                if name in params:
                    kwargs[name] = db_url
            if "log" in params:
                kwargs["log"] = log
            if "command" in params:
                kwargs["command"] = command
            log("  bench/worker_bench.py run(...)")
            result = fn(**kwargs)
            return {"source": "bench/worker_bench.py", "result": result if isinstance(result, dict) else {}}
        import subprocess

        log("  python -m bench.worker_bench")
        subprocess.run([sys.executable, "-m", "bench.worker_bench"], cwd=ROOT, check=False, timeout=900)
        return {"source": "bench/worker_bench.py", "result": {}}
    from bench import queue_bench

    log("  bench/worker_bench.py is not there yet: measuring RQ enqueue/processing rates here")
    return {"source": "bench/queue_bench.py", "rq": queue_bench.run(log=log)}


def _find_number(obj, *words) -> float | None:
    """The first number in a nested dict whose key path contains all the words."""

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                yield from walk(v, path + (str(k).lower(),))
        elif isinstance(o, int | float) and not isinstance(o, bool):
            yield path, float(o)

    for path, value in walk(obj, ()):
        joined = "/".join(path)
        if all(w in joined for w in words):
            return value
    return None


def worker_targets(worker: dict) -> dict:
    """check-in planning seconds and delivery/smtplib ratio, from the worker benchmark's
    result or, failing that, from its Worker section in docs/PERFORMANCE.md."""
    res = worker.get("result") or {}
    checkin = res.get("checkin_seconds")  # the keys bench/worker_bench.py run() returns
    ratio = res.get("delivery_ratio")
    if not isinstance(checkin, int | float):
        checkin = _find_number(res, "checkin", "total") or _find_number(res, "checkin", "second")
    if not isinstance(ratio, int | float):
        ratio = _find_number(res, "deliver", "ratio") or _find_number(res, "ratio")
    if (checkin is None or ratio is None) and worker.get("source") == "bench/worker_bench.py":
        import re

        text = report.read_section(DOC, "Worker") or ""
        if checkin is None:
            m = re.search(r"(?i)check-?in[^\n|]*?\|?\s*([\d.,]+)\s*s\b", text)
            checkin = float(m.group(1).replace(",", "")) if m else None
        if ratio is None:
            m = re.search(r"(?i)ratio[^\n]*?([01]\.\d+)", text) or re.search(r"(?i)ceiling[^\n]*?([01]\.\d+)", text)
            ratio = float(m.group(1)) if m else None
    return {"checkin_s": checkin, "delivery_ratio": ratio}


# ---------------------------------------------------------------- markdown


def dataset_section(runs: list[dict], meta: dict) -> str:
    lines = []
    first = runs[0]["dataset"]
    c = first["counts"]
    lines.append(
        f"Generated by `python -m bench.generate --db URL --seed {first['seed']} --scale {first['scale']}` "
        f"(data relative to {first['anchor']}); `bench.generate.generate(url, seed, scale)` is the "
        "reusable entry point. Deterministic for a seed, scale and anchor date."
    )
    lines.append("")
    lines.append("| Rows | Count |")
    lines.append("| --- | ---: |")
    for key, label in (
        ("candidates", "candidates (talent pool)"),
        ("searches", "searches"),
        ("candidacies", "candidacies, across every stage"),
        ("stage_changes", "stage changes (history)"),
        ("feedback", "feedback entries"),
        ("notes", "internal notes"),
        ("messages", "messages (outbox)"),
        ("skills", "skills (vocabulary)"),
        ("candidate_skills", "candidate skills"),
        ("search_skills", "search skills"),
        ("candidate_tags", "candidate tags"),
        ("consents", "consents"),
        ("interests", "interests"),
        ("candidate_updates", "candidate updates"),
        ("suggested_roles", "suggested roles"),
        ("users", "users (logins)"),
        ("clients", "clients"),
    ):
        if key in c:
            lines.append(f"| {label} | {report.fmt_int(c[key])} |")
    lines.append("")
    open_n = max(8, int(round(FULL["open_searches"] * first["scale"])))
    lines.append(
        f"Searches: about {open_n:,} open, the rest on hold, filled or cancelled; "
        "open searches hold active candidacies at every stage, closed ones end placed or closed "
        f"with a reason; {report.fmt_int(c.get('active_candidacies', '?'))} candidacies are active (an open stage "
        "in an open or on-hold search). "
        "Active candidates last heard from the firm a few days ago on average, and about one in ten "
        "is past the 7-day cadence. Skills: each candidate has 5 to 15 and each search 4 to 10 "
        "(2 to 5 required), three quarters from one of 40 skill families, with Zipf-like popularity in "
        "which real skills are the common ones (English, Excel, SQL, Python ...) and composed names the "
        "long tail. Message bodies are short (a few hundred bytes) to keep the file small."
    )
    lines.append("")
    lines.append(
        f"Logins (password `{first['password']}`, hashed once for all): `{first['recruiter_email']}` "
        f"owns open searches of {c.get('board_candidacies', 200)} candidacies each (the board "
        f"benchmark uses search {first['board_search_id']}); `{first['candidate_email']}` has six "
        "candidacies (open at several stages, one closed, one placed) with feedback and a pending "
        "consent; `admin@bench.example` is the firm admin."
    )
    lines.append("")
    lines.append("| Database | Generation time | Size on disk | Slowest steps |")
    lines.append("| --- | ---: | ---: | --- |")
    for run in runs:
        d = run["dataset"]
        if d.get("reused"):
            lines.append(f"| {run['label']} | (reused) | {run['size']} | |")
            continue
        slow = sorted(d["timings"].items(), key=lambda kv: -kv[1])[:4]
        lines.append(
            f"| {run['label']} | {d['seconds']:.0f} s | {run['size']} | "
            + ", ".join(f"{k} {v:.0f} s" for k, v in slow)
            + " |"
        )
    lines.append("")
    lines.append(f"Machine: {meta['machine_line']}. Run {meta['date']}.")
    return "\n".join(lines)


def pages_section(runs: list[dict], meta: dict) -> str:
    from bench.pages import MAX_P99_OVER_P50, PAGES

    lines = [f"Command: `{meta['command']}` on {meta['date']}. Machine: {meta['machine_line']}.", ""]
    tool = runs[0]["pages"]["tool"]
    if tool == "wrk":
        lines.append(
            f"Load: wrk {meta['machine'].get('wrk', '')}, {runs[0]['pages']['connections']} connections, "
            f"2 threads, {runs[0]['pages']['seconds']} s per page, on the same 2 cores as the server."
        )
    else:
        lines.append(
            f"Load: **the Python load generator** (bench/load.py; wrk was not installed), "
            f"{runs[0]['pages']['connections']} connections over 2 processes, "
            f"{runs[0]['pages']['seconds']} s per page. It competes with the server for the 2 cores, "
            "so absolute figures are lower than wrk's; the ratios still compare like with like."
        )
    lines.append(
        "Each page is requested with the session cookie of one real `POST /login` (the benchmark "
        "candidate for candidate pages, the benchmark recruiter for recruiter pages; none for the "
        "careers pages). Two ceilings are served side by side with the same gunicorn settings against "
        "the same database: the **independent ceiling** (`bench/ceiling_app.py`: a minimal app that does "
        "not import Portal: Flask, Flask-Login, SQLAlchemy Core, the user loaded by one indexed query, "
        "one indexed query of 20 rows, a ~5 KB template) and Portal's **in-app ceiling** "
        "(`/bench/ceiling`, only registered with `PORTAL_BENCH_CEILING=1`: the same work inside Portal, "
        "so it carries Portal's fixed cost per request). Both are measured "
        f"({max(3, runs[0]['pages']['seconds'] // 2)} s each) before every page and once at the end, "
        "and each page is divided by the mean of the runs just before and just after it, so drift on a "
        "shared machine cancels out. The targets are ratios of the independent ceiling. SQL per request "
        "is counted on one instrumented request through the test client against the same database. "
        "Before measuring, what the worker's plan keeps ready in a running deployment is made: the "
        "promises report's snapshots and the board search's match pool."
    )
    lines.append("")
    for run in runs:
        p = run["pages"]
        for m in p["modes"].values():
            lines.append(f"### {run['label']}: {m['label']}")
            lines.append("")
            lines.append(
                "| Page | Endpoint | req/s | p50 ms | p99 ms | × independent (target) | × in-app ceiling "
                "| SQL/request | KB |"
            )
            lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            ind = m.get("independent")
            if ind:
                lines.append(
                    f"| Independent ceiling, mean of {ind['runs']} runs ({ind['min_rps']:,.0f}–{ind['max_rps']:,.0f} "
                    f"req/s) | `bench/ceiling_app.py` | {ind['rps']:,.0f} | {ind['p50_ms']:.1f} | {ind['p99_ms']:.1f} "
                    f"| 1.00 | | 2 | {ind['bytes'] / 1024:.1f} |"
                )
            c = m.get("ceiling")
            cinfo = p["pages"]["ceiling"]
            if c:
                vs = (
                    f"{c['ratio_ind']:.2f} ({'≥' if c['ratio_ind'] >= CEILING_TARGET else '<'} {CEILING_TARGET})"
                    if "ratio_ind" in c
                    else ""
                )
                lines.append(
                    f"| In-app ceiling, mean of {c['runs']} runs ({c['min_rps']:,.0f}–{c['max_rps']:,.0f} req/s) | "
                    f"`{cinfo['endpoint']}` | {c['rps']:,.0f} | {c['p50_ms']:.1f} | {c['p99_ms']:.1f} | {vs} | 1.00 | "
                    f"{cinfo.get('queries', '?')} | {c['bytes'] / 1024:.1f} |"
                )
            for key in [pg.key for pg in PAGES]:
                info = p["pages"][key]
                label = info["label"]
                if not info["endpoint"]:
                    lines.append(f"| {label} | — | not built yet | | | | | | |")
                    continue
                r = m["pages"].get(key)
                if r is None:
                    continue
                if "error" in r:
                    lines.append(
                        f"| {label} | `{info['endpoint']}` | {r['error']} | | | | | {info.get('queries', '')} | |"
                    )
                    continue
                ratio_ind = f"{r['ratio_ind']:.2f}" if "ratio_ind" in r else ""
                target = info.get("target")
                if target and "ratio_ind" in r:
                    ratio_ind += f" ({'≥' if r['ratio_ind'] >= target else '<'} {target})"
                ratio = f"{r['ratio']:.2f}" if "ratio" in r else ""
                tail_ok = r["p99_ms"] <= MAX_P99_OVER_P50 * r["p50_ms"]
                p99 = f"{r['p99_ms']:.1f}" + ("" if tail_ok else " ⚠")
                lines.append(
                    f"| {label} | `{info['endpoint']}` | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {p99} | "
                    f"{ratio_ind} | {ratio} | {info.get('queries', '?')} | {r['bytes'] / 1024:.1f} |"
                )
            errors = sum(r.get("errors", 0) for r in m["pages"].values() if isinstance(r, dict))
            lines.append("")
            lines.append(f"⚠: p99 over {MAX_P99_OVER_P50:.0f} × p50.")
            lines.append("")
            if errors:
                lines.append(f"Errors during the load (non-2xx/3xx or socket errors): {errors}.")
                lines.append("")
    for run in runs:
        diag = {k: v["diagnosis"] for k, v in run["pages"]["pages"].items() if v.get("diagnosis")}
        if not diag:
            continue
        lines.append(f"### {run['label']}: where one request's time goes")
        lines.append("")
        lines.append(
            "In-process through the test client (no server, no network), mean of 5 requests: every SQL "
            "statement timed, template rendering timed by Flask's signals, the rest is Python in the "
            "view, services, session and Flask. This is the profile behind any target missed above."
        )
        lines.append("")
        lines.append("| Page | Total ms | SQL ms | Template ms | Other ms | Slowest statement |")
        lines.append("| --- | ---: | ---: | ---: | ---: | --- |")
        for key, d in diag.items():
            other = d["total_ms"] - d["sql_ms"] - d["template_ms"]
            stmt = d["slowest_sql"].replace("|", "\\|")
            lines.append(
                f"| {run['pages']['pages'][key]['label']} | {d['total_ms']:.1f} | {d['sql_ms']:.1f} | "
                f"{d['template_ms']:.1f} | {other:.1f} | {d['slowest_sql_ms']:.1f} ms: `{stmt}` |"
            )
        lines.append("")
    paths = {k: v["path"] for k, v in runs[0]["pages"]["pages"].items() if v.get("path")}
    if paths:
        lines.append("Paths: " + ", ".join(f"{k} `{v}`" for k, v in paths.items()) + ".")
    return "\n".join(lines)


def cause(info: dict) -> str | None:
    """The dominant cost of one request, from the in-process breakdown."""
    d = info.get("diagnosis")
    if not d or not d["total_ms"]:
        return None
    total, sql, tpl = d["total_ms"], d["sql_ms"], d["template_ms"]
    other = max(total - sql - tpl, 0.0)
    parts = sorted(
        [
            (sql, f"SQL {sql:.0f} ms of {total:.0f} (slowest statement {d['slowest_sql_ms']:.0f} ms)"),
            (tpl, f"template {tpl:.0f} ms of {total:.0f} ({info.get('bytes', 0) / 1024:.0f} KB of HTML)"),
            (
                other,
                f"Python (ORM, view, session) {other:.0f} ms of {total:.0f} with {info.get('queries', '?')} statements",
            ),
        ],
        reverse=True,
    )
    return parts[0][1]


# docs/PERFORMANCE.md anchors of the measured reasons for targets not met (the pages' are in PAGES)
CEILING_WHY = "the-in-app-ceiling"
GROWTH_WHY = "growth-with-the-firm"


def evaluate(runs: list[dict], worker: dict, growth: list[dict] | None = None) -> list[dict]:
    """One row per target: what, value(s), met. Page targets are ratios of the independent
    ceiling (bench/ceiling_app.py) in the deployment configuration (sync workers); growth is
    `growths()` of this run's sizes and the last `make bench-large`."""
    from bench.pages import MAX_P99_OVER_P50, MAX_QUERIES, PAGES

    rows = []
    vals, oks = [], []
    for run in runs:
        for mode, m in run["pages"]["modes"].items():
            c = m.get("ceiling") or {}
            if "ratio_ind" in c:
                vals.append(f"{run['label']} {mode} {c['ratio_ind']:.2f}")
                if mode == "sync":
                    oks.append(c["ratio_ind"] >= CEILING_TARGET)
    rows.append(
        {
            "target": f"Portal's in-app ceiling ≥ {CEILING_TARGET} × independent ceiling",
            "value": "; ".join(vals) or "not measured",
            "met": (all(oks) if oks else None),
        }
    )
    if rows[-1]["met"] is False:
        rows[-1]["value"] += f". Why not met: [measured reason](#{CEILING_WHY})"
    for page in PAGES:
        if page.target is None:
            continue
        key = page.key
        vals, oks = [], []
        built = False
        for run in runs:
            if not run["pages"]["pages"][key]["endpoint"]:
                continue
            built = True
            for mode, m in run["pages"]["modes"].items():
                r = m["pages"].get(key, {})
                if "ratio_ind" in r:
                    vals.append(f"{run['label']} {mode} {r['ratio_ind']:.2f}")
                    if mode == "sync":
                        oks.append(r["ratio_ind"] >= page.target)
        row = {
            "target": f"{page.label} ≥ {page.target} × independent ceiling",
            "value": "; ".join(vals) or ("not built yet" if not built else "not measured"),
            "met": (all(oks) if oks else None),
        }
        if row["met"] is False:
            causes = [c for c in (cause(run["pages"]["pages"][key]) for run in runs) if c]
            if causes:
                row["value"] += ". Where the time goes: " + "; ".join(causes)
            if page.why:
                row["value"] += f". Why not met: [measured reason](#{page.why})"
        rows.append(row)
    worst, offenders = 0, []
    for run in runs:
        for key, info in run["pages"]["pages"].items():
            if key == "ceiling" or "queries" not in info:
                continue
            worst = max(worst, info["queries"])
            if info["queries"] > MAX_QUERIES:
                offenders.append(f"{info['label']} {info['queries']} ({run['label']})")
    measured = any("queries" in i for run in runs for k, i in run["pages"]["pages"].items() if k != "ceiling")
    rows.append(
        {
            "target": f"≤ {MAX_QUERIES} SQL statements on any page",
            "value": (f"max {worst}" + (": " + ", ".join(offenders) if offenders else "")) if measured else "no page",
            "met": (not offenders) if measured else None,
        }
    )
    worst_tail, slow = 0.0, {}
    for run in runs:
        for mode, m in run["pages"]["modes"].items():
            for key, r in m["pages"].items():
                if "p99_ms" not in r or r["p99_ms"] != r["p99_ms"] or not r.get("p50_ms"):  # NaN: none completed
                    continue
                tail = r["p99_ms"] / r["p50_ms"]
                worst_tail = max(worst_tail, tail)
                if tail > MAX_P99_OVER_P50 and mode == "sync":
                    label = run["pages"]["pages"][key]["label"]
                    slow[f"{label} ({run['label']})"] = tail
    timeouts = [
        run["pages"]["pages"][k]["label"]
        for run in runs
        for m in run["pages"]["modes"].values()
        for k, r in m["pages"].items()
        if "error" in r or r.get("p99_ms") != r.get("p99_ms")
    ]
    value = f"worst p99/p50 {worst_tail:.1f}"
    if slow:
        value += "; over: " + ", ".join(f"{k} {v:.1f}" for k, v in slow.items())
    if timeouts:
        value += "; no latency (errors or no request completed): " + ", ".join(sorted(set(timeouts)))
    rows.append(
        {
            "target": f"p99 ≤ {MAX_P99_OVER_P50:.0f} × p50 at 16 connections (every page)",
            "value": value,
            "met": (not slow and not timeouts) if (worst_tail or timeouts) else None,
        }
    )
    rows.append(growth_row(growth or []))
    wt = worker_targets(worker)
    rows.append(
        {
            "target": "Check-in planning for 100,000 active candidacies < 30 s",
            "value": f"{wt['checkin_s']:.1f} s"
            if wt["checkin_s"] is not None
            else "not measured here (bench/worker_bench.py not on this branch yet)",
            "met": (wt["checkin_s"] < 30) if wt["checkin_s"] is not None else None,
        }
    )
    rows.append(
        {
            "target": "Delivery ≥ 0.5 × the smtplib ceiling",
            "value": f"{wt['delivery_ratio']:.2f}"
            if wt["delivery_ratio"] is not None
            else "not measured here (bench/worker_bench.py not on this branch yet)",
            "met": (wt["delivery_ratio"] >= 0.5) if wt["delivery_ratio"] is not None else None,
        }
    )
    return rows


def growth_row(growth: list[dict]) -> dict:
    """Issue 24, point 5: no page's cost may grow faster than log N with the firm."""
    vals, over = [], []
    for g in growth:
        if g["mode"] != "sync":
            continue
        n0, n1 = g["sizes"][0], g["sizes"][-1]
        where = " → ".join(dict.fromkeys(g["labels"]))
        grown = [p for p in g["pages"] if p["grew"] is not None]
        if not grown:
            continue
        worst = max(p["grew"] for p in grown)
        bad = [f"{p['label']} {p['grew']:.2f}" for p in grown if p["grew"] > g["bound"]]
        vals.append(f"{where} {n0:,} → {n1:,}: worst {worst:.2f} (bound {g['bound']:.2f})")
        if bad:
            over.append(f"{n0:,} → {n1:,}: " + ", ".join(bad))
    value = "; ".join(vals) or "one size only"
    if over:
        value += ". Over the bound: " + "; ".join(over) + f". Why: [measured reasons](#{GROWTH_WHY})"
    return {
        "target": "Each page's cost grows no faster than log N with the firm (see [Scale](#scale))",
        "value": value,
        "met": (not over) if vals else None,
    }


def summary_section(runs: list[dict], worker: dict, meta: dict, growth: list[dict] | None = None) -> str:
    rows = evaluate(runs, worker, growth)
    phases = meta.get("phases") or {}
    took = f"{meta['elapsed'] / 60:.1f} minutes in all" + (
        (": " + ", ".join(f"{k} {v / 60:.1f}" for k, v in phases.items())) if phases else ""
    )
    lines = [
        f"Run on {meta['date']} with `{meta['command']}` ({took}). "
        f"Machine: {meta['machine_line']}. Load average before the run: {meta['machine']['loadavg_before']}.",
        "",
        "| Target | Measured | Status |",
        "| --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['target']} | {r['value']} | {report.met(r['met'])} |")
    lines.append("")
    lines.append(
        "Page ratios are of the independent ceiling (`bench/ceiling_app.py`), in the deployment "
        "configuration (2 sync workers; `--modes sync,gthread` adds gthread figures for comparison). "
        "Figures for every page, with the ratio to Portal's in-app ceiling beside, are under [Pages](#pages)."
    )
    missing = sorted({i["label"] for run in runs for k, i in run["pages"]["pages"].items() if not i["endpoint"]})
    if missing:
        lines.append("")
        lines.append("Not built yet (reported, not measured): " + ", ".join(missing) + ".")
    rq = worker.get("rq")
    if rq:
        lines.append("")
        lines.append("### Queue (RQ), trivial jobs on a private redis-server")
        lines.append("")
        lines.append("| Measure | Rate |")
        lines.append("| --- | ---: |")
        lines.append(f"| enqueue, one at a time | {rq['enqueue_per_s']:,.0f} /s |")
        lines.append(f"| enqueue_many ({rq['jobs']:,} jobs) | {rq['enqueue_many_per_s']:,.0f} /s |")
        for k in ("SimpleWorker x1", "SimpleWorker x2", "forking Worker x1"):
            if k in rq:
                lines.append(f"| processing, {k} ({rq[k]['jobs']:,} jobs) | {rq[k]['per_s']:,.0f} /s |")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


# ---------------------------------------------------------------- several sizes (issue 24, point 5)


def _scales(args, env) -> list[float]:
    if args.scales:
        found = sorted({float(x) for x in str(args.scales).split(",") if x.strip()})
    elif args.scale is not None:
        found = [args.scale]
    elif env.get("BENCH_SCALE"):
        found = [float(env["BENCH_SCALE"])]
    else:
        found = [0.1, 1.0]
    if not found or min(found) <= 0:
        raise SystemExit("--scales: positive numbers, e.g. 0.1,1")
    return found


def scaled_url(url: str, scale: float) -> str:
    """The database of a smaller size beside the main one: portal-bench-x0.1.db, or the
    PostgreSQL database name with _x0_1 (it still contains 'bench')."""
    tag = f"{scale:g}"
    if url.startswith("sqlite"):
        root, ext = os.path.splitext(url)
        return f"{root}-x{tag}{ext or '.db'}"
    base, _, name = url.rpartition("/")
    name, sep, query = name.partition("?")
    return f"{base}/{name}_x{tag.replace('.', '_')}{sep}{query}"


LOG_LIMIT = "log"


def _candidates(run: dict) -> int:
    return int(run["dataset"].get("counts", {}).get("candidates") or FULL["candidates"] * run["scale"])


def _growth(runs: list[dict], mode: str, source: str) -> dict | None:
    """How each page's cost (1 / its ratio to the independent ceiling) grew from the smallest
    size to the largest of runs on one database, against the logarithmic bound."""
    import math

    from bench.pages import PAGES

    runs = sorted(runs, key=lambda r: r["scale"])
    sizes = [_candidates(r) for r in runs]
    if len(runs) < 2 or sizes[0] <= 1 or sizes[-1] <= sizes[0]:
        return None
    pages = []
    for page in PAGES:
        infos = [r["pages"].get("modes", {}).get(mode, {}).get("pages", {}).get(page.key, {}) for r in runs]
        ratios = [i.get("ratio_ind") for i in infos]
        last = infos[-1]
        tail = last["p99_ms"] / last["p50_ms"] if last.get("p50_ms") and last.get("p99_ms") else None
        grew = ratios[0] / ratios[-1] if ratios[0] and ratios[-1] else None
        pages.append({"key": page.key, "label": page.label, "ratios": ratios, "tail": tail, "grew": grew})
    return {
        "label": runs[-1]["label"],
        "labels": [r["label"] for r in runs],
        "mode": mode,
        "mode_label": runs[-1]["pages"]["modes"][mode].get("label", mode),
        "sizes": sizes,
        "bound": math.log(sizes[-1]) / math.log(sizes[0]),
        "source": source,
        "pages": pages,
    }


def growths(all_runs: list[dict], large_path: str | None = None) -> list[dict]:
    """Every growth this run (and the last `make bench-large`) measured: each database's sizes
    of this run; the million-candidate run against its own smaller size when it measured one
    (same database, same run), else against this run's largest size (another database)."""
    out = []
    by_db: dict[str, list[dict]] = {}
    for run in all_runs:
        by_db.setdefault(run["label"], []).append(run)
    for runs in by_db.values():
        for mode in runs[-1]["pages"].get("modes", {}):
            g = _growth(runs, mode, "this run")
            if g:
                out.append(g)
    if large_path and os.path.exists(large_path) and all_runs:
        with open(large_path) as fh:
            large = json.load(fh)
        big = max(large.get("runs", []), key=lambda r: r["scale"], default=None)
        base = max(all_runs, key=lambda r: r["scale"])
        if big is not None and big["scale"] > base["scale"]:
            mode = next(iter(big["pages"].get("modes", {})), None)
            same_db = [r for r in large["runs"] if r["label"] == big["label"]]
            date = large.get("meta", {}).get("date", "?")
            if mode is not None:
                pair = same_db if len(same_db) > 1 else [base, big]
                g = _growth(pair, mode, f"`make bench-large` of {date}")
                if g:
                    out.append(g)
    return out


def scale_section(all_runs: list[dict], meta: dict, large_path: str | None = None) -> str:
    """Each page's ratio to the independent ceiling at each size, and how its cost grew.

    A page's cost relative to the ceiling is 1 / ratio. Growing no worse than logarithmically
    with the firm's size N means cost(N2) / cost(N1) <= log(N2) / log(N1) (1.25 from 10,000 to
    100,000 candidates); a page over that bound is marked."""
    lines = [
        f"Command: `{meta['command']}` on {meta['date']}. Each size is its own generated firm, measured "
        "the same way (interleaved with both ceilings); the ratio is the page's throughput over the "
        "independent ceiling's. Growth is the page's cost relative to the ceiling (1 / ratio) at the "
        "largest size over the smallest; the logarithmic bound is log(N large) / log(N small).",
        "",
    ]
    for g in growths(all_runs, large_path if large_path else None):
        sizes, bound = g["sizes"], g["bound"]
        if g["source"] == "this run":
            head = " | ".join(f"× independent at {n:,} candidates" for n in sizes)
            lines += [
                f"### {g['label']}: {g['mode_label']}",
                "",
                f"| Page | {head} | Growth of cost (bound {bound:.2f}) |",
                "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: |",
            ]
        else:
            cross = len(set(g["labels"])) > 1
            head = " | ".join(f"× independent at {n:,} ({lb})" for n, lb in zip(sizes, g["labels"], strict=True))
            lines += [
                f"### {sizes[-1]:,} candidates ({g['label']}, {g['source']})",
                "",
                (
                    f"Against this run's {sizes[0]:,}-candidate firm ({g['labels'][0]}); each ratio is of the "
                    "independent ceiling measured in its own run, so machine load cancels within each run but "
                    "not between them."
                )
                if cross
                else (
                    f"Both sizes on {g['label']} in that one run (`make bench-large` measures its own "
                    f"{sizes[0]:,}-candidate firm beside the large one), each interleaved with both ceilings."
                ),
                "",
                f"| Page | {head} | p99/p50 at {sizes[-1]:,} | Growth of cost (bound {bound:.2f}) |",
                "| --- | " + " | ".join("---:" for _ in sizes) + " | ---: | ---: |",
            ]
        for p in g["pages"]:
            cells = " | ".join(f"{x:.2f}" if x else "n/a" for x in p["ratios"])
            growth = "n/a" if p["grew"] is None else f"{p['grew']:.2f}" + ("" if p["grew"] <= bound else " ⚠")
            if g["source"] == "this run":
                lines.append(f"| {p['label']} | {cells} | {growth} |")
            else:
                tail = "n/a" if p["tail"] is None else f"{p['tail']:.1f}"
                lines.append(f"| {p['label']} | {cells} | {tail} | {growth} |")
        lines.append("")
    lines.append("⚠: the cost grew faster than log N between the two sizes (or noise: see the p99 and load).")
    return "\n".join(lines)


def redoc(results_path: str, large_path: str, doc: str = DOC) -> int:
    """The Summary and Scale sections again from recorded results: `make bench`'s (its pages,
    worker and sizes) with the newest `make bench-large` beside them. Nothing is measured."""
    if not os.path.exists(results_path):
        raise SystemExit(f"{results_path}: run `make bench` first")
    with open(results_path) as fh:
        saved = json.load(fh)
    all_runs, meta, worker = saved["runs"], saved["meta"], saved.get("worker") or {}
    primary = max(r["scale"] for r in all_runs)
    runs = [r for r in all_runs if r["scale"] == primary]
    sections = {"Summary": summary_section(runs, worker, meta, growths(all_runs, large_path))}
    if len({r["scale"] for r in all_runs}) > 1:
        sections["Scale"] = scale_section(all_runs, meta, large_path)
    report.update_sections(doc, sections)
    print(f"== rewrote {', '.join(sections)} of {doc} from {results_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sqlite", default=SQLITE_URL, help="the SQLite database URL (generated)")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument(
        "--postgres",
        default=env.get("BENCH_POSTGRES") or None,
        help="also run on this PostgreSQL URL (the database is dropped and created; its name must contain 'bench')",
    )
    ap.add_argument("--scale", type=float, default=None, help="one size (1.0 = 100,000 candidates)")
    ap.add_argument(
        "--scales",
        default=env.get("BENCH_SCALES") or None,
        help="several sizes, e.g. 0.1,1 (the default when neither --scale nor BENCH_SCALE is given): "
        "every page at each size, the targets judged at the largest, the growth in a Scale section",
    )
    ap.add_argument("--seed", type=int, default=int(env.get("BENCH_SEED", "1")))
    ap.add_argument("--seconds", type=int, default=int(env.get("BENCH_SECONDS", "10")))
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--modes", default=env.get("BENCH_MODES", "sync"), help="gunicorn worker classes: sync,gthread")
    ap.add_argument("--skip-generate", action="store_true", help="reuse the generated databases")
    ap.add_argument("--no-worker", action="store_true")
    ap.add_argument("--no-doc", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    ap.add_argument("--results", default=os.path.join(DATA, "results.json"), help="where the figures are written")
    ap.add_argument(
        "--redoc",
        action="store_true",
        help="measure nothing: rewrite the Summary and Scale sections from the last results files "
        "(after a `make bench-large` that followed `make bench`)",
    )
    args = ap.parse_args(argv)
    if args.redoc:
        return redoc(args.results, os.path.join(DATA, "results-large.json"))
    scales = _scales(args, env)
    primary = max(scales)

    started = time.perf_counter()
    os.makedirs(DATA, exist_ok=True)
    given = argv if argv is not None else sys.argv[1:]
    knobs = " ".join(
        f"{k}={shlex.quote(env[k])}"
        for k in ("BENCH_POSTGRES", "BENCH_SCALE", "BENCH_SCALES", "BENCH_SEED", "BENCH_SECONDS")
        if env.get(k)
    )
    command = "make bench" if not given else "python -m bench " + " ".join(shlex.quote(a) for a in given)
    meta = {
        "machine": report.machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command + (f" ({knobs})" if knobs else ""),
    }
    m = meta["machine"]
    meta["machine_line"] = (
        f"{m['cpu']}, {m['cores']} cores, {m['memory']}, {m['os']}, Python {m['python']}, "
        f"SQLite {m['sqlite']}, gunicorn {m['gunicorn']}"
    )
    urls = ([] if args.no_sqlite else [absolute_url(args.sqlite)]) + ([args.postgres] if args.postgres else [])
    if args.postgres:
        meta["machine_line"] += f", PostgreSQL {report.postgres_version(args.postgres.rsplit('/', 1)[0] + '/postgres')}"
    from bench import pages

    runs = []
    phases: dict[str, float] = {}
    meta["phases"] = phases
    all_runs = []
    for base_url in urls:
        for scale in scales:
            url = base_url if scale == primary else scaled_url(base_url, scale)
            t_db = time.perf_counter()
            label = _db_label(url)
            print(f"== {label} at scale {scale:g}: {url}")
            if args.skip_generate:
                ds = facts_from_db(url)
                dsd = {**ds.__dict__, "reused": True}
            else:
                ds = generate(url, seed=args.seed, scale=scale)
                dsd = dict(ds.__dict__)
            print("== pages")
            modes = tuple(args.modes.split(","))
            res = pages.run(url, ds, seconds=args.seconds, connections=args.connections, modes=modes)
            run = {"label": label, "url": url, "scale": scale, "dataset": dsd, "size": _size(url), "pages": res}
            all_runs.append(run)
            if scale == primary:
                runs.append(run)
            step = "pages" if args.skip_generate else "generate + pages"
            phases[f"{label} x{scale:g} ({step})"] = time.perf_counter() - t_db
    worker: dict = {}
    if not args.no_worker and urls:
        print("== worker")
        t_w = time.perf_counter()
        worker = worker_benchmarks(urls[0], command=meta["command"])
        phases["worker"] = time.perf_counter() - t_w
    meta["elapsed"] = time.perf_counter() - started
    with open(args.results, "w") as fh:
        json.dump({"meta": meta, "runs": all_runs, "worker": worker}, fh, indent=2, default=str)
    large_path = os.path.join(DATA, "results-large.json")
    grow = growths(all_runs, large_path) if len(scales) > 1 else growths(all_runs)
    growth = scale_section(all_runs, meta, large_path) if len(scales) > 1 else None
    if growth:
        print(growth)
    if runs and not args.no_doc:
        sections = {"Summary": summary_section(runs, worker, meta, grow), "Pages": pages_section(runs, meta)}
        if growth:
            sections["Scale"] = growth
        if not args.skip_generate:
            sections["Dataset"] = dataset_section(runs, meta)
        report.update_sections(DOC, sections)
        print(f"== wrote {os.path.relpath(DOC, ROOT)}")
    for row in evaluate(runs, worker, grow) if runs else []:
        print(f"  {report.met(row['met']).strip('*'):8} {row['target']}: {row['value']}")
    print(
        f"== done in {meta['elapsed']:.0f} s"
        + ("" if meta["elapsed"] <= BUDGET_S else f" (over the {BUDGET_S // 60}-minute budget)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
