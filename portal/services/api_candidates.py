"""Candidate writes that come through the API: the recruiter's own rules (create/update in
portal.services.candidates) plus the availability fields, which an ATS keeps in sync but the
recruiter's form does not carry. A PATCH changes only what it names. Flushes, never commits."""

from __future__ import annotations

from typing import Any

from portal.models import Candidate, Firm, User, utcnow
from portal.services import DomainError, candidates
from portal.services.text import clean_line

AVAILABILITY = (
    "job_seeking",
    "available_from",
    "notice_weeks",
    "employment_status",
    "desired_roles",
    "desired_locations",
    "remote_preference",
    "pay_expectation",
    "pay_currency",
)
PROFILE = ("name", "email", "phone", "headline", "location", "seniority", "summary", "owner_id", "skills", "tags")


def _availability(candidate: Candidate, values: dict[str, Any]) -> None:
    for name in AVAILABILITY:
        if name not in values:
            continue
        value = values[name]
        if name in ("desired_roles", "desired_locations"):
            value = clean_line(value, name.replace("_", " ").capitalize(), 300)
        if name in ("job_seeking", "remote_preference", "pay_currency") and value is None:
            raise DomainError(f"{name}: a value is required.")
        setattr(candidate, name, value)


def _input(candidate: Candidate | None, values: dict[str, Any], note: str | None) -> candidates.CandidateInput:
    current: dict[str, Any] = {}
    if candidate is not None:
        current = {name: getattr(candidate, name) for name in PROFILE if name not in ("skills", "tags")}
        current["skills"] = [s.skill.name for s in candidate.skills]
        current["tags"] = [t.name for t in candidate.tags]
        current["job_seeking"] = candidate.job_seeking
    merged = {**current, **{k: v for k, v in values.items() if k in PROFILE}}
    if "availability" in values and "job_seeking" in values["availability"]:
        merged["job_seeking"] = values["availability"]["job_seeking"]
    return candidates.CandidateInput(**merged, note=note)


def create(firm: Firm, actor: User, values: dict[str, Any], note: str | None = None) -> Candidate:
    candidate = candidates.create_candidate(firm, actor, _input(None, values, note))
    _availability(candidate, values.get("availability") or {})
    candidate.updated_at = utcnow()
    return candidate


def update(firm: Firm, actor: User, candidate: Candidate, values: dict[str, Any], note: str | None = None) -> Candidate:
    candidates.update_candidate(firm, actor, candidate, _input(candidate, values, note))
    _availability(candidate, values.get("availability") or {})
    candidate.updated_at = utcnow()  # a sync sees it, even when only skills or tags changed
    return candidate
