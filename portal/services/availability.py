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

from portal import i18n
from portal.extensions import db
from portal.i18n import firm_default, force_locale, ngettext
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
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

# Field -> (label, maximum length for text). The label names the field in a refusal the
# candidate reads (in their language) and in the change the recruiter reads (the firm's).
FIELDS: dict[str, tuple[Any, int | None]] = {
    # Translators: a field of a candidate's profile (named in messages: "Name: please use at most ...").
    "name": (_l("Name"), 120),
    # Translators: a field of a candidate's profile.
    "email": (_l("Email"), 254),
    # Translators: a field of a candidate's profile.
    "phone": (_l("Phone"), 40),
    # Translators: a field of a candidate's profile: their current job title.
    "headline": (_l("Current role"), 200),
    # Translators: a field of a candidate's profile: where they live.
    "location": (_l("Location"), 120),
    # Translators: a field of a candidate's profile: actively looking, open to offers or not looking.
    "job_seeking": (_l("Job-seeking status"), None),
    # Translators: a field of a candidate's profile: the date from which they can start.
    "available_from": (_l("Available from"), None),
    # Translators: a field of a candidate's profile.
    "notice_weeks": (_l("Notice period (weeks)"), None),
    # Translators: a field of a candidate's profile: employed, serving notice, student...
    "employment_status": (_l("Employment status"), None),
    # Translators: a field of a candidate's profile: the roles they want.
    "desired_roles": (_l("Roles wanted"), 300),
    # Translators: a field of a candidate's profile: where they would work.
    "desired_locations": (_l("Locations wanted"), 300),
    # Translators: a field of a candidate's profile: on-site, hybrid, remote or any.
    "remote_preference": (_l("Remote preference"), None),
    # Translators: a field of a candidate's profile: the yearly pay they expect.
    "pay_expectation": (_l("Pay expectation"), None),
    # Translators: a field of a candidate's profile: the currency of their pay expectation.
    "pay_currency": (_l("Currency"), 3),
    # Translators: a field of a candidate's profile: a few sentences about them.
    "summary": (_l("Summary"), 2000),
}
# What a change record says of a field that had no value, and of the summary (not repeated).
NONE = _l("(none)")
CHANGED = _l("(changed)")
REQUIRED = {"name", "email"}


def firm_today(firm: Firm) -> date:
    try:
        tz = ZoneInfo(firm.timezone or "UTC")
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return datetime.now(tz).date()


def _shown(value: Any) -> str:
    """A value as the change record shows it, in the current language (the caller chooses it)."""
    if value is None or value == "":
        return str(NONE)
    if hasattr(value, "label"):
        return value.label
    if isinstance(value, date):
        return i18n.day(value)
    return str(value)


@dataclass
class Change:
    """One changed field as the recruiters read it (in the firm's language): `old` is None when
    the field had no value before (or is not repeated: the summary)."""

    label: str
    old: str | None
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
            raise DomainError(_("Unknown field: %(field)s", field=key))
        label, max_len = FIELDS[key]
        if isinstance(value, str):
            value = value.strip() or None
            if value is not None and max_len is not None and len(value) > max_len:
                raise DomainError(
                    # Translators: %(field)s is a profile field's name ("Phone").
                    ngettext(
                        "%(field)s: please use at most %(num)d character.",
                        "%(field)s: please use at most %(num)d characters.",
                        max_len,
                        field=label,
                    )
                )
        if key in REQUIRED and not value:
            # Translators: %(field)s is a profile field's name ("Name").
            raise DomainError(_("%(field)s is required.", field=label))
        out[key] = value
    if "email" in out:
        out["email"] = out["email"].lower()
        if "@" not in out["email"]:
            raise DomainError(_("Please give a valid email address."))
    for key, enum_cls in (
        ("job_seeking", JobSeeking),
        ("employment_status", EmploymentStatus),
        ("remote_preference", RemotePreference),
    ):
        if key in out and out[key] is not None and not isinstance(out[key], enum_cls):
            try:
                out[key] = enum_cls(out[key])
            except ValueError as exc:
                # Translators: %(field)s is a profile field's name ("Remote preference").
                raise DomainError(_("%(field)s: please choose one of the options.", field=FIELDS[key][0])) from exc
    if out.get("job_seeking") is None and "job_seeking" in out:
        raise DomainError(_("Job-seeking status is required."))
    if out.get("remote_preference") is None and "remote_preference" in out:
        out["remote_preference"] = RemotePreference.ANY
    when = out.get("available_from")
    if when is not None and when != candidate.available_from:
        # A date saved earlier may have passed since; it is kept as it is when unchanged.
        today = firm_today(firm)
        if when < today:
            raise DomainError(_("Available from: please choose today or a later date."))
        if when > today + timedelta(days=365 * MAX_AHEAD_YEARS):
            raise DomainError(
                ngettext(
                    "Available from: please choose a date within the next %(num)d year.",
                    "Available from: please choose a date within the next %(num)d years.",
                    MAX_AHEAD_YEARS,
                )
            )
    notice = out.get("notice_weeks")
    if notice is not None and not 0 <= notice <= 52:
        raise DomainError(_("Notice period: please give a number of weeks between 0 and 52."))
    pay = out.get("pay_expectation")
    if pay is not None and not 0 <= pay <= MAX_PAY:
        raise DomainError(_("Pay expectation: please give a yearly amount as a whole number."))
    if "pay_currency" in out:
        out["pay_currency"] = (out["pay_currency"] or "EUR").upper()
        if out["pay_currency"] not in currency_choices(candidate):
            raise DomainError(_("Currency: please choose one of the options."))
    return out


def clean_skill_names(names: list[str] | None) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in names or []:
        name = " ".join((raw or "").split())
        if not name:
            continue
        if len(name) > MAX_SKILL:
            raise DomainError(
                ngettext(
                    "Skills: each skill may have at most %(num)d character.",
                    "Skills: each skill may have at most %(num)d characters.",
                    MAX_SKILL,
                )
            )
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    if len(out) > MAX_SKILLS:
        raise DomainError(_("Skills: please list at most %(num)d.", num=MAX_SKILLS))
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
            _(
                "That email address is already used by another account here. "
                "Please use a different one, or contact your recruiter."
            )
        )


def _record_change(firm: Firm, candidate: Candidate, changes: list[Change]) -> CandidateUpdate:
    now = utcnow()
    candidate.availability_changed_at = now
    body = "\n".join(f"{c.label}: {c.new}" if c.old is None else f"{c.label}: {c.old} → {c.new}" for c in changes)
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
    changed: set[str] = set()
    with force_locale(firm_default(firm)):  # the recruiters' record of the change, in the firm's language
        for key, value in clean.items():
            old = getattr(candidate, key)
            if old != value:
                if key == "summary":
                    changes.append(Change(str(FIELDS[key][0]), None, str(CHANGED)))
                else:
                    before = None if old is None or old == "" else _shown(old)
                    changes.append(Change(str(FIELDS[key][0]), before, _shown(value)))
                changed.add(key)
                setattr(candidate, key, value)
    if "email" in changed:
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
            with force_locale(firm_default(firm)):
                # Translators: a field of a candidate's profile (in the change the recruiter reads).
                label = _("Skills")
                changes.append(Change(label, ", ".join(current) or None, ", ".join(new_skills) or str(NONE)))
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
    with force_locale(firm_default(firm)):  # the recruiters' record, in the firm's language
        if had_cv:
            # Translators: the change a recruiter reads; %(file)s is the CV's file name.
            what = _("a new CV was uploaded (%(file)s)", file=candidate.cv_filename)
        else:
            # Translators: the change a recruiter reads; %(file)s is the CV's file name.
            what = _("a CV was uploaded (%(file)s)", file=candidate.cv_filename)
        # Translators: a field of a candidate's profile (in the change the recruiter reads).
        change = Change(_("CV"), None, what)
    return _record_change(firm, candidate, [change])
