"""The candidate portal: status, feedback, consent, roles, availability, messages, data."""
from portal.candidate import account, profile, views  # noqa: F401  (each module adds its routes to bp)
from portal.candidate.blueprint import bp

__all__ = ["bp"]
