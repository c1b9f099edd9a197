"""Availability and profile, kept current by the candidate, and visible to the recruiter at once.

A change stamps `availability_changed_at` and writes a CandidateUpdate (for the dashboard) and a
message to the recruiter, held for the grace window so a burst of edits is one email, never many."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import (
    Candidate,
    CandidateUpdate,
    EmploymentStatus,
    Firm,
    JobSeeking,
    RemotePreference,
    UpdateKind,
    User,
    utcnow,
)
from portal.outbox import links
from portal.services import DomainError
from portal.services import cv as cv_service
from portal.services.keep_in_touch import recruiters_to_tell, tell_recruiters

MAX_SKILLS = 40
MAX_SKILL = 80
MAX_AHEAD_YEARS = 5
MAX_PAY = 100_000_000
CURRENCIES = ("EUR", "GBP", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD")

# Field -> (label shown to the recruiter, maximum length for text)
FIELDS: dict[str, tuple[str, int | None]] = {
    "name": ("Name", 120),
    "email": ("Email", 254),
    "phone": ("Phone", 40),
    "headline": ("Current role", 200),
    "location": ("Location", 120),
    "job_seeking": ("Job-seeking status", None),
    "available_from": ("Available from", None),
    "notice_weeks": ("Notice period (weeks)", None),
    "employment_status": ("Employment status", None),
    "desired_roles": ("Roles wanted", 300),
    "desired_locations": ("Locations wanted", 300),
    "remote_preference": ("Remote preference", None),
    "pay_expectation": ("Pay expectation", None),
    "pay_currency": ("Currency", 3),
    "summary": ("Summary", 2000),
}
REQUIRED = {"name", "email"}


def firm_today(firm: Firm) -> date:
    try:
        tz = ZoneInfo(firm.timezone or "UTC")
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return datetime.now(tz).date()


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


@dataclass
class Change:
    label: str
    old: str
    new: str


def currency_choices(candidate: Candidate) -> tuple[str, ...]:
    """The usual currencies, plus the candidate's own if a recruiter set another one."""
    own = (candidate.pay_currency or "EUR").upper()
    return CURRENCIES if own in CURRENCIES else (*CURRENCIES, own)


def _normalise(firm: Firm, candidate: Candidate, values: dict[str, Any]) -> dict[str, Any]:
    """Check every value before anything is changed (nothing is stored half-way)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in FIELDS:
            raise DomainError(f"Unknown field: {key}")
        label, max_len = FIELDS[key]
        if isinstance(value, str):
            value = value.strip() or None
            if value is not None and max_len is not None and len(value) > max_len:
                raise DomainError(f"{label}: please use at most {max_len} characters.")
        if key in REQUIRED and not value:
            raise DomainError(f"{label} is required.")
        out[key] = value
    if "email" in out:
        out["email"] = out["email"].lower()
        if "@" not in out["email"]:
            raise DomainError("Please give a valid email address.")
    for key, enum_cls in (
        ("job_seeking", JobSeeking),
        ("employment_status", EmploymentStatus),
        ("remote_preference", RemotePreference),
    ):
        if key in out and out[key] is not None and not isinstance(out[key], enum_cls):
            try:
                out[key] = enum_cls(out[key])
            except ValueError as exc:
                raise DomainError(f"{FIELDS[key][0]}: please choose one of the options.") from exc
    if out.get("job_seeking") is None and "job_seeking" in out:
        raise DomainError("Job-seeking status is required.")
    if out.get("remote_preference") is None and "remote_preference" in out:
        out["remote_preference"] = RemotePreference.ANY
    when = out.get("available_from")
    if when is not None and when != candidate.available_from:
        # A date saved earlier may have passed since; it is kept as it is when unchanged.
        today = firm_today(firm)
        if when < today:
            raise DomainError("Available from: please choose today or a later date.")
        if when > today + timedelta(days=365 * MAX_AHEAD_YEARS):
            raise DomainError(f"Available from: please choose a date within the next {MAX_AHEAD_YEARS} years.")
    notice = out.get("notice_weeks")
    if notice is not None and not 0 <= notice <= 52:
        raise DomainError("Notice period: please give a number of weeks between 0 and 52.")
    pay = out.get("pay_expectation")
    if pay is not None and not 0 <= pay <= MAX_PAY:
        raise DomainError("Pay expectation: please give a yearly amount as a whole number.")
    if "pay_currency" in out:
        out["pay_currency"] = (out["pay_currency"] or "EUR").upper()
        if out["pay_currency"] not in currency_choices(candidate):
            raise DomainError("Currency: please choose one of the options.")
    return out


def clean_skill_names(names: list[str] | None) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in names or []:
        name = " ".join((raw or "").split())
        if not name:
            continue
        if len(name) > MAX_SKILL:
            raise DomainError(f"Skills: each skill may have at most {MAX_SKILL} characters.")
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    if len(out) > MAX_SKILLS:
        raise DomainError(f"Skills: please list at most {MAX_SKILLS}.")
    return out


def skill_names(candidate: Candidate) -> list[str]:
    return sorted((cs.skill.name for cs in candidate.skills), key=str.casefold)


def _check_email_free(candidate: Candidate, user: User | None, email: str) -> None:
    other_candidate = db.session.scalar(
        select(Candidate.id).where(func.lower(Candidate.email) == email, Candidate.id != candidate.id)
    )
    other_user = db.session.scalar(
        select(User.id).where(func.lower(User.email) == email, User.id != (user.id if user else -1))
    )
    if other_candidate is not None or other_user is not None:
        raise DomainError(
            "That email address is already used by another account here. "
            "Please use a different one, or contact your recruiter."
        )


def _record_change(firm: Firm, candidate: Candidate, changes: list[Change]) -> CandidateUpdate:
    now = utcnow()
    candidate.availability_changed_at = now
    body = "\n".join(f"{c.label}: {c.new}" if c.old == "(none)" else f"{c.label}: {c.old} → {c.new}" for c in changes)
    update = CandidateUpdate(
        firm_id=firm.id, candidate_id=candidate.id, kind=UpdateKind.AVAILABILITY, body=body, created_at=now
    )
    db.session.add(update)
    db.session.flush()
    tell_recruiters(
        firm,
        candidate,
        "availability_changed",
        f"availability:{update.id}",
        recruiters_to_tell(candidate),
        {"changes": changes, "update": update, "link": links.recruiter_candidate(firm, candidate.id)},
        coalesce=f"availability:{candidate.id}",
    )
    return update


def update_profile(
    firm: Firm, candidate: Candidate, user: User | None, values: dict[str, Any], skills: list[str] | None = None
) -> CandidateUpdate | None:
    """Apply the candidate's edits. Returns the CandidateUpdate when something changed
    (None when the profile was saved as it was: that counts as confirming it)."""
    clean = _normalise(firm, candidate, values)
    new_skills = clean_skill_names(skills) if skills is not None else None
    changes: list[Change] = []
    if "email" in clean and clean["email"] != (candidate.email or "").lower():
        _check_email_free(candidate, user, clean["email"])
    for key, value in clean.items():
        old = getattr(candidate, key)
        if old != value:
            shown = "(changed)" if key == "summary" else _shown(value)
            changes.append(Change(FIELDS[key][0], "(none)" if key == "summary" else _shown(old), shown))
            setattr(candidate, key, value)
    if "email" in clean and any(c.label == FIELDS["email"][0] for c in changes):
        # A new address gets a fresh start: earlier bounces were about the old one.
        candidate.email_failures = 0
        candidate.email_suppressed = False
        if user is not None:
            user.email = clean["email"]
    if user is not None and "name" in clean and user.name != clean["name"]:
        user.name = clean["name"]
    if new_skills is not None:
        current = skill_names(candidate)
        if [s.casefold() for s in sorted(new_skills, key=str.casefold)] != [s.casefold() for s in current]:
            from portal.services import skills as skills_service

            skills_service.set_candidate_skills(firm, candidate, new_skills)
            changes.append(Change("Skills", ", ".join(current) or "(none)", ", ".join(new_skills) or "(none)"))
    candidate.profile_confirmed_at = utcnow()
    db.session.flush()
    if not changes:
        return None
    return _record_change(firm, candidate, changes)


def confirm_profile(firm: Firm, candidate: Candidate) -> None:
    """ "Still accurate": the candidate looked and nothing changed."""
    candidate.profile_confirmed_at = utcnow()
    db.session.flush()


def upload_cv(firm: Firm, candidate: Candidate, upload: FileStorage | None) -> CandidateUpdate:
    """Store a new CV (same rules as the recruiter side) and tell the recruiter."""
    had_cv = bool(candidate.cv_path)
    cv_service.store_cv(candidate, upload)
    candidate.profile_confirmed_at = utcnow()
    return _record_change(
        firm,
        candidate,
        [Change("CV", "(none)", f"{'a new' if had_cv else 'a'} CV was uploaded ({candidate.cv_filename})")],
    )
