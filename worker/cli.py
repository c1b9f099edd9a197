"""`portal worker` and `portal scheduler`: registered as `flask.commands` entry points in
pyproject.toml, so the `portal` command offers them without the web side importing worker/."""

from __future__ import annotations

import click


@click.command("worker")
@click.option("--queue", "-q", multiple=True, type=click.Choice(["messages", "default", "webhooks"]))
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--simple", is_flag=True, help="Run jobs in-process (no fork per job).")
def worker_command(queue: tuple[str, ...], burst: bool, simple: bool) -> None:
    """Run an RQ worker (default queue: messages)."""
    from worker.__main__ import run_worker

    run_worker(list(queue) or ["messages"], burst=burst, simple=simple or None)


@click.command("scheduler")
@click.option(
    "--standby/--no-standby",
    default=True,
    help="When another scheduler runs, wait and take over when it dies (default), or exit with an error.",
)
def scheduler_command(standby: bool) -> None:
    """Run the periodic scheduler: one runs the plan, any other stands by to take over."""
    from worker.__main__ import run_scheduler

    raise SystemExit(run_scheduler(standby=standby))


@click.command("inbound")
@click.option("--host", default=None, help="Address to listen on (default PORTAL_INBOUND_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default PORTAL_INBOUND_PORT, 2525).")
def inbound_command(host: str | None, port: int | None) -> None:
    """Receive replies by email over SMTP (point the reply domain's MX record here)."""
    import logging

    from worker.app import get_app
    from worker.inbound import serve

    logging.basicConfig(level=logging.INFO)
    serve(get_app(), host, port)
