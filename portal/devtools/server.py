"""`portal dev`: the whole product on one machine in one command.

Starts a private redis-server when none answers, an SMTP catcher that saves every email to a
folder (readable at /dev/mail), the RQ workers and the scheduler (as `python -m worker` child
processes: never imported), then the web server on 127.0.0.1. Ctrl-C stops everything it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default as default_policy
from urllib.parse import urlsplit

from flask import Flask

from portal.devtools.harness import redis_answers, start_redis, start_smtp


class SavingHandler:
    """aiosmtpd handler: write each message to <folder>/<time>-<n>.eml."""

    def __init__(self, folder: str):
        self.folder = folder
        self.count = 0
        os.makedirs(folder, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.count += 1
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{self.count:05d}.eml"
        with open(os.path.join(self.folder, name), "wb") as fh:
            fh.write(envelope.original_content or envelope.content)
        subject = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)["Subject"]
        print(f"  [mail] to {', '.join(envelope.rcpt_tos)}: {subject}", flush=True)
        return "250 Message accepted for delivery"


def start_mail_catcher(host: str, port: int, folder: str):
    return start_smtp(SavingHandler(folder), host, port)


_received: list[int] = []  # the stop signals received (werkzeug swallows KeyboardInterrupt)


def _install_stop_handlers() -> None:
    """Ctrl-C, `kill` and a closed terminal all stop everything we started.

    Explicit handlers also work when SIGINT was ignored by whoever started us (a shell's
    `cmd &`), and they are reset to the default in the children we exec."""

    def handler(signum, _frame):
        _received.append(signum)
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def stop_children(children: list[subprocess.Popen], got_sigint: bool) -> None:
    """Stop the workers first (they say goodbye through Redis), then Redis; never hang."""
    workers = [c for c in children if getattr(c, "portal_role", "") != "redis"]
    servers = [c for c in children if getattr(c, "portal_role", "") == "redis"]
    for group in (workers, servers):
        if got_sigint and group is workers:
            # Ctrl-C reached the whole process group (not Redis, in its own session): let the
            # workers finish on their own; a second signal would make RQ kill a running job.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and any(c.poll() is None for c in group):
                time.sleep(0.1)
        for child in group:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in group:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)


def run_dev(app: Flask, port: int) -> None:
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
    cfg = app.config
    children: list[subprocess.Popen] = []
    catcher = None
    env = dict(os.environ)
    env.setdefault("PORTAL_ENV", "development")
    _received.clear()
    _install_stop_handlers()
    try:
        if not redis_answers(cfg["REDIS_URL"]):
            rport = urlsplit(cfg["REDIS_URL"]).port or 6379
            print(f"No Redis at {cfg['REDIS_URL']}: starting a private redis-server on 127.0.0.1:{rport}")
            redis_proc = start_redis(rport, os.path.join(cfg["INSTANCE_DIR"], "redis.log"))
            redis_proc.portal_role = "redis"  # type: ignore[attr-defined]
            children.append(redis_proc)
        try:
            catcher = start_mail_catcher("127.0.0.1", cfg["SMTP_PORT"], cfg["MAIL_CATCHER_DIR"])
            print(f"SMTP catcher on 127.0.0.1:{cfg['SMTP_PORT']}, saving to {cfg['MAIL_CATCHER_DIR']}")
        except OSError as exc:
            print(f"SMTP port {cfg['SMTP_PORT']} is busy ({exc}); using the server already there.")
        py = sys.executable
        for args in (
            ["-m", "worker", "--queue", "messages"],
            ["-m", "worker", "--queue", "default"],
            ["-m", "worker", "--queue", "webhooks"],
            ["-m", "worker", "--scheduler"],
        ):
            children.append(subprocess.Popen([py, *args], env=env))
        url = f"http://127.0.0.1:{port}"
        print("\n" + "=" * 64)
        print(f"Portal is running at {url}  (second firm: http://globex.localhost:{port})")
        print(f"Caught emails: {url}/dev/mail")
        print(f"Demo logins (password: {cfg['DEMO_PASSWORD']}):")
        for who in ("admin", "recruiter", "candidate", "candidate2"):
            print(f"  {who}@demo.example")
        print("  admin@globex.example, recruiter@globex.example, candidate@globex.example")
        print("Press Ctrl-C to stop everything.")
        print("=" * 64 + "\n", flush=True)
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, use_reloader=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while stopping must not leave children behind.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        stop_children(children, got_sigint=signal.SIGINT in _received)
        if catcher is not None:
            catcher.stop()
        print("Stopped.", flush=True)
