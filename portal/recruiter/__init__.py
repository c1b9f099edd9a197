"""The recruiter backend: searches, pipelines, feedback, consent, talent pool, dashboard."""
from portal.recruiter import candidacies, candidates, messages, searches, views  # noqa: F401  (each module adds its routes to bp)
from portal.recruiter.blueprint import bp

__all__ = ["bp"]
