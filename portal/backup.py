"""`portal backup FILE` and `portal restore FILE`: the whole installation's data in one file.

PostgreSQL through its own tools (pg_dump's custom format, pg_restore --clean), SQLite through
its online backup API. With the database file storage (the default) the files (CVs, logos,
recruiters' photos, conversation attachments) are rows of the database, so one file holds everything; with S3 storage the bucket is backed up on its own
(versioning or replication), which `backup` says. Restore into a stopped installation: stop
web servers, workers and schedulers first, then `portal db upgrade` if the backup is older."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


def _libpq_url(url: str) -> str:
    """SQLAlchemy's URL as the PostgreSQL tools read it (no +driver)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise click.ClickException(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def backup_database(url: str, target: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", target, "--dbname", _libpq_url(url)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")
        return
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        source = sqlite3.connect(parsed.database)
        try:
            with sqlite3.connect(target) as copy:
                source.backup(copy)  # consistent even while the app writes
        finally:
            source.close()
        return
    raise click.ClickException(f"cannot back up a {parsed.get_backend_name()} database")


def restore_database(url: str, source: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _libpq_url(url),
                source,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise click.ClickException(f"pg_restore failed: {done.stderr.strip()}")
        return
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        with sqlite3.connect(source) as backup, sqlite3.connect(parsed.database) as live:
            backup.backup(live)
        return
    raise click.ClickException(f"cannot restore a {parsed.get_backend_name()} database")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(target: str) -> None:
    """Write the installation's database (and, with the database storage, every file) to TARGET."""
    backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    size = os.path.getsize(target)
    click.echo(f"Backed up to {target} ({size:,} bytes).")
    if current_app.config["STORAGE"] == "s3":
        click.echo(
            "Files are in S3: back up the bucket on its own (versioning or replication); "
            "this backup holds their keys (CVs, logos, photos, attachments)."
        )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: replace the current data.")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """Replace the installation's data with a backup (stop every Portal process first)."""
    if not yes:
        click.confirm("This replaces every firm's current data with the backup. Continue?", abort=True)
    from portal.extensions import db

    db.session.remove()
    db.engine.dispose()  # no connection of ours holds a lock the restore must take
    restore_database(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    click.echo(f"Restored from {source}. Run `portal db upgrade` if the backup is from an older release.")
