"""`python -m worker`: build the app once, then run an RQ worker (or the scheduler).

One queue per worker process (a killed multi-queue worker can lose a job; the relay recovers
it anyway). The `messages` and `webhooks` queues run jobs in-process (SimpleWorker): deliveries are short, a
fork per job would cost more than the send, and a crash loses nothing. Other queues fork a
child per job; `--simple` / `--fork` override either choice."""

from __future__ import annotations

import argparse
import logging
import sys

WORKER_TTL = 60  # heartbeat at least every 45 s; /healthz wants one within 2 minutes
IN_PROCESS_QUEUES = {"messages", "webhooks"}


def _warm_up() -> None:
    """Do once in the parent what every forked job would otherwise do again."""
    import email.headerregistry  # noqa: F401
    import email.policy  # noqa: F401

    from sqlalchemy.orm import configure_mappers

    import worker.jobs  # noqa: F401
    import worker.webhooks  # noqa: F401

    configure_mappers()


def run_worker(queues: list[str], burst: bool = False, simple: bool | None = None) -> bool:
    from redis import Redis
    from rq import Queue, SimpleWorker, Worker

    from portal import create_app
    from portal.extensions import queue_name
    from worker.app import set_app

    app = create_app()
    set_app(app)
    _warm_up()
    if simple is None:
        simple = set(queues) <= IN_PROCESS_QUEUES
    conn = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
    qs = [Queue(queue_name(q, app), connection=conn) for q in queues]
    cls = SimpleWorker if simple else Worker
    w = cls(qs, connection=conn, worker_ttl=WORKER_TTL)
    return w.work(burst=burst, logging_level="INFO")


def run_scheduler(standby: bool = True) -> int:
    """Run the periodic plan; with `standby`, wait for a running scheduler's lock and take over
    when it dies (run two for failover), else refuse to start beside it."""
    from rq.exceptions import StopRequested

    from portal import create_app
    from worker.app import set_app
    from worker.schedule import SchedulerRunning, build_scheduler

    app = create_app()
    set_app(app)
    try:
        build_scheduler(app, standby=standby).start()
    except SchedulerRunning as exc:
        logging.getLogger("worker").error("%s", exc)
        return 1
    except StopRequested:  # stopped (SIGTERM) while standing by
        return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument(
        "--queue",
        "-q",
        action="append",
        choices=["messages", "default", "webhooks"],
        help="queue to listen on (repeatable; default: messages)",
    )
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--simple",
        dest="simple",
        action="store_true",
        default=None,
        help="run jobs in the worker process (default for the messages queue)",
    )
    mode.add_argument(
        "--fork", dest="simple", action="store_false", help="fork a child per job (default for other queues)"
    )
    parser.add_argument("--scheduler", action="store_true", help="run the periodic scheduler instead")
    args = parser.parse_args(argv)  # logging is set up by create_app (portal/logs.py)
    if args.scheduler:
        return run_scheduler()
    run_worker(args.queue or ["messages"], burst=args.burst, simple=args.simple)
    return 0


if __name__ == "__main__":
    sys.exit(main())
