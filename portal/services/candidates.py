"""Talent-pool members as the recruiter keeps them: create, edit, tag, invite to the portal.
Flushes, never commits; the invitation goes through the outbox (portal.services.accounts), never
straight to SMTP."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, CandidateTag, Firm, JobSeeking, Role, Search, Seniority, User
from portal.services import DomainError, accounts, skills, webhook_payloads, webhooks
from portal.services import notes as notes_service
from portal.services.text import clean_line, clean_text, split_list

MAX_SUMMARY = 5000


@dataclass
class CandidateInput:
    name: str
    email: str | None = None
    phone: str | None = None
    headline: str | None = None
    location: str | None = None
    seniority: Seniority | None = None
    job_seeking: JobSeeking = JobSeeking.OPEN
    summary: str | None = None
    skills: list[str] | str = field(default_factory=list)
    tags: list[str] | str = field(default_factory=list)
    owner_id: int | None = None
    note: str | None = None  # an internal note added on creation (never shown to the candidate)


def clean_email(value: str | None, label: str | None = None) -> str | None:
    value = (value or "").strip()
    label = label or _("Email")
    if not value:
        return None
    if len(value) > 254:
        raise DomainError(_("%(label)s: use at most %(num)d characters.", label=label, num=254))
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise DomainError(_("%(label)s: %(problem)s", label=label, problem=exc)) from exc


def clean_tags(value) -> list[str]:
    """Tags are stored lower-case (one spelling per tag, and an index can serve the filter)."""
    return [t.lower() for t in split_list(value, _("Tags"), max_item=60)]


@dataclass
class _Clean:
    values: dict
    skills: list[str]
    tags: list[str]
    note: str


def validate_input(firm: Firm, data: CandidateInput, candidate: Candidate | None) -> _Clean:
    """Check every field (the form, the CSV import and the services share these rules)."""
    name = clean_line(data.name, _("Name"), 120, required=True)
    email = clean_email(data.email)
    phone = clean_line(data.phone, _("Phone"), 40)
    headline = clean_line(data.headline, _("Headline"), 200)
    location = clean_line(data.location, _("Location"), 120)
    summary = clean_text(data.summary, _("Summary"), MAX_SUMMARY) or None
    skills = split_list(data.skills, _("Skills"))
    tags = clean_tags(data.tags)
    note = clean_text(data.note, _("Internal note"), notes_service.MAX_NOTE)
    if email:
        clash = db.session.scalar(select(Candidate.id).where(func.lower(Candidate.email) == email))
        if clash is not None and (candidate is None or clash != candidate.id):
            raise DomainError(_("Email: %(email)s is already in the talent pool.", email=email))
    if candidate is not None and candidate.user_id is not None and email != (candidate.email or "").lower():
        raise DomainError(
            _("Email: this candidate signs in to the portal with their address; they change it on their own page.")
        )
    if data.owner_id is not None:
        owner = db.session.get(User, data.owner_id)
        if owner is None or not owner.is_staff:
            raise DomainError(_("Owner: choose a recruiter of this firm."))
    return _Clean(
        values=dict(
            name=name,
            email=email,
            phone=phone,
            headline=headline,
            location=location,
            seniority=data.seniority,
            job_seeking=data.job_seeking,
            summary=summary,
            owner_id=data.owner_id,
        ),
        skills=skills,
        tags=tags,
        note=note,
    )


def set_tags(candidate: Candidate, tags: list[str]) -> None:
    wanted = set(tags)
    for row in list(candidate.tags):
        if row.name not in wanted:
            candidate.tags.remove(row)
    have = {row.name for row in candidate.tags}
    for name in tags:
        if name not in have:
            candidate.tags.append(CandidateTag(firm_id=candidate.firm_id, name=name))


def _apply_skills(firm: Firm, candidate: Candidate, names: list[str]) -> None:
    skills.set_candidate_skills(firm, candidate, names)


def create_candidate(firm: Firm, actor: User, data: CandidateInput) -> Candidate:
    clean = validate_input(firm, data, None)
    values = clean.values
    if values["owner_id"] is None:
        values["owner_id"] = actor.id
    candidate = Candidate(firm_id=firm.id, **values)
    db.session.add(candidate)
    db.session.flush()
    set_tags(candidate, clean.tags)
    _apply_skills(firm, candidate, clean.skills)
    if clean.note:
        notes_service.add_note(firm, actor, candidate, clean.note)
    db.session.flush()
    webhooks.emit(firm.id, "candidate.created", lambda: webhook_payloads.candidate(candidate, clean.note))
    return candidate


def update_candidate(firm: Firm, actor: User, candidate: Candidate, data: CandidateInput) -> Candidate:
    if candidate.deleted_at is not None:
        raise DomainError(_("This candidate deleted their account; their profile cannot be edited."))
    clean = validate_input(firm, data, candidate)
    # availability_changed_at is left alone: it flags the candidate's own changes for the
    # dashboard, and a recruiter's edit is no news to the recruiter.
    for key, value in clean.values.items():
        setattr(candidate, key, value)
    set_tags(candidate, clean.tags)
    _apply_skills(firm, candidate, clean.skills)
    if clean.note:
        notes_service.add_note(firm, actor, candidate, clean.note)
    db.session.flush()
    webhooks.emit(firm.id, "candidate.updated", lambda: webhook_payloads.candidate(candidate, clean.note))
    return candidate


def invite(firm: Firm, actor: User, candidate: Candidate) -> User:
    """Open a portal account for the candidate and send the invitation (through the outbox)."""
    from portal.services.firms import create_user

    if candidate.deleted_at is not None:
        raise DomainError(_("This candidate deleted their account."))
    if not candidate.email:
        raise DomainError(_("Add the candidate's email address first."))
    user = db.session.get(User, candidate.user_id) if candidate.user_id else None
    if user is None:
        user = db.session.scalar(select(User).where(User.email == candidate.email.lower()))
        if user is not None:
            linked = db.session.scalar(select(Candidate.id).where(Candidate.user_id == user.id))
            if user.role != Role.CANDIDATE or (linked is not None and linked != candidate.id):
                raise DomainError(_("%(email)s already has another account here.", email=candidate.email))
        else:
            user = create_user(firm, email=candidate.email, name=candidate.name, role=Role.CANDIDATE)
        candidate.user_id = user.id
        db.session.flush()
    elif user.password_hash:
        raise DomainError(_("%(name)s already has a portal account.", name=candidate.name))
    accounts.invite_user(firm, user, actor, candidate)
    return user


def search_ids_of(candidate: Candidate) -> set[int]:
    """The searches this candidate is in (any stage), to leave out of the ones they can be added to."""
    return set(db.session.scalars(select(Candidacy.search_id).where(Candidacy.candidate_id == candidate.id)))


def candidacies_of(candidate: Candidate) -> list[Candidacy]:
    """Every search this candidate is in, newest first, with the search loaded."""
    from sqlalchemy.orm import joinedload

    return list(
        db.session.scalars(
            select(Candidacy)
            .where(Candidacy.candidate_id == candidate.id)
            .options(joinedload(Candidacy.search).joinedload(Search.client))
            .order_by(Candidacy.created_at.desc(), Candidacy.id.desc())
        ).unique()
    )


def find(firm: Firm, text: str, limit: int = 20, exclude_ids: set[int] | None = None) -> list[Candidate]:
    """Talent-pool members whose name, email or headline contains the text."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    like = f"%{text}%"
    q = (
        select(Candidate)
        .where(Candidate.deleted_at.is_(None))
        .where((Candidate.name.ilike(like)) | (Candidate.email.ilike(like)) | (Candidate.headline.ilike(like)))
        .order_by(Candidate.name, Candidate.id)
        .limit(limit + len(exclude_ids or ()))
    )
    found = [c for c in db.session.scalars(q) if c.id not in (exclude_ids or set())]
    return found[:limit]
