"""The files an operator reads: the Procfile is the one the README shows, and its processes are
real commands of this installation; the licence pyproject declares is in the repository."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_procfile_is_the_one_the_readme_shows():
    procfile = (ROOT / "Procfile").read_text().strip()
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```\n(release:.*?)```", readme, flags=re.S)
    assert blocks, "the README shows a Procfile"
    assert blocks[0].strip() == procfile


def test_every_procfile_process_is_a_command_portal_offers(app):
    from tests.support.worker import process_env

    for line in (ROOT / "Procfile").read_text().splitlines():
        name, command = line.split(":", 1)
        words = command.split()
        if words[0] != "portal":
            assert words[0] == "gunicorn" and "portal:create_app()" in command, line
            continue
        argv = [sys.executable, "-m", "portal", *words[1:], "--help"]
        done = subprocess.run(argv, env=process_env(app), cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (name, done.stdout, done.stderr)


def test_the_licence_pyproject_declares_is_in_the_repository():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
