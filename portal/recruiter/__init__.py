"""The recruiter backend: searches, pipelines, feedback, consent, talent pool, dashboard."""
from flask import Blueprint

from portal.security import role_required

bp = Blueprint("recruiter", __name__)


@bp.before_request
@role_required(lambda u: u.is_staff)
def _guard():
    return None


from portal.recruiter import views  # noqa: E402,F401
from portal.recruiter import searches  # noqa: E402,F401
from portal.recruiter import candidates  # noqa: E402,F401
from portal.recruiter import candidacies  # noqa: E402,F401
