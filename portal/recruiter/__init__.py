"""The recruiter backend: searches, pipelines, feedback, consent, talent pool, dashboard.
Wiring only: the blueprint and its route modules are imported here; no view lives here."""

from portal.recruiter import (  # noqa: F401  (each module adds its routes to bp)
    candidacies,
    candidates,
    conversations,
    exports,
    held_mail,
    interview_followup,
    interviews,
    messages,
    office_hours,
    profile,
    reports,
    searches,
    views,
)
from portal.recruiter.blueprint import bp

__all__ = ["bp"]
