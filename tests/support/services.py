"""Real services for the test session: a throwaway redis-server, an aiosmtpd sink,
and a fresh PostgreSQL database when PORTAL_TEST_DATABASE_URL is set. The Redis and SMTP
starters are portal/devtools/harness.py's, the ones `portal dev` uses."""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass, field

from portal.devtools.harness import RedisServer, free_port, start_smtp

__all__ = ["RedisProcess", "SinkMessage", "SmtpSink", "free_port", "postgres_database"]


class RedisProcess(RedisServer):
    """A private redis-server on a free loopback port (safe to stop, kill and flush): the
    same starter `portal dev` uses."""


@dataclass
class SinkMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def email(self):
        import email
        import email.policy

        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class SmtpSink:
    """aiosmtpd on loopback that records messages; `reply` makes it refuse (e.g. '550 no')."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[SinkMessage] = field(default_factory=list)
    reply: str | None = None
    stall_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: object = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.stall_seconds:
            import asyncio

            await asyncio.sleep(self.stall_seconds)
        if self.reply:
            return self.reply
        with self.lock:
            self.messages.append(
                SinkMessage(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
            )
        return "250 OK"

    def start(self) -> SmtpSink:
        self.port = self.port or free_port()
        self.controller = start_smtp(self, self.host, self.port)
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
        self.reply = None
        self.stall_seconds = 0.0

    def wait_for(self, count: int, timeout: float = 10.0) -> list[SinkMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                break
            time.sleep(0.02)
        return list(self.messages)


def postgres_database(base_url: str) -> tuple[str, callable]:
    """Create a fresh database beside base_url's; return its URL and a dropper."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database needs no durability: no fsync on every commit.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop
