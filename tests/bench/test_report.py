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
    path.write_text("# Performance\n\nIntro.\n\n## Matching\n\nTheir figures.\n\n## Pages\n\nold pages\n\n"
                    "## Worker\n\nWorker figures.\n")
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
