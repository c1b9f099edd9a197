"""Sign-in, sign-out, invitations, password resets and the account page, shared by candidates
and staff. Wiring only: the blueprint and its views are imported here; no view lives here."""

from portal.auth import links, sso, two_factor, views  # noqa: F401  (each module adds its routes to bp)
from portal.auth.blueprint import bp

__all__ = ["bp"]
