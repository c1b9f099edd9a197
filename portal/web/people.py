"""Pictures of the firm's people: a recruiter's photo, shown to signed-in users of the same
firm (their candidates, their colleagues) on the firm's own host. Serves only bytes that
portal/services/recruiter_profile.py re-encoded; never reads another firm's rows, never
serves anything to a visitor who is not signed in."""

from __future__ import annotations

from flask import Blueprint, Response, g

from portal.services import recruiter_profile
from portal.web.actions import found
from portal.web.security import role_required

bp = Blueprint("people", __name__)


@bp.route("/people/<int:user_id>/photo")
@role_required(lambda u: u.firm_id == g.firm.id)
def photo(user_id: int):
    data = found(lambda: recruiter_profile.photo(g.firm, user_id))
    resp = Response(data, mimetype=recruiter_profile.PHOTO_MIME)
    # The URL carries the photo's version (?v=), so a new photo is a new URL; private: only
    # signed-in people of the firm may see it, never a shared cache.
    resp.headers["Cache-Control"] = "private, max-age=86400"
    resp.headers["Content-Disposition"] = "inline"
    resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    resp.vary.add("Cookie")
    return resp
