"""The PERFORMANCE.md writer keeps others' sections; the wrk output parser reads real output."""

from __future__ import annotations

import pytest

from bench import load, report

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40000/me/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.10ms    5.02ms  80.11ms   80.00%
    Req/Sec   530.12     40.10   610.00     70.00%
  Latency Distribution
     50%   14.20ms
     75%   17.00ms
     90%   21.50ms
     99%  950.00us  
  10571 requests in 10.01s, 60.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1056.10
Transfer/sec:      6.00MB
"""


def test_update_sections_rewrites_only_its_own(tmp_path):
    path = tmp_path / "PERFORMANCE.md"
    path.write_text(
        "# Performance\n\nIntro.\n\n## Matching\n\nTheir figures.\n\n## Pages\n\nold pages\n\n"
        "## Worker\n\nWorker figures.\n"
    )
    report.update_sections(str(path), {"Pages": "new pages", "Summary": "the summary", "Dataset": "rows"})
    text = path.read_text()
    assert "Their figures." in text and "Worker figures." in text and "Intro." in text
    assert "old pages" not in text and "new pages" in text
    titles = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert titles == ["Summary", "Dataset", "Matching", "Pages", "Worker"]
    report.update_sections(str(path), {"Pages": "newer pages"})
    assert path.read_text().count("## Pages") == 1 and "newer pages" in path.read_text()


def test_update_sections_creates_the_file(tmp_path):
    path = tmp_path / "docs" / "PERFORMANCE.md"
    report.update_sections(str(path), {"Summary": "s", "Pages": "p"})
    text = path.read_text()
    assert text.startswith("# Performance") and text.index("## Summary") < text.index("## Pages")


def test_wrk_output_is_read(monkeypatch):
    class Done:
        stdout = WRK_OUTPUT

    monkeypatch.setattr(load.subprocess, "run", lambda *a, **k: Done())
    r = load.run_wrk("http://127.0.0.1:40000/me/", {"Cookie": "session=x"}, 10, 16)
    assert r.rps == 1056.10 and r.requests == 10571
    assert r.p50_ms == pytest.approx(14.2) and r.p99_ms == pytest.approx(0.95)
    assert r.errors == 3


def _fake_runs():
    from bench.pages import PAGES

    def page(rps, ratio, p99=40.0):
        return {
            "tool": "wrk",
            "requests": int(rps * 10),
            "seconds": 10.0,
            "rps": rps,
            "p50_ms": 10.0,
            "p99_ms": p99,
            "errors": 0,
            "notes": [],
            "bytes": 8000,
            "ratio": ratio * 1.2,  # to the in-app ceiling
            "ceiling_rps": 833.0,
            "ratio_ind": ratio,  # to the independent ceiling: what the targets judge
            "independent_rps": 1000.0,
        }

    pages = {
        p.key: {
            "label": p.label,
            "endpoint": f"x.{p.key}",
            "path": f"/{p.key}",
            "target": p.target,
            "who": p.who,
            "queries": 4,
            "bytes": 8000,
            "diagnosis": {
                "total_ms": 20.0,
                "sql_ms": 12.0,
                "template_ms": 3.0,
                "slowest_sql_ms": 9.0,
                "slowest_sql": "SELECT … FROM t WHERE a = ? | b",
            },
        }
        for p in PAGES
    }
    pages["pool"].update(endpoint=None, status="not built yet", diagnosis=None)
    pages["ceiling"] = {
        "label": "Ceiling",
        "endpoint": "bench_ceiling.ceiling",
        "path": "/bench/ceiling",
        "who": "candidate",
        "queries": 3,
        "target": None,
    }
    modes = {
        "sync": {
            "label": "gunicorn 2 sync workers",
            "pages": {
                "candidate_home": page(800, 0.8),
                "candidate_feedback": page(700, 0.7),
                "roles": page(300, 0.3, 150.0),
                "dashboard": page(200, 0.2),
                "board": page(600, 0.6),
            },
            "ceiling": {
                "rps": 1000.0,
                "min_rps": 950.0,
                "max_rps": 1050.0,
                "p50_ms": 9.0,
                "p99_ms": 30.0,
                "runs": 6,
                "bytes": 7000,
                "ratio_ind": 0.85,
            },
            "independent": {
                "rps": 1180.0,
                "min_rps": 1100.0,
                "max_rps": 1250.0,
                "p50_ms": 8.0,
                "p99_ms": 25.0,
                "runs": 6,
                "bytes": 5500,
            },
        }
    }
    pages["dashboard"]["queries"] = 12
    return [
        {
            "label": "SQLite",
            "url": "sqlite:///x.db",
            "size": "1.00 GB",
            "dataset": {
                "seed": 1,
                "scale": 1.0,
                "anchor": "2025-01-01",
                "password": "pw",
                "recruiter_email": "r@x",
                "candidate_email": "c@x",
                "board_search_id": 1,
                "counts": {"candidates": 100000, "board_candidacies": 200},
                "timings": {"messages": 80.0},
                "seconds": 200.0,
            },
            "pages": {"tool": "wrk", "seconds": 10, "connections": 16, "pages": pages, "modes": modes},
        }
    ]


def test_targets_are_judged_from_the_figures():
    from bench.__main__ import evaluate

    rows = {
        r["target"]: r
        for r in evaluate(_fake_runs(), {"result": {"checkin": {"seconds": 12.5}, "delivery": {"ratio": 0.42}}})
    }
    home = next(r for t, r in rows.items() if t.startswith("Candidate home"))
    dash = next(r for t, r in rows.items() if t.startswith("Recruiter needs-attention"))
    ceiling = next(r for t, r in rows.items() if t.startswith("Portal's in-app ceiling"))
    board = next(r for t, r in rows.items() if t.startswith("Search board"))
    sql = next(r for t, r in rows.items() if "SQL statements" in t)
    p99 = next(r for t, r in rows.items() if t.startswith("p99"))
    checkin = next(r for t, r in rows.items() if t.startswith("Check-in"))
    delivery = next(r for t, r in rows.items() if t.startswith("Delivery"))
    assert home["met"] is True and board["met"] is True and ceiling["met"] is True
    assert "0.50" not in home["value"] and "0.80" in home["value"]  # the independent ratio, not the in-app one
    assert dash["met"] is False and "SQL 12 ms of 20" in dash["value"]
    assert sql["met"] is False and "12" in sql["value"]
    assert p99["met"] is False and "Roles" in p99["value"]
    assert checkin["met"] is True and delivery["met"] is False


def test_sections_render(tmp_path):
    from bench.__main__ import dataset_section, pages_section, summary_section

    meta = {
        "date": "2025-01-01 00:00 UTC",
        "command": "make bench",
        "machine_line": "2 cores",
        "elapsed": 600.0,
        "machine": {"wrk": "4.1", "loadavg_before": "0.1 0.1 0.1"},
    }
    runs = _fake_runs()
    text = pages_section(runs, meta)
    assert "not built yet" in text and "0.20 (< 0.3)" in text and "\\|" in text
    assert "| In-app ceiling, mean of 6 runs" in text and "0.85 (≥ 0.8)" in text
    assert "| Independent ceiling, mean of 6 runs" in text
    assert "Check-in" in summary_section(runs, {}, meta)
    assert "100,000" in dataset_section(runs, meta)


def test_worker_figures_come_from_worker_bench_keys():
    from bench.__main__ import evaluate

    result = {"planning": {"checkin_plan_seconds": 5.0}, "checkin_seconds": 31.0, "delivery_ratio": 0.6}
    rows = evaluate(_fake_runs(), {"source": "bench/worker_bench.py", "result": result})
    checkin = next(r for r in rows if r["target"].startswith("Check-in"))
    delivery = next(r for r in rows if r["target"].startswith("Delivery"))
    assert checkin["met"] is False and "31.0 s" in checkin["value"]
    assert delivery["met"] is True


def test_scales_each_size_has_its_own_database_and_the_growth_is_judged_against_log_n():
    from bench.__main__ import _scales, scale_section, scaled_url

    class Args:
        scales, scale = None, None

    assert _scales(Args, {}) == [0.1, 1.0]  # make bench: 10,000 and 100,000 candidates
    Args.scale = 0.05
    assert _scales(Args, {}) == [0.05]  # the quick run stays one size
    Args.scales = "1,0.1"
    assert _scales(Args, {}) == [0.1, 1.0]
    assert scaled_url("sqlite:////d/portal-bench.db", 0.1) == "sqlite:////d/portal-bench-x0.1.db"
    assert scaled_url("postgresql+psycopg://u@h:5432/portal_bench", 0.1).endswith("/portal_bench_x0_1")

    def run(scale, candidates, ratios):
        pages = {key: {"ratio_ind": r} for key, r in ratios.items()}
        return {
            "label": "SQLite",
            "scale": scale,
            "dataset": {"counts": {"candidates": candidates}},
            "pages": {"modes": {"sync": {"label": "gunicorn 2 sync workers", "pages": pages}}},
        }

    text = scale_section(
        [run(0.1, 10_000, {"dashboard": 0.40, "board": 0.30}), run(1.0, 100_000, {"dashboard": 0.20, "board": 0.28})],
        {"command": "make bench", "date": "today"},
    )
    assert "bound 1.25" in text  # log(100,000) / log(10,000)
    dashboard = next(line for line in text.splitlines() if line.startswith("| Recruiter needs-attention"))
    board = next(line for line in text.splitlines() if line.startswith("| Search board"))
    assert dashboard.endswith("| 2.00 ⚠ |")  # its cost doubled: worse than logarithmic
    assert board.endswith("| 1.07 |")


def test_the_million_candidate_run_is_shown_beside_the_largest_size(tmp_path):
    """`make bench-large` writes its own results; `make bench` puts its pages beside its own
    largest firm, with the growth judged against log(1,000,000) / log(100,000)."""
    import json

    from bench.__main__ import scale_section

    def run(label, scale, candidates, ratios):
        pages = {key: {"ratio_ind": r, "p50_ms": 10.0, "p99_ms": 25.0} for key, r in ratios.items()}
        return {
            "label": label,
            "scale": scale,
            "dataset": {"counts": {"candidates": candidates}},
            "pages": {"modes": {"sync": {"label": "gunicorn 2 sync workers", "pages": pages}}},
        }

    large = tmp_path / "results-large.json"
    large.write_text(
        json.dumps(
            {"meta": {"date": "then"}, "runs": [run("PostgreSQL", 10.0, 1_000_000, {"dashboard": 0.10, "board": 0.27})]}
        )
    )
    runs = [
        run("SQLite", 0.1, 10_000, {"dashboard": 0.4, "board": 0.3}),
        run("SQLite", 1.0, 100_000, {"dashboard": 0.2, "board": 0.28}),
    ]
    text = scale_section(runs, {"command": "make bench", "date": "today"}, str(large))
    assert "### 1,000,000 candidates (PostgreSQL, `make bench-large` of then)" in text
    assert "bound 1.20" in text  # log(1,000,000) / log(100,000)
    section = text.split("### 1,000,000 candidates")[1]
    dashboard = next(line for line in section.splitlines() if line.startswith("| Recruiter needs-attention"))
    board = next(line for line in section.splitlines() if line.startswith("| Search board"))
    assert dashboard == "| Recruiter needs-attention dashboard | 0.20 | 0.10 | 2.5 | 2.00 ⚠ |"
    assert board.endswith("| 1.04 |")
    assert "1,000,000 candidates" not in scale_section(runs, {"command": "make bench", "date": "today"}, None)


def test_bench_large_compares_its_own_two_sizes_and_the_summary_judges_growth(tmp_path):
    """`make bench-large` measures 100,000 and 1,000,000 candidates on PostgreSQL in one run:
    the growth is judged within that run (same database), and the Summary has a row for it."""
    import json

    from bench.__main__ import evaluate, growths, scale_section

    def run(label, scale, candidates, ratios):
        pages = {key: {"ratio_ind": r, "p50_ms": 10.0, "p99_ms": 25.0} for key, r in ratios.items()}
        return {
            "label": label,
            "scale": scale,
            "dataset": {"counts": {"candidates": candidates}},
            "pages": {"modes": {"sync": {"label": "gunicorn 2 sync workers", "pages": pages}}},
        }

    large = tmp_path / "results-large.json"
    large.write_text(
        json.dumps(
            {
                "meta": {"date": "then"},
                "runs": [
                    run("PostgreSQL", 1.0, 100_000, {"dashboard": 0.30, "board": 0.20}),
                    run("PostgreSQL", 10.0, 1_000_000, {"dashboard": 0.10, "board": 0.19}),
                ],
            }
        )
    )
    runs = [
        run("SQLite", 0.1, 10_000, {"dashboard": 0.4, "board": 0.3}),
        run("SQLite", 1.0, 100_000, {"dashboard": 0.38, "board": 0.28}),
    ]
    text = scale_section(runs, {"command": "make bench", "date": "today"}, str(large))
    section = text.split("### 1,000,000 candidates")[1]
    assert "Both sizes on PostgreSQL" in section
    dashboard = next(line for line in section.splitlines() if line.startswith("| Recruiter needs-attention"))
    assert (
        dashboard == "| Recruiter needs-attention dashboard | 0.30 | 0.10 | 2.5 | 3.00 ⚠ |"
    )  # not against SQLite's 0.38

    rows = evaluate(_fake_runs(), {}, growths(runs, str(large)))
    row = next(r for r in rows if r["target"].startswith("Each page's cost grows"))
    assert row["met"] is False
    assert "PostgreSQL 100,000 → 1,000,000: worst 3.00 (bound 1.20)" in row["value"]
    assert "Recruiter needs-attention dashboard 3.00" in row["value"]
    assert "Search board" not in row["value"].split("Over the bound")[1]  # 1.05: within the bound

    fine = evaluate(_fake_runs(), {}, growths(runs))
    assert next(r for r in fine if r["target"].startswith("Each page's cost grows"))["met"] is True
    assert (
        next(r for r in evaluate(_fake_runs(), {}) if r["target"].startswith("Each page's cost grows"))["met"] is None
    )


def test_a_missed_target_points_to_its_measured_reason_and_every_anchor_exists():
    """Issue 24: 'a target that cannot be met gets the measured reason, not silence': the Summary
    links each missed target to its section of docs/PERFORMANCE.md, which must exist."""
    import re
    from pathlib import Path

    from bench.__main__ import CEILING_WHY, GROWTH_WHY, evaluate
    from bench.pages import PAGES

    dash = next(r for r in evaluate(_fake_runs(), {}) if r["target"].startswith("Recruiter needs-attention"))
    assert dash["met"] is False and "[measured reason](#needs-attention-dashboard)" in dash["value"]
    home = next(r for r in evaluate(_fake_runs(), {}) if r["target"].startswith("Candidate home"))
    assert home["met"] is True and "measured reason" not in home["value"]

    doc = (Path(__file__).resolve().parents[2] / "docs" / "PERFORMANCE.md").read_text()

    def anchor(heading: str) -> str:  # GitHub's: lower case, punctuation dropped, spaces to hyphens
        return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")

    anchors = {anchor(h) for h in re.findall(r"^#+ (.+)$", doc, flags=re.M)}
    assert all(p.why for p in PAGES if p.target is not None and p.target < 0.8)  # the careers pages meet theirs
    wanted = {p.why for p in PAGES if p.why} | {CEILING_WHY, GROWTH_WHY}
    assert wanted <= anchors, sorted(wanted - anchors)


def test_redoc_rewrites_the_summary_from_recorded_results_without_measuring(tmp_path):
    """`python -m bench --redoc`: after `make bench-large`, the Summary (and its growth row) is
    written again from make bench's results and the new large run; other sections are kept."""
    import json

    from bench.__main__ import redoc

    meta = {
        "date": "2025-01-01 00:00 UTC",
        "command": "make bench",
        "machine_line": "2 cores",
        "elapsed": 600.0,
        "machine": {"wrk": "4.1", "loadavg_before": "0.1 0.1 0.1"},
    }
    results = tmp_path / "results.json"
    runs = [{**run, "scale": 1.0} for run in _fake_runs()]
    results.write_text(json.dumps({"meta": meta, "runs": runs, "worker": {}}))
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n## Summary\n\nSTALE-SUMMARY\n\n## Matching\n\nkept\n")
    assert redoc(str(results), str(tmp_path / "none.json"), doc=str(doc)) == 0
    text = doc.read_text()
    assert "STALE-SUMMARY" not in text and "| Target | Measured | Status |" in text and "kept" in text
