"""The private calendar feed: `/calendar/<token>.ics` on the firm's own host, read by calendar
apps without a cookie (the unguessable token is the only key; portal/services/calendar_feeds.py
derives and checks it). A wrong, revoked or other firm's token is a plain 404. Serves the feed
only: never writes, never shows anything else."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g

from portal.services import calendar_feeds

bp = Blueprint("calendar_feed", __name__)


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    user = calendar_feeds.user_for(g.firm, token)
    if user is None:
        abort(404)
    resp = Response(calendar_feeds.document(g.firm, user), mimetype="text/calendar")
    resp.headers["Content-Disposition"] = 'inline; filename="interviews.ics"'
    # Personal: never kept by a shared cache; calendar apps poll it anyway.
    resp.headers["Cache-Control"] = "private, max-age=300"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp
