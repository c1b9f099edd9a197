"""Build and send one email over SMTP. Failures are sorted into transient and permanent."""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, format_datetime

from flask import current_app

from portal.models import Firm, Message


class TransientError(Exception):
    """Try again later: connection refused or dropped, timeout, 4xx."""


class PermanentError(Exception):
    """Do not retry: 5xx (bad address, rejected)."""


def mail_domain() -> str:
    sender = current_app.config.get("MAIL_FROM") or ""
    return sender.rpartition("@")[2] or current_app.config["BASE_DOMAIN"] or "localhost"


def message_id(msg: Message) -> str:
    """Stable per message: a resend after a crash carries the same Message-ID."""
    return f"<portal.{msg.firm_id}.{msg.id}@{mail_domain()}>"


def build_email(firm: Firm, msg: Message, extra_headers: dict[str, str] | None = None) -> EmailMessage:
    cfg = current_app.config
    sender = firm.sender_email or cfg.get("MAIL_FROM") or f"no-reply@{mail_domain()}"
    em = EmailMessage()
    em["From"] = formataddr((firm.from_name, sender))
    em["To"] = formataddr((msg.to_name or "", msg.to_email or ""))
    if firm.reply_to:
        em["Reply-To"] = firm.reply_to
    em["Subject"] = msg.subject
    em["Message-ID"] = message_id(msg)
    em["Date"] = format_datetime(msg.created_at)
    em["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        em[name] = value
    em.set_content(msg.body_text)
    em.add_alternative(msg.body_html, subtype="html")
    return em


def _classify(exc: smtplib.SMTPException) -> Exception:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = max(codes) if codes else None
    detail = f"{code} {getattr(exc, 'smtp_error', b'')!r}" if code else f"{type(exc).__name__}: {exc}"
    if code is not None and 500 <= int(code) < 600:
        return PermanentError(f"rejected by the mail server: {detail}")
    return TransientError(f"mail server unavailable: {detail}")


def send(email: EmailMessage) -> None:
    """Send over SMTP with a socket timeout shorter than the job timeout."""
    cfg = current_app.config
    host, port, timeout = cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_TIMEOUT"]
    try:
        if cfg["SMTP_SECURITY"] == "ssl":
            conn = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(host, port, timeout=timeout)
        with conn:
            if cfg["SMTP_SECURITY"] == "starttls":
                conn.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                conn.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
            conn.send_message(email)
    except smtplib.SMTPServerDisconnected as exc:
        raise TransientError(f"mail server disconnected: {exc}") from exc
    except smtplib.SMTPException as exc:
        raise _classify(exc) from exc
    except (socket.timeout, TimeoutError) as exc:
        raise TransientError("mail server timed out") from exc
    except OSError as exc:  # refused, unreachable, reset
        raise TransientError(f"mail server unreachable: {exc}") from exc
