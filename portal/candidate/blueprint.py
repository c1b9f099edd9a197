"""The candidate blueprint and its guard: a signed-in candidate with a talent-pool record
(`g.candidate`; `g.display_zone`, their time zone when they chose one, for the dates on their
pages), except on the public unsubscribe and survey pages; the route modules add their views to it."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_login import current_user

from portal.web.security import role_required

bp = Blueprint("candidate", __name__)

# Endpoints of this blueprint that work without logging in (reached from an email).
PUBLIC_ENDPOINTS = frozenset({"candidate.unsubscribe", "candidate.survey"})


@role_required(lambda u: u.is_candidate)
def _require_candidate():
    return None


@bp.before_request
def _guard():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    refused = _require_candidate()
    if refused is not None:
        return refused
    from portal.services.candidate_portal import candidate_for_user
    from portal.services.interview_times import valid_zone

    g.candidate = candidate_for_user(current_user)
    if g.candidate is None:
        return render_template("candidate/no_profile.html"), 200
    if g.candidate.timezone and valid_zone(g.candidate.timezone):
        # Dates and times on the candidate's pages in their own zone (portal/i18n.py reads it).
        g.display_zone = g.candidate.timezone
    return None


def _register_public(state):
    """`/unsubscribe/<token>` and `/survey/<token>` live outside /me (links in emails) but keep
    their `candidate.` endpoint names; the guard above lets them through."""
    from portal.candidate.public import survey, unsubscribe

    state.app.add_url_rule(
        "/unsubscribe/<token>", endpoint="candidate.unsubscribe", view_func=unsubscribe, methods=["GET", "POST"]
    )
    # The experience survey's one-tap page (portal/services/surveys.py): no sign-in, the token is the key.
    state.app.add_url_rule("/survey/<token>", endpoint="candidate.survey", view_func=survey, methods=["GET", "POST"])


bp.record_once(_register_public)
