"""Login, logout, invitations and password resets, shared by candidates and staff."""
from portal.auth import views  # noqa: F401  (each module adds its routes to bp)
from portal.auth.blueprint import bp

__all__ = ["bp"]
