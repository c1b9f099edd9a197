"""RQ enqueue and processing rates on a private redis-server (trivial jobs).

Used by `python -m bench` only while bench/worker_bench.py (the worker's own benchmark:
check-in planning and delivery) is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def noop(i: int) -> int:
    return i


def run(jobs: int = 5_000, log=print) -> dict:
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    from bench.pages import free_port
    from portal.devtools.harness import start_redis

    port = free_port()
    proc = start_redis(port)
    url = f"redis://127.0.0.1:{port}/0"
    out: dict = {"jobs": jobs}
    try:
        conn = Redis.from_url(url)
        q = Queue("bench", connection=conn)
        n_single = min(2_000, jobs)
        t = time.perf_counter()
        for i in range(n_single):
            q.enqueue(noop, i)
        out["enqueue_per_s"] = n_single / (time.perf_counter() - t)
        q.empty()
        t = time.perf_counter()
        q.enqueue_many([Queue.prepare_data(noop, args=(i,)) for i in range(jobs)])
        out["enqueue_many_per_s"] = jobs / (time.perf_counter() - t)
        q.empty()
        rq_bin = os.path.join(os.path.dirname(sys.executable), "rq")
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        for label, workers, klass, n in (
            ("SimpleWorker x1", 1, "rq.worker.SimpleWorker", jobs),
            ("SimpleWorker x2", 2, "rq.worker.SimpleWorker", jobs),
            ("forking Worker x1", 1, "rq.worker.Worker", min(jobs, 500)),
        ):
            conn.flushdb()  # our own private Redis
            q.enqueue_many([Queue.prepare_data(noop, args=(i,), result_ttl=600) for i in range(n)])
            ids = q.job_ids
            procs = [
                subprocess.Popen(
                    [
                        rq_bin,
                        "worker",
                        "--burst",
                        "--url",
                        url,
                        "--worker-class",
                        klass,
                        "--logging_level",
                        "WARNING",
                        "bench",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            for p in procs:
                p.wait(timeout=300)
            fetched = [j for j in Job.fetch_many(ids, connection=conn) if j is not None]
            done = [j for j in fetched if j.ended_at and j.started_at]
            if done:
                span = (max(j.ended_at for j in done) - min(j.started_at for j in done)).total_seconds()
                rate = len(done) / span if span > 0 else float("nan")
            else:
                rate = float("nan")
            out[label] = {"jobs": n, "done": len(done), "per_s": rate}
            log(f"    RQ {label}: {rate:,.0f} jobs/s ({len(done)}/{n} done)")
        log(f"    RQ enqueue: {out['enqueue_per_s']:,.0f}/s single, {out['enqueue_many_per_s']:,.0f}/s enqueue_many")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out
