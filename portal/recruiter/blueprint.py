"""The recruiter blueprint and its guard: signed-in staff only (others log in first or get a 403);
the route modules add their views to it, none lives here."""

from __future__ import annotations

from flask import Blueprint

from portal.web.security import role_required

bp = Blueprint("recruiter", __name__)


@bp.before_request
@role_required(lambda u: u.is_staff)
def _guard():
    return None
