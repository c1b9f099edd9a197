"""The recruiter blueprint and its guard; the route modules add their views to it."""
from __future__ import annotations

from flask import Blueprint

from portal.web.security import role_required

bp = Blueprint("recruiter", __name__)


@bp.before_request
@role_required(lambda u: u.is_staff)
def _guard():
    return None
