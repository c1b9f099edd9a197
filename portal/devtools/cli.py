"""`portal demo` and `portal dev`: demo data and the whole product on one machine.
Development helpers only; nothing on a production path calls them."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo firms and people (safe to run again: it resets them)."""
    from portal import transaction
    from portal.devtools.demo import load_demo

    with transaction.transaction():
        lines = load_demo()
    for line in lines:
        click.echo(line)


@click.command("dev")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
def dev_command(port: int) -> None:
    """Run everything for development: Redis (if none), SMTP catcher, worker, scheduler, web."""
    from portal.devtools.server import run_dev

    run_dev(current_app._get_current_object(), port)
