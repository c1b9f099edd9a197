"""POST /inbound/mail: replies by email through a mail provider's inbound-routing webhook.

Authenticated by PORTAL_INBOUND_SECRET (unset: the route answers 404), compared in constant
time, given as the password of HTTP Basic authentication (any user name; a provider's
https://portal:<secret>@host/inbound/mail) or in an `X-Portal-Inbound-Secret` header.
The raw MIME message is the request body (Content-Type: message/rfc822), or a form field:
`email` (SendGrid Inbound Parse with "POST the raw, full MIME message") or `body-mime`
(Mailgun's forward() to a URL ending in "mime"). The recipient is the `recipient` form field or
query parameter, SendGrid's `envelope` "to", else the reply+ address among the message's
Delivered-To, X-Original-To, To and Cc headers. A bounce+<token> address (the envelope sender
with PORTAL_BOUNCE_TO_REPLY_DOMAIN) is taken the same way: its delivery reports fail the
message the token names.

Not firm-scoped by Host: the recipient address decides the firm (portal.services.inbound_mail).
Answers: 200 with what became of the mail (posted, held, auto_reply, ...); 406 when it was
refused (no such reply address: Mailgun does not retry a 406); 503 on a database error, so
the provider delivers it again; 400 when there is no message."""

from __future__ import annotations

import hmac
import json
import logging
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import csrf
from portal.inbound import receive
from portal.outbox.reply_address import split, split_bounce

bp = Blueprint("inbound", __name__)
csrf.exempt(bp)
log = logging.getLogger(__name__)
RAW_FIELDS = ("email", "body-mime")
HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


def _authorised(secret: str) -> bool:
    given = request.headers.get("X-Portal-Inbound-Secret", "")
    if not given and request.authorization is not None:
        given = request.authorization.password or ""
    return hmac.compare_digest(given.encode(), secret.encode())


def _raw() -> bytes:
    if request.mimetype == "message/rfc822":
        return request.get_data()
    for name in RAW_FIELDS:
        value = request.form.get(name) or (request.files[name].read() if name in request.files else "")
        if value:
            return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    return b""


def _recipient(raw: bytes) -> str:
    given = request.values.get("recipient", "")
    if not given and request.form.get("envelope"):
        try:
            given = ",".join(json.loads(request.form["envelope"]).get("to") or [])
        except (ValueError, AttributeError, TypeError):
            given = ""
    if not given:
        head = BytesHeaderParser().parsebytes(raw)
        given = ",".join(str(head.get(name, "")) for name in HEADERS)
    found = [addr for _n, addr in getaddresses([given]) if split(addr) is not None or split_bounce(addr) is not None]
    return found[0] if found else ""


def _sender() -> str:
    return request.values.get("sender", "") or request.values.get("from", "")


@bp.route("/inbound/mail", methods=["POST"])
def mail():
    secret = current_app.config.get("INBOUND_SECRET")
    if not secret:
        abort(404)
    if not _authorised(secret):
        return Response("unauthorised\n", 401, {"WWW-Authenticate": 'Basic realm="inbound"'})
    raw = _raw()
    if not raw:
        return Response("no message: post it as message/rfc822 or in a form field 'email'\n", 400)
    try:
        outcome = receive(raw, _sender(), _recipient(raw))
    except SQLAlchemyError:
        log.exception("inbound mail not stored: the provider will deliver it again")
        return Response("try again later\n", 503, {"Retry-After": "60"})
    return Response(f"{outcome.status}\n", 200 if outcome.accepted else 406, mimetype="text/plain")
