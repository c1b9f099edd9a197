"""The admin blueprint and its guard; the route modules add their views to it."""
from __future__ import annotations

from flask import Blueprint

from portal.web.security import role_required

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required(lambda u: u.is_admin)
def _guard():
    return None
