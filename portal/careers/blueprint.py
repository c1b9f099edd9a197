"""The careers site's blueprint and its guard: public pages on the firm's own host, served only
while the firm offers a careers site (otherwise a plain 404, as for an unknown host)."""

from __future__ import annotations

from flask import Blueprint, abort, g

bp = Blueprint("careers", __name__)


@bp.before_request
def _guard():
    firm = g.get("firm")
    if firm is None or firm.disabled or not firm.careers_enabled:
        abort(404)
    return None
