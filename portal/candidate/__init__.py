"""The candidate portal: status, feedback, consent, roles, availability, messages, data."""
from flask import Blueprint
from flask_login import current_user

from portal.security import role_required

bp = Blueprint("candidate", __name__)


@bp.before_request
@role_required(lambda u: u.is_candidate)
def _guard():
    return None


from portal.candidate import views  # noqa: E402,F401
