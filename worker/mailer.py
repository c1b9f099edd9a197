"""Build and send one email over SMTP; failures are sorted into transient and permanent.
Never writes to the database: worker/delivery.py decides what a failure does to the message."""

from __future__ import annotations

import binascii
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import idna
from flask import current_app

from portal.models import Firm, Message
from portal.outbox.reply_address import bounce_address, reply_address


class TransientError(Exception):
    """Try again later: connection refused or dropped, timeout, 4xx."""


class PermanentError(Exception):
    """Do not retry: 5xx (bad address, rejected)."""


def mail_domain() -> str:
    sender = current_app.config.get("MAIL_FROM") or ""
    return sender.rpartition("@")[2] or current_app.config["BASE_DOMAIN"] or "localhost"


def message_id(msg: Message) -> str:
    """Stable per message: a resend after a crash carries the same Message-ID."""
    return f"<portal.{msg.firm_id}.{msg.id}@{idna_domain(mail_domain())}>"


# What the recruiter reads on a message that needs SMTPUTF8 when the server does not offer it.
INTERNATIONAL = (
    "The mail server does not accept international addresses (with letters such as é "
    "before the @): {address} cannot be reached through it."
)


def idna_domain(domain: str) -> str:
    """A domain as DNS and SMTP carry it: international labels in their xn-- (IDNA) form."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise PermanentError(f"The address domain {domain} cannot be written for email ({exc}).") from exc


def ascii_address(address: str) -> str | None:
    """The address as SMTP without SMTPUTF8 carries it (the domain in IDNA form), or None when
    its local part (before the @) is not ASCII: only SMTPUTF8 carries that. Raises
    PermanentError when the domain cannot be encoded at all."""
    local, at, domain = address.rpartition("@")
    if not at:
        return address if address.isascii() else None
    if not local.isascii():
        return None
    return f"{local}@{idna_domain(domain)}"


_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
_ESCAPES = re.compile(r'[\\"]')


def _utf8_mailbox(name: str | None, address: str) -> str:
    """`Name <address>` in UTF-8 as is, for an SMTPUTF8 message (formataddr refuses a
    non-ASCII address)."""
    name, address = (" ".join(v.splitlines()) for v in (name or "", address))  # no header injection
    if not name:
        return address
    if _SPECIALS.search(name):
        name = '"' + _ESCAPES.sub(r"\\\g<0>", name) + '"'
    return f"{name} <{address}>"


def reply_to(firm: Firm, msg) -> str | None:
    """reply+<token>@<reply domain> for a message with a reply token when the firm or the
    installation has a reply domain (replies thread into the conversation); else the firm's
    own reply-to address, or none."""
    return reply_address(firm, getattr(msg, "reply_token", None)) or firm.reply_to or None


def build_email(firm: Firm, msg: Message, extra_headers: dict[str, str] | None = None) -> EmailMessage:
    cfg = current_app.config
    sender = firm.sender_email or cfg.get("MAIL_FROM") or f"no-reply@{mail_domain()}"
    em = EmailMessage()
    em["From"] = formataddr((firm.from_name, sender))
    em["To"] = formataddr((msg.to_name or "", msg.to_email or ""))
    if reply_to(firm, msg):
        em["Reply-To"] = reply_to(firm, msg)
    em["Subject"] = msg.subject
    em["Message-ID"] = message_id(msg)
    em["Date"] = format_datetime(msg.created_at)
    em["Auto-Submitted"] = "auto-generated"
    for name, value in (extra_headers or {}).items():
        em[name] = value
    em.set_content(msg.body_text)
    em.add_alternative(msg.body_html, subtype="html")
    return em


@dataclass(frozen=True)
class RawEmail:
    """An email already serialised for SMTP (see `build_raw`): the envelope and the bytes."""

    sender: str  # MAIL FROM: the From address, or bounce+<token>@<reply domain> (see build_raw)
    recipients: tuple[str, ...]
    data: bytes
    message_id: str
    smtputf8: bool = False  # a non-ASCII local part: only a server offering SMTPUTF8 takes it


def _ascii(value: str) -> bool:
    return value.isascii()


def _header(name: str, value: str) -> str:
    """One header line: ASCII as is (folded at spaces when long), anything else as RFC 2047
    encoded words (utf-8), which is what the email package sends for it too."""
    value = str(value).replace("\r", " ").replace("\n", " ")  # no raw line breaks in a header
    if _ascii(value) and len(name) + 2 + len(value) <= 78:
        return f"{name}: {value}"
    charset = "us-ascii" if _ascii(value) else "utf-8"
    return f"{name}: " + Header(value, charset, header_name=name).encode(linesep="\r\n")


_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\s*$", re.M)


def _part(subtype: str, body: str, params: str = "") -> bytes:
    """A text part: 7bit when it is ASCII with SMTP-safe lines, quoted-printable otherwise.
    `params` adds Content-Type parameters (`; method=REQUEST` on an invitation)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    data = body.encode("utf-8")
    if data.isascii() and max(map(len, data.split(b"\n"))) <= 998:
        cte = "7bit"
    else:
        cte = "quoted-printable"
        data = binascii.b2a_qp(data, istext=True)
    if not data.endswith(b"\n"):
        data += b"\n"
    head = f'Content-Type: text/{subtype}; charset="utf-8"{params}\nContent-Transfer-Encoding: {cte}\n\n'
    return head.encode("ascii") + data


def build_raw(firm: Firm, msg, extra_headers: dict[str, str] | None = None) -> RawEmail | EmailMessage:
    """`build_email`, serialised directly: the same headers and a multipart/alternative
    text + HTML body, at a fraction of the email package's cost (its header parsing and
    generator took most of a delivery's CPU).

    International addresses: a domain goes in its IDNA (xn--) form, so an ASCII local part
    needs nothing more; a non-ASCII local part makes an SMTPUTF8 message (`smtputf8`, the
    addresses in UTF-8 as they are), which only a server offering SMTPUTF8 accepts (see
    Connection.send). An address that cannot be encoded raises PermanentError."""
    cfg = current_app.config
    sender = firm.sender_email or cfg.get("MAIL_FROM") or f"no-reply@{mail_domain()}"
    to_email = msg.to_email or ""
    if not to_email:
        return build_email(firm, msg, extra_headers)
    originals: dict[str, str] = {"From": sender, "To": to_email}
    replies = reply_to(firm, msg)
    if replies:
        originals["Reply-To"] = replies
    # The envelope sender (MAIL FROM, the Return-Path where bounces go): the From address, or
    # bounce+<token>@<reply domain> with PORTAL_BOUNCE_TO_REPLY_DOMAIN (never a header here).
    originals["Envelope"] = bounce_address(firm, getattr(msg, "reply_token", None)) or sender
    plain = {name: ascii_address(value) for name, value in originals.items()}
    utf8 = None in plain.values()
    addr = originals if utf8 else {name: value for name, value in plain.items() if value is not None}  # all are

    def mailbox(name: str, display: str | None) -> str:
        if utf8:
            return f"{name}: {_utf8_mailbox(display, addr[name])}"
        if display is None:
            return _header(name, addr[name])
        return _header(name, formataddr((display, addr[name]), charset="utf-8"))

    mid = message_id(msg)
    lines = [mailbox("From", firm.from_name), mailbox("To", msg.to_name or "")]
    if "Reply-To" in addr:
        lines.append(mailbox("Reply-To", None))
    lines += [
        _header("Subject", msg.subject),
        f"Message-ID: {mid}",
        f"Date: {format_datetime(msg.created_at)}",
        "Auto-Submitted: auto-generated",
    ]
    lines += [_header(name, value) for name, value in (extra_headers or {}).items()]
    parts = [_part("plain", msg.body_text), _part("html", msg.body_html)]
    invitation = getattr(msg, "calendar", None)
    if invitation:  # an interview's invitation: the calendar alternative iMIP (RFC 6047) expects
        method = _METHOD.search(invitation)
        parts.append(_part("calendar", invitation, f"; method={method.group(1).upper() if method else 'REQUEST'}"))
    boundary = f"=_portal_{uuid.uuid4().hex}"
    while any(boundary.encode() in p for p in parts):  # pragma: no cover - 128 random bits
        boundary = f"=_portal_{uuid.uuid4().hex}"
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', "", ""]
    sep = f"--{boundary}\n".encode()
    data = ("\n".join(lines)).encode("utf-8" if utf8 else "ascii") + b"".join(sep + p for p in parts)
    data += f"--{boundary}--\n".encode()
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return RawEmail(addr["Envelope"], (addr["To"],), data, mid, smtputf8=utf8)


def _classify(exc: smtplib.SMTPException) -> Exception:
    """5xx about this message (recipient refused, DATA rejected) is permanent; anything
    else, including a 5xx about our own session (greeting, HELO, sender, login: a
    configuration problem, not the recipient's), is retried with backoff."""
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", b"")
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, error = max(exc.recipients.values(), key=lambda pair: pair[0])
    detail = f"{code} {_text(error)}" if code else f"{type(exc).__name__}: {exc}"
    about_message = isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError))
    if code is not None and 500 <= int(code) < 600 and about_message:
        return PermanentError(f"rejected by the mail server: {detail}")
    if code is not None and 500 <= int(code) < 600:
        return TransientError(f"the mail server refused our session: {detail}")
    return TransientError(f"mail server unavailable: {detail}")


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class Connection:
    """One SMTP session for several messages (the batch delivery job).

    Opened lazily on the first `send`; any failure closes it, and the next `send` opens a
    new one. Every socket operation has SMTP_TIMEOUT, far shorter than a job's timeout.
    """

    def __init__(self) -> None:
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        cfg = current_app.config
        host, port, timeout = cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_TIMEOUT"]
        if cfg["SMTP_SECURITY"] == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if cfg["SMTP_SECURITY"] == "starttls":
                conn.starttls(context=ssl.create_default_context())
            if cfg.get("SMTP_USER"):
                conn.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, email: EmailMessage | RawEmail) -> None:
        """Send one message; raise TransientError or PermanentError."""
        try:
            if self.conn is None:
                self.conn = self._open()
            if isinstance(email, RawEmail) and email.smtputf8:
                self.conn.ehlo_or_helo_if_needed()
                if not self.conn.has_extn("smtputf8"):
                    raise PermanentError(INTERNATIONAL.format(address=", ".join(email.recipients)))
                options = ["SMTPUTF8"] + (["BODY=8BITMIME"] if self.conn.has_extn("8bitmime") else [])
                self.conn.sendmail(email.sender, list(email.recipients), email.data, mail_options=options)
            elif isinstance(email, RawEmail):
                self.conn.sendmail(email.sender, list(email.recipients), email.data)
            else:
                self.conn.send_message(email)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise TransientError(f"mail server disconnected: {exc}") from exc
        except smtplib.SMTPException as exc:
            self._drop()
            raise _classify(exc) from exc
        except TimeoutError as exc:
            self._drop()
            raise TransientError("mail server timed out") from exc
        except OSError as exc:  # refused, unreachable, reset
            self._drop()
            raise TransientError(f"mail server unreachable: {exc}") from exc

    def _drop(self) -> None:
        """After an error: close the socket without another round trip."""
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def send(email: EmailMessage | RawEmail) -> None:
    """Send one message over its own SMTP session (see Connection)."""
    with Connection() as conn:
        conn.send(email)
