"""`portal inbound`: Portal's own SMTP receiver for replies by email (aiosmtpd), for firms that
point their reply domain's MX record at it. It takes mail only for reply+<token>@<a known reply
domain> and bounce+<token>@<a reply domain> whose token is known there (any other recipient:
550 at RCPT), up to PORTAL_INBOUND_MAX_MB, and hands each mail to portal.inbound.receive,
which parses, decides and commits before we answer 250: a crash before then leaves the mail
with the sending server, which tries again (a database error is answered 451 for the same
reason). No Redis is involved.

Runs the database work in a thread (one app context per mail), never in the event loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from aiosmtpd.controller import Controller
from flask import Flask

from portal.extensions import db

log = logging.getLogger(__name__)


class InboundHandler:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _in_app(self, fn, *args):
        with self.app.app_context():
            try:
                return fn(*args)
            finally:
                db.session.remove()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        from portal.services.inbound_mail import accepts_recipient

        loop = asyncio.get_running_loop()
        try:
            ok = await loop.run_in_executor(None, self._in_app, accepts_recipient, address)
        except Exception:  # noqa: BLE001 - the database is down: the sender tries again later
            log.exception("inbound: recipient check failed")
            return "451 4.3.0 Temporary failure, please try again later"
        if not ok:
            return "550 5.1.1 No such reply address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from portal.inbound import receive

        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        accepted = 0
        for rcpt in envelope.rcpt_tos:
            try:
                outcome = await loop.run_in_executor(None, self._in_app, receive, raw, envelope.mail_from or "", rcpt)
            except Exception:  # noqa: BLE001 - nothing was committed: the sender keeps the mail and retries
                log.exception("inbound: mail to %s not stored", rcpt)
                return "451 4.3.0 Temporary failure, please try again later"
            log.info("inbound: mail to %s: %s %s", rcpt, outcome.status, outcome.detail)
            accepted += outcome.accepted
        if not accepted:
            return "550 5.1.1 No such conversation"
        return "250 2.0.0 Message accepted"


def controller(app: Flask, host: str | None = None, port: int | None = None) -> Controller:
    """The SMTP server (not started): `.start()` serves in a thread, `.stop()` ends it."""
    cfg = app.config
    return Controller(
        InboundHandler(app),
        hostname=host or cfg["INBOUND_HOST"],
        port=int(port or cfg["INBOUND_PORT"]),
        data_size_limit=cfg["INBOUND_MAX_BYTES"],
        server_hostname=cfg.get("REPLY_DOMAIN") or None,
    )


def serve(app: Flask, host: str | None = None, port: int | None = None) -> None:
    """Run until SIGTERM or Ctrl-C."""
    server = controller(app, host, port)
    server.start()
    log.info("portal inbound: listening on %s:%s", server.hostname, server.port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
