"""`portal dev` (what `make dev` runs): everything in one command, and Ctrl-C stops it all."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.services import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _children(pid: int) -> set[int]:
    """Every live descendant of pid (from /proc)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    parents[int(name)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(fn, timeout: float):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"timed out; last: {last!r}")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.skipif(
    bool(os.environ.get("PORTAL_TEST_DATABASE_URL")),
    reason="runs in the SQLite pass only: `portal dev` always uses its own SQLite file",
)
def test_portal_dev_runs_everything_and_ctrl_c_stops_it(tmp_path):
    port, redis_port, smtp_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        {
            "PORTAL_ENV": "development",
            "PORTAL_INSTANCE_DIR": str(tmp_path),
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
            "PORTAL_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",  # nothing there: a private one starts
            "PORTAL_SMTP_PORT": str(smtp_port),
            "PORTAL_DEFAULT_FIRM": "demo",
            "PORT": str(port),
            "PORTAL_QUEUE_PREFIX": f"devtest{os.getpid()}",
            "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "PORTAL_PUBLIC_PORT_SUFFIX": f":{port}",
        }
    )
    cli = [sys.executable, "-m", "portal"]
    for args in (["db", "upgrade"], ["demo"]):
        done = subprocess.run(cli + args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    log = open(tmp_path / "dev.log", "wb")
    proc = subprocess.Popen(
        cli + ["dev"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _wait_for(lambda: urllib.request.urlopen(f"{base}/login", timeout=2).status == 200, 60)

        def healthy():
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=3).status == 200
            except urllib.error.HTTPError:
                return False

        _wait_for(healthy, 60)  # database, the private Redis and a worker heartbeat
        children = _children(proc.pid)
        assert len(children) >= 4, children  # redis-server, two workers, the scheduler

        # A demo candidate signs in (with the CSRF token of the page).
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def post(path, **fields):
            page = opener.open(base + path, timeout=5).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
            return opener.open(base + path, data=data, timeout=5)

        resp = post("/login", email="candidate@demo.example", password="portal-demo")
        assert resp.url == f"{base}/me/" and "Hello, Alex" in resp.read().decode()
        # A reset request is caught by the local SMTP catcher and listed at /dev/mail.
        post("/reset", email="candidate2@demo.example")
        mail = _wait_for(
            lambda: (lambda b: "Choose a new password for Northwind Search" in b and b)(
                urllib.request.urlopen(f"{base}/dev/mail", timeout=3).read().decode()
            ),
            30,
        )
        assert "candidate2@demo.example" in mail
        assert list((tmp_path / "mail").glob("*.eml"))
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
            raise
        finally:
            log.close()
    output = (tmp_path / "dev.log").read_text()
    assert "Stopped." in output, output[-3000:]
    left = [pid for pid in children if _alive(pid)]
    assert left == [], f"left running: {left}"
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        Redis(port=redis_port, socket_connect_timeout=0.5).ping()
