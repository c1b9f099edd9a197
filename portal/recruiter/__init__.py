"""The recruiter backend: searches, pipelines, feedback, consent, talent pool, dashboard.
Wiring only: the blueprint and its route modules are imported here; no view lives here."""

from portal.recruiter import candidacies, candidates, interviews, messages, profile, searches, views  # noqa: F401  (each module adds its routes to bp)
from portal.recruiter.blueprint import bp

__all__ = ["bp"]
