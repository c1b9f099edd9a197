"""Small helpers shared by the candidate views: who is signed in. No routes, no writes."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from portal.extensions import db
from portal.models import Candidate, User


def current_candidate() -> Candidate:
    """The signed-in candidate's talent-pool record (set by the blueprint guard)."""
    return g.candidate


def signed_in_user() -> User | None:
    """The signed-in user as a plain model instance (for the services)."""
    return db.session.get(User, current_user.id)
