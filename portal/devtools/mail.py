"""Development only: read the emails the local SMTP catcher saved (`portal dev`), at /dev/mail,
as the addressee receives them: the headers that matter, the HTML part (in a sandboxed frame,
served from its own address under a CSP of its own: no script ever runs, nothing loads from
elsewhere) and the text part. Registered only in development and testing; it reads files,
never sends anything, and never serves an email's HTML without the sandbox and that CSP.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from email.message import EmailMessage
from typing import cast

from flask import Blueprint, Response, abort, current_app, render_template

bp = Blueprint("dev", __name__)
NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")
# The headers a recipient's mail program acts on, in the order shown.
SHOWN_HEADERS = ("From", "Reply-To", "To", "Subject", "Date", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID")
# An email's HTML: its own inline styles and data: images, nothing else, no script, in a
# sandbox even when opened on its own; framed only by /dev/mail itself.
EMAIL_CSP = (
    "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
)
# The frame's sandbox: links open in a new tab (the portal refuses to be framed), no scripts,
# and never the page's own origin (allow-scripts and allow-same-origin are never added).
FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
NEW_TAB = '<base target="_blank">'


def _dir() -> str:
    return current_app.config["MAIL_CATCHER_DIR"]


def _load(name: str) -> EmailMessage:
    if not NAME.match(name):
        abort(404)
    path = os.path.join(_dir(), name)
    if not os.path.isfile(path):
        abort(404)
    with open(path, "rb") as fh:
        return cast(EmailMessage, email.message_from_binary_file(fh, policy=email.policy.default))


def _part(msg: EmailMessage, kind: str) -> str | None:
    part = msg.get_body(preferencelist=(kind,))
    return part.get_content() if part is not None else None


@bp.route("/mail")
def mail_index():
    names = (
        sorted((n for n in os.listdir(_dir()) if NAME.match(n)), reverse=True)[:200] if os.path.isdir(_dir()) else []
    )
    items = []
    for n in names:
        msg = _load(n)
        items.append({"name": n, "to": msg["To"], "subject": msg["Subject"], "date": msg["Date"]})
    return render_template("dev/mail_index.html", items=items, folder=_dir())


@bp.route("/mail/<name>")
def mail_view(name: str):
    msg = _load(name)
    shown = [(k, msg[k]) for k in SHOWN_HEADERS if msg[k] is not None]
    return render_template(
        "dev/mail_view.html",
        name=name,
        msg=msg,
        shown=shown,
        has_html=_part(msg, "html") is not None,
        sandbox=FRAME_SANDBOX,
        text=_part(msg, "plain") or "",
        headers=list(msg.items()),
    )


@bp.route("/mail/<name>/html")
def mail_html(name: str):
    """The email's HTML part alone, for the sandboxed frame on its page."""
    html = _part(_load(name), "html")
    if html is None:
        abort(404)
    head = re.search(r"<head[^>]*>", html, re.I)
    html = html[: head.end()] + NEW_TAB + html[head.end() :] if head else NEW_TAB + html
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = EMAIL_CSP
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp
