"""The one candidate page that needs no login: the one-click unsubscribe (RFC 8058).

GET only shows a confirmation with a button (link scanners must never unsubscribe anyone); POST
unsubscribes from every optional stream and answers 200, also for a mail provider's
`List-Unsubscribe=One-Click` POST, which carries no CSRF token. A token is looked up within the
request's firm only: another firm's token, or a token on another firm's host, is a 404."""

from __future__ import annotations

from flask import g, render_template, request

from portal.extensions import csrf
from portal.services import preferences
from portal.web.actions import found, run


@csrf.exempt
def unsubscribe(token: str):
    firm = g.firm
    if request.method == "POST":
        candidate = run(lambda: preferences.unsubscribe(firm, token))
        return render_template("candidate/unsubscribed.html", candidate=candidate), 200
    candidate = found(lambda: preferences.candidate_for_token(firm, token))
    return render_template("candidate/unsubscribe.html", candidate=candidate, token=token)
