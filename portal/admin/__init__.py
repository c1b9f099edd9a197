"""Firm administration (admins only): settings, branding, recruiters."""
from flask import Blueprint

from portal.security import role_required

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required(lambda u: u.is_admin)
def _guard():
    return None


from portal.admin import views  # noqa: E402,F401
