"""The candidate portal: status, feedback, consent, roles, availability, messages, data.
Wiring only: the blueprint and its views are imported here; no view lives here."""

from portal.candidate import account, alerts, debrief, interviews, office_hours, profile, views  # noqa: F401  (each module adds its routes to bp)
from portal.candidate.blueprint import bp

__all__ = ["bp"]
