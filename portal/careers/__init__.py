"""The public careers site: job board, job pages, feeds, applications and job alerts.
Wiring only: the blueprint and its views are imported here; no view lives here."""

from portal.careers import alerts, apply, board, feeds  # noqa: F401  (each module adds its routes to bp)
from portal.careers.blueprint import bp

__all__ = ["bp"]
