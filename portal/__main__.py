"""`portal` (and `python -m portal`): the command line, a Flask CLI group around create_app().

Commands come from the app (`portal/cli.py`, `portal/devtools/cli.py`, Flask-Migrate's `db`)
and from the `flask.commands` entry point (`portal worker|scheduler`, in `worker/cli.py`)."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app(*_args, **_kwargs) -> Flask:
    from portal import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Portal: a candidate portal and recruiter backend for recruiting firms."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
