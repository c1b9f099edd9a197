"""Load generators: wrk (preferred) and a bounded Python fallback. Both return a Result."""

from __future__ import annotations

import http.client
import multiprocessing as mp
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    notes: list[str] = field(default_factory=list)


def wrk_path() -> str | None:
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not m:
        raise ValueError(f"cannot read wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(url: str, headers: dict[str, str], seconds: int, connections: int, threads: int = 2) -> Result:
    cmd = [wrk_path() or "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)[ \t]*$", out, re.M))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    if "50" not in lat or "99" not in lat:  # nothing completed within the run
        return Result(
            "wrk",
            total,
            float(seconds),
            rps,
            float("nan"),
            float("nan"),
            errors,
            ["no request completed: " + " ".join(out.split())[:300]],
        )
    return Result("wrk", total, float(seconds), rps, _ms(lat["50"]), _ms(lat["99"]), errors)


# ---------------------------------------------------------------- Python fallback


def _worker(host: str, port: int, path: str, headers: dict, deadline: float, threads: int, q) -> None:
    import threading

    lat: list[float] = []
    errs = [0]
    lock = threading.Lock()

    def loop():
        conn = None
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                t = time.perf_counter()
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                mine.append(time.perf_counter() - t)
                if resp.status >= 400:
                    bad += 1
                if resp.getheader("Connection", "").lower() == "close" or resp.will_close:
                    conn.close()
                    conn = None
            except OSError:
                bad += 1
                if conn is not None:
                    conn.close()
                conn = None
        with lock:
            lat.extend(mine)
            errs[0] += bad

    ts = [threading.Thread(target=loop) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    q.put((lat, errs[0]))


def run_python(url: str, headers: dict[str, str], seconds: int, connections: int, processes: int = 2) -> Result:
    """A bounded load loop: `connections` persistent clients split over processes, for
    `seconds`. Slower than wrk (it competes with the server for the 2 cores)."""
    m = re.match(r"http://([^:/]+):(\d+)(/.*)$", url)
    host, port, path = m.group(1), int(m.group(2)), m.group(3)
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start = time.monotonic()
    deadline = start + seconds
    per = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    procs = [ctx.Process(target=_worker, args=(host, port, path, headers, deadline, n, q)) for n in per if n]
    for p in procs:
        p.start()
    lat: list[float] = []
    errors = 0
    for _ in procs:
        part, e = q.get(timeout=seconds + 60)
        lat.extend(part)
        errors += e
    for p in procs:
        p.join(10)
    elapsed = max(time.monotonic() - start, 1e-9)
    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

    return Result(
        "python",
        len(lat),
        elapsed,
        len(lat) / elapsed,
        pct(0.50),
        pct(0.99),
        errors,
        ["Python load generator (wrk not installed): it shares the 2 cores with the server"],
    )
