"""Development only: read the emails the local SMTP catcher saved (`portal dev`), at /dev/mail.
Registered only in development and testing; it reads files, never sends anything."""

from __future__ import annotations

import email
import email.policy
import os
import re

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("dev", __name__)
NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")


def _dir() -> str:
    return current_app.config["MAIL_CATCHER_DIR"]


def _load(name: str):
    if not NAME.match(name):
        abort(404)
    path = os.path.join(_dir(), name)
    if not os.path.isfile(path):
        abort(404)
    with open(path, "rb") as fh:
        return email.message_from_binary_file(fh, policy=email.policy.default)


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
    text = msg.get_body(preferencelist=("plain",))
    return render_template(
        "dev/mail_view.html", name=name, msg=msg, text=text.get_content() if text else "", headers=list(msg.items())
    )
