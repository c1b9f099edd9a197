"""Firm administration (admins only): settings, branding, domains, staff, the audit log.
Wiring only: the blueprint and its views are imported here; no view or rule lives here."""

from portal.admin import api_keys, languages, sso, views, webhooks  # noqa: F401  (each module adds its routes to bp)
from portal.admin.blueprint import bp

__all__ = ["bp"]
