"""docs/PERFORMANCE.md: this runner rewrites only its own sections (Summary, Dataset, Pages);
sections written by others (Matching, Worker, ...) are kept as they are."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess

OWN = ("Summary", "Dataset", "Pages")
ORDER = ("Summary", "Dataset", "Pages", "Scale", "Matching", "Worker")
PREAMBLE = """# Performance

Measured by `make bench` (`python -m bench`): it generates a firm at real size
(`bench/generate.py`), serves the app with gunicorn on 127.0.0.1 and loads each page with wrk
while the same server serves a ceiling page, then runs the worker benchmarks. Each page is
reported as a ratio of the ceiling measured in the same run, because absolute numbers on a
shared 2-core machine drift. Targets are goals, reported as met or not met; `make test` never
asserts them.
"""


def split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(preamble, [(title, body)]) for `## Title` headings."""
    parts = re.split(r"(?m)^## (.+?)\s*$", text)
    preamble = parts[0]
    sections = [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]
    return preamble, sections


def update_sections(path: str, new: dict[str, str]) -> None:
    """Replace (or add) the given sections; keep every other section and the preamble."""
    text = open(path).read() if os.path.exists(path) else PREAMBLE
    preamble, sections = split_sections(text)
    titles = [t for t, _ in sections]
    bodies = dict(sections)
    for title, body in new.items():
        bodies[title] = "\n" + body.strip("\n") + "\n\n"
        if title not in titles:
            # insert in the canonical order, before the first later-ordered existing section
            rank = ORDER.index(title) if title in ORDER else len(ORDER)
            pos = len(titles)
            for i, t in enumerate(titles):
                if (ORDER.index(t) if t in ORDER else len(ORDER)) > rank:
                    pos = i
                    break
            titles.insert(pos, title)
    out = preamble.rstrip("\n") + "\n\n" + "".join(f"## {t}\n{bodies[t]}" for t in titles)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(out.rstrip("\n") + "\n")


def read_section(path: str, title: str) -> str | None:
    if not os.path.exists(path):
        return None
    return dict(split_sections(open(path).read())[1]).get(title)


# ---------------------------------------------------------------- facts about the machine


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    osname = platform.platform()
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    import sqlite3

    import gunicorn

    load = ""
    try:
        load = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        pass
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        m = re.search(r"wrk (\S+)", _cmd([wrk, "-v"]) or "")
        wrk_version = m.group(1) if m else "installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": osname,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
        "loadavg_before": load,
    }


def postgres_version(url: str) -> str:
    try:
        from sqlalchemy import create_engine, text

        eng = create_engine(url)
        with eng.connect() as conn:
            v = conn.execute(text("SHOW server_version")).scalar()
        eng.dispose()
        return str(v)
    except Exception:  # noqa: BLE001 - only a label
        return "?"


# ---------------------------------------------------------------- formatting


def fmt_int(n) -> str:
    return f"{n:,}" if isinstance(n, int) else str(n)


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")
