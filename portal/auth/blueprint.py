"""The auth blueprint, with no guard (signed-out visitors use it); the route modules add their
views to it, none lives here."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
