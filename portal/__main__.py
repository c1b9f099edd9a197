"""`portal` (and `python -m portal`): the command line, a Flask CLI group around create_app().

Commands come from the app (`portal/cli.py`, `portal/devtools/cli.py`, Flask-Migrate's `db`);
`portal worker|scheduler` arrive through the `flask.commands` entry point (`worker/cli.py`), so
this module never imports worker/."""

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
