"""Login, logout, invitations and password resets, shared by candidates and staff."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import views  # noqa: E402,F401
