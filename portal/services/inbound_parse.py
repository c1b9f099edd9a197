"""Reading one inbound email (pure: no database): who sent it, its Message-ID, the new text of a
reply (quoted history and signature stripped), its attachments as the conversation keeps them,
and whether it is an auto-reply or a delivery report (DSN, RFC 3464).

- MIME and charsets: Python's `email` package with `policy.default`; an unknown or wrong
  charset is read as UTF-8 with replacement characters, never an error.
- HTML-only mail: nh3 (already our sanitiser) keeps only block structure (script and style go
  with their content), then the standard library's HTMLParser writes text with line breaks and
  "> " for quoted blocks, which the reply parser recognises. (html2text is GPL-3.0: not for an
  MIT-licensed product; nh3 is maintained and already trusted here.)
- The new text: mail-parser-reply, which knows the quote headers of common clients in English,
  German, French and more ("On ... wrote:", "Am ... schrieb ...:", "Le ... a écrit :",
  Outlook's "From:/Von:/De :" blocks) and the usual signatures ("Sent from my iPhone").
- Attachments: PDF and Word (.docx) checked by content as CVs are (portal.services.cv.sniff),
  and PNG, JPEG, GIF and WebP images; at most conversations.MAX_ATTACHMENT_BYTES each. Pictures
  embedded in the HTML (signature logos: inline parts with a Content-ID) are not attachments.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

import nh3
from mailparser_reply import EmailReplyParser

from portal.services import cv
from portal.services.conversations import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Attachment

LANGUAGES = ["en", "de", "fr", "nl", "it", "es", "sv", "da", "pl"]
MAX_TEXT = 100_000  # characters read of a body (the reply parser's expressions are not linear)
OUR_MESSAGE_ID = re.compile(r"<?portal\.(\d+)\.(\d+)@[^>\s]+>?", re.I)
IMAGES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"GIF87a": ("image/gif", ".gif"),
    b"GIF89a": ("image/gif", ".gif"),
}
# The phone's sign-off at the end of a reply, in the languages the reply parser does not cover.
MOBILE_SIGN_OFF = re.compile(
    r"\n\s*(envoy[ée] de mon|von meinem|sent from my|get outlook for|verstuurd vanaf mijn|inviato da)\b[^\n]*\s*\Z",
    re.I,
)
# Subjects of out-of-office and vacation replies, in the languages above.
AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|"
    r"r[ée]ponse automatique|absence|automatisch antwoord|afwezig|risposta automatica|"
    r"respuesta autom[áa]tica|fuera de la oficina|autosvar|fr[åa]nvaro|ferien|vacation)",
    re.I,
)


@dataclass
class DeliveryReport:
    """A DSN: what failed, why, and which of our messages it is about (their Message-IDs)."""

    failed: bool
    diagnostic: str
    message_ids: list[tuple[int, int]]  # (firm id, message id) from <portal.F.M@...>


@dataclass
class ParsedMail:
    from_address: str
    subject: str
    message_id: str
    full_text: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # attachments not kept, with the reason
    auto_reply: str | None = None  # why it is an auto-reply
    report: DeliveryReport | None = None


def parse(raw: bytes) -> ParsedMail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)  # policy.default builds EmailMessage
    subject = _header(msg, "Subject")[:250]
    message_id = _header(msg, "Message-ID").strip().strip("<>")[:290]
    if not message_id:  # a re-delivery of the same bytes is still recognised
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    report = delivery_report(msg)
    full_text = "" if report else body_text(msg)
    mail = ParsedMail(
        from_address=from_address(msg),
        subject=subject,
        message_id=message_id,
        full_text=full_text,
        text=new_text(full_text),
        auto_reply=None if report else auto_reply(msg, subject),
        report=report,
    )
    if report is None and mail.auto_reply is None:
        mail.attachments, mail.refused = attachments(msg)
    return mail


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser cannot read
        return ""
    return " ".join(str(value or "").split())


def from_address(msg: EmailMessage) -> str:
    """The From header's address part, lower-cased ('' when there is none)."""
    found = [addr for _name, addr in getaddresses([_header(msg, "From")]) if "@" in addr]
    return found[0].strip().lower()[:254] if found else ""


def auto_reply(msg: EmailMessage, subject: str) -> str | None:
    """Why this mail was written by a machine (RFC 3834 Auto-Submitted, X-Autoreply,
    X-Autorespond, Precedence bulk/list/auto_reply, an out-of-office subject), or None."""
    submitted = _header(msg, "Auto-Submitted").lower()
    if submitted and submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {submitted}"
    for name in ("X-Autoreply", "X-Autorespond"):  # (not X-Auto-Response-Suppress: Outlook sets it on any mail)
        if _header(msg, name):
            return name
    precedence = _header(msg, "Precedence").lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if AUTO_SUBJECT.search(subject):
        return "an out-of-office subject"
    return None


def delivery_report(msg: EmailMessage) -> DeliveryReport | None:
    """A delivery status notification (multipart/report; report-type=delivery-status), or None."""
    if msg.get_content_type() != "multipart/report":
        return None
    if str(msg.get_param("report-type", "", header="content-type")).lower() != "delivery-status":
        return None
    failed, diagnostic, found = False, "", []
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if isinstance(block, str):
                    continue
                action = str(block.get("Action", "")).strip().lower()
                failed = failed or action == "failed"
                if action == "failed" and not diagnostic:
                    diagnostic = " ".join(str(block.get("Diagnostic-Code") or block.get("Status") or "").split())
                for name in ("Original-Message-ID", "X-Original-Message-ID"):
                    found += OUR_MESSAGE_ID.findall(str(block.get(name, "")))
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            found += OUR_MESSAGE_ID.findall(_returned_message_id(part))
    ids = list(dict.fromkeys((int(f), int(m)) for f, m in found))
    return DeliveryReport(failed=failed, diagnostic=diagnostic[:900], message_ids=ids)


def _returned_message_id(part) -> str:
    """The Message-ID of the returned message (whole, or its headers only)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return "" if isinstance(inner, str) or inner is None else str(inner.get("Message-ID", ""))
    text = _decoded(part)
    match = re.search(r"^Message-ID:\s*(.+)$", text, re.I | re.M)
    return match.group(1) if match else ""


def _decoded(part) -> str:
    """A text part's content; a missing or unknown charset is read as UTF-8 with replacements."""
    try:
        content = part.get_content()
        return content if isinstance(content, str) else content.decode("utf-8", "replace")
    except (LookupError, UnicodeError, KeyError, AttributeError, TypeError):
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)


def body_text(msg: EmailMessage) -> str:
    """The mail's text: its text/plain body, else its HTML body as text."""
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _decoded(body)[:MAX_TEXT]
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def new_text(text: str) -> str:
    """What the candidate wrote now: the quoted history and the signature stripped. When the
    parser finds nothing (a mail that is all quote or all signature), the whole text is kept
    rather than lost."""
    # French typography puts a no-break space before the colon of "a écrit :"; Apple Mail adds a
    # byte-order mark inside the quote: as plain spaces the quote headers are recognised.
    text = text.replace("\xa0", " ").replace("\u202f", " ").replace("\ufeff", "")
    if not text.strip():
        return ""
    try:
        replies = EmailReplyParser(languages=LANGUAGES).read(text).replies
    except Exception:  # noqa: BLE001 - a third-party parser must never lose a candidate's mail
        return text.strip()
    latest = replies[0].body.strip() if replies else ""
    latest = latest or (replies[0].full_body.strip() if replies else "") or text.strip()
    return MOBILE_SIGN_OFF.sub("", latest).strip() or latest


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "table", "ul", "ol"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.depth = 0

    def _newline(self) -> None:
        if self.lines[-1].strip(" >"):
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self._newline()
            self.depth += 1
        elif tag in self.BLOCKS:
            if tag == "br":
                self.lines.append("")
            else:
                self._newline()

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self._newline()
            self.depth = max(self.depth - 1, 0)
        elif tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data):
        data = " ".join(data.split()) if data.strip() else ""
        if not data:
            return
        if not self.lines[-1]:
            self.lines[-1] = "> " * self.depth
        self.lines[-1] += (" " if self.lines[-1].strip(" >") else "") + data


def html_to_text(html: str) -> str:
    """Text of an HTML mail: paragraphs and line breaks kept, quoted blocks as "> " lines."""
    keep = {"p", "div", "br", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "blockquote"}
    keep |= {"table", "ul", "ol", "span", "b", "i", "a"}
    safe = nh3.clean(html, tags=keep, attributes={}, link_rel=None, strip_comments=True)
    out = _Text()
    out.feed(safe)
    out.close()
    text = "\n".join(line.rstrip() for line in out.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) by content: PDF, Word (.docx) or an image; None otherwise."""
    kind = cv.sniff(data)
    if kind is not None:
        return kind, cv.EXTENSIONS[kind]
    for magic, found in IMAGES.items():
        if data.startswith(magic):
            return found
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def attachments(msg: EmailMessage) -> tuple[list[Attachment], list[str]]:
    """The files to keep, and a line for each file not kept (too large, a type not allowed,
    over the number allowed)."""
    kept: list[Attachment] = []
    refused: list[str] = []
    for part in msg.iter_attachments() if msg.is_multipart() else []:
        for leaf in part.walk() if part.is_multipart() else [part]:
            if leaf.is_multipart() or leaf.get_content_type().startswith("message/"):
                continue
            name = " ".join(str(leaf.get_filename() or "").split())[:200] or "attachment"
            if leaf.get_content_disposition() == "inline" and leaf.get("Content-ID"):
                continue  # a picture inside the HTML (a signature logo)
            data = leaf.get_payload(decode=True) or b""
            if not isinstance(data, bytes) or not data:
                continue
            if len(data) > MAX_ATTACHMENT_BYTES:
                refused.append(f"{name}: larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
                continue
            found = _sniff(data)
            if found is None:
                refused.append(f"{name}: only PDF, Word (.docx) and image files are kept")
                continue
            if len(kept) >= MAX_ATTACHMENTS:
                refused.append(f"{name}: at most {MAX_ATTACHMENTS} files are kept")
                continue
            kept.append(Attachment(filename=name, content_type=found[0], data=data))
    return kept, refused
