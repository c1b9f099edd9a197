"""Firm administration (admins only): settings, branding, recruiters."""
from portal.admin import views  # noqa: F401  (each module adds its routes to bp)
from portal.admin.blueprint import bp

__all__ = ["bp"]
