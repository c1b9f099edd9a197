"""The auth blueprint and its guard; the route modules add their views to it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
