"""`portal worker` and `portal scheduler` reach the `portal` command through the flask.commands
entry point (worker/cli.py), so the web side never imports worker/: the commands must still be
there, and a burst worker started that way must deliver."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.worker import process_env


def _portal(app, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal", *args], env=process_env(app), capture_output=True, text=True, timeout=120
    )


def test_the_portal_command_offers_the_worker_and_the_scheduler(app):
    out = _portal(app, "--help")
    assert out.returncode == 0, out.stderr
    commands = {line.split()[0] for line in out.stdout.split("Commands:", 1)[1].splitlines() if line.strip()}
    assert {"worker", "scheduler", "firm", "user", "db", "demo", "dev", "matching"} <= commands


@pytest.mark.slow
def test_portal_worker_delivers_what_the_web_queued(app, client_for, firms, smtp_sink):
    c = client_for(firms.a.firm)
    c.post("/reset", data={"email": firms.a.candidate.email})
    assert smtp_sink.messages == []
    out = _portal(app, "worker", "--burst", "-q", "messages")
    assert out.returncode == 0, out.stderr[-2000:]
    assert len(smtp_sink.wait_for(1, timeout=20)) == 1
