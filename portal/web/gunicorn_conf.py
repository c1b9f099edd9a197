"""gunicorn settings for Portal (`gunicorn -c python:portal.web.gunicorn_conf 'portal:create_app()'`):
with PROMETHEUS_MULTIPROC_DIR set, a worker that exits has its request counts kept but its
live gauges dropped, so /metrics adds up every worker correctly."""

from __future__ import annotations

import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
accesslog = "-"


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
