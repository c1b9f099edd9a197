"""Applications through the public careers site: apply to an advertised open search, or join
the talent pool without a role, with no account.

One person is one Candidate: an email the firm knows already gets the application attached to
that person (only empty fields are filled, nothing they or a recruiter wrote is replaced; a
second application to the same search adds nothing twice); otherwise a new candidate is created
with the CV and details given, and a portal account without a password so the confirmation
email's sign-in link works. Whichever it was, the caller answers the same way and the applicant
gets the same confirmation email (recorded through the outbox; the worker mints its link).

It must never tell the caller whether the email was known, never replace existing data, never
commit (the view's transaction does) and never send (the outbox does, after the commit).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from portal import outbox
from portal.extensions import db
from portal.i18n import firm_text, offered, shipped
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import (
    Application,
    ApplicationSource,
    Audience,
    Candidacy,
    Candidate,
    Firm,
    JobSeeking,
    Message,
    RemotePreference,
    Role,
    Search,
    Stage,
    StageChange,
    TokenPurpose,
    User,
    utcnow,
)
from portal.services import DomainError, NotFound, accounts, cv, referrals, skills, webhook_payloads, webhooks
from portal.services.candidates import clean_email
from portal.services.careers_open import is_open_for_applications  # noqa: F401  (also this module's API)
from portal.services.text import clean_line, clean_text, split_list
from portal.web.templating import external_url

MAX_NOTE = 2000
MAX_PREFERENCE = 300

# Translators: the privacy notice applicants accept when the firm wrote none; %(firm)s is the
# firm's name, %(months)s how many months it keeps an applicant's data.
DEFAULT_PRIVACY_NOTICE = _l(
    "%(firm)s keeps the details you give here (your name, contact details, CV and note) to consider "
    "you for this role and for future roles that may suit you, and to keep you informed. Only "
    "%(firm)s's recruiters see them; your CV goes to a client only after you say yes to that client "
    "and role. We keep your data for %(months)s months after our last contact with you, then delete "
    "it. You can see, download or delete your data at any time in your portal."
)


class ApplicationError(DomainError):
    """A refusal about one field of the form (`field` names it)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class ApplicantInput:
    name: str
    email: str
    accepted_privacy: bool
    phone: str | None = None
    location: str | None = None
    note: str | None = None
    # Joining the talent pool only:
    skills: str | None = None
    desired_roles: str | None = None
    desired_locations: str | None = None
    remote: RemotePreference | None = None
    # The page's language when they applied (portal.i18n.current_language()): a new candidate's
    # and a new account's language; a known candidate's only if they had none.
    language: str | None = None


@dataclass
class _Clean:
    name: str
    email: str
    phone: str | None
    location: str | None
    note: str | None
    skills: list[str]
    desired_roles: str | None
    desired_locations: str | None
    remote: RemotePreference | None
    language: str | None


# ---------------------------------------------------------------- the privacy notice


def privacy_notice_text(firm: Firm) -> str:
    """The notice an applicant accepts, in the page's language: the firm's own (in that
    language if it wrote one, else in its default language), else the default words."""
    own = firm_text(firm, "privacy_notice_md")
    if own and own.strip():
        return own
    return str(DEFAULT_PRIVACY_NOTICE) % {"firm": firm.name, "months": firm.retention_months}


def privacy_notice_hash(firm: Firm) -> str:
    """sha256 of the notice text with its retention: which version (and language) an applicant
    accepted."""
    text = f"{privacy_notice_text(firm)}\n--\nretention_months={firm.retention_months}"
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- what may be applied to


def advertised_search(search_id: int) -> Search:
    """An advertised search of the current firm, open or not (else NotFound: a 404). Whether
    it still takes applications is `is_open_for_applications`."""
    search = db.session.get(Search, search_id)
    if search is None or not search.advertised:
        raise NotFound(_("No such role."))
    return search


# ---------------------------------------------------------------- checks


def _check(data: ApplicantInput, pool: bool) -> _Clean:
    def on(field: str, action):
        try:
            return action()
        except DomainError as exc:
            raise ApplicationError(str(exc), field) from exc

    name = on("name", lambda: clean_line(data.name, _("Name"), 120, required=True))
    email = on("email", lambda: clean_email(data.email))
    if not email:
        raise ApplicationError(_("Email: this is required."), "email")
    phone = on("phone", lambda: clean_line(data.phone, _("Phone"), 40))
    location = on("location", lambda: clean_line(data.location, _("Location"), 120))
    note = on("note", lambda: clean_text(data.note, _("Note"), MAX_NOTE)) or None
    wanted: list[str] = []
    roles = places = None
    if pool:
        wanted = on("skills", lambda: split_list(data.skills, _("Skills")))
        roles = on("desired_roles", lambda: clean_line(data.desired_roles, _("Roles you want"), MAX_PREFERENCE))
        places = on("desired_locations", lambda: clean_line(data.desired_locations, _("Locations"), MAX_PREFERENCE))
    if not data.accepted_privacy:
        raise ApplicationError(_("Please read and accept the privacy notice to send your details."), "accept_privacy")
    remote = data.remote if pool else None
    return _Clean(name, email, phone, location, note, wanted, roles, places, remote, data.language)


# ---------------------------------------------------------------- applying


def apply(
    firm: Firm, search: Search | None, data: ApplicantInput, upload: FileStorage | None, ref: str | None = None
) -> Application | None:
    """Apply to `search` (None: join the talent pool). Returns the Application recorded, or
    None when this person had applied there already (nothing is added twice). Either way the
    confirmation email is recorded: the answer is the same for a known and a new email."""
    if search is not None and not is_open_for_applications(search):
        raise DomainError(_("This role is no longer open for applications."))
    clean = _check(data, pool=search is None)
    try:
        checked = cv.check_upload(upload) if (upload is not None and upload.filename) or search else None
    except DomainError as exc:
        raise ApplicationError(str(exc), "cv") from exc
    referrer = referrals.referrer_for(ref)
    clean.language = _language(firm, clean.language)
    candidate = _find(clean.email)
    if candidate is None:
        candidate = _create(firm, search, clean)
    else:
        _fill_empty(firm, candidate, clean)
    if checked is not None and not candidate.cv_path:
        cv.store_checked(candidate, checked)
    if referrer is not None and referrer.id == candidate.id:
        referrer = None
    user = _portal_account(firm, candidate, clean.language)
    candidacy = _candidacy(firm, search, candidate) if search is not None else None
    application = _record(firm, search, candidate, clean, referrer)
    if application is not None and referrer is not None:
        referrals.record_referral(firm, referrer, candidate, search)
    if application is not None:
        webhooks.emit(
            firm.id, "application.received", lambda: webhook_payloads.application(application), key=str(application.id)
        )
    _confirm(firm, search, candidate, user, candidacy)
    db.session.flush()
    return application


def _language(firm: Firm, language: str | None) -> str | None:
    """The applicant's page language if the firm offers it, else None (nothing recorded)."""
    code = shipped(language)
    return code if code in offered(firm) else None


def _find(email: str) -> Candidate | None:
    return db.session.scalar(
        select(Candidate).where(func.lower(Candidate.email) == email, Candidate.deleted_at.is_(None)).limit(1)
    )


def _create(firm: Firm, search: Search | None, clean: _Clean) -> Candidate:
    candidate = Candidate(
        firm_id=firm.id,
        name=clean.name,
        email=clean.email,
        phone=clean.phone,
        location=clean.location,
        owner_id=search.owner_id if search is not None else None,
        job_seeking=JobSeeking.ACTIVE if search is not None else JobSeeking.OPEN,
        desired_roles=clean.desired_roles,
        desired_locations=clean.desired_locations,
        remote_preference=clean.remote or RemotePreference.ANY,
        language=clean.language,
    )
    db.session.add(candidate)
    db.session.flush()
    if clean.skills:
        skills.set_candidate_skills(firm, candidate, clean.skills)
    return candidate


def _fill_empty(firm: Firm, candidate: Candidate, clean: _Clean) -> None:
    """Fill only what is empty: the person's existing data is theirs and their recruiter's."""
    for attr in ("phone", "location", "desired_roles", "desired_locations"):
        if getattr(candidate, attr) is None and getattr(clean, attr):
            setattr(candidate, attr, getattr(clean, attr))
    if clean.remote is not None and candidate.remote_preference == RemotePreference.ANY:
        candidate.remote_preference = clean.remote
    if clean.skills and not candidate.skills:
        skills.set_candidate_skills(firm, candidate, clean.skills)
    if candidate.language is None and clean.language:
        candidate.language = clean.language


def _portal_account(firm: Firm, candidate: Candidate, language: str | None = None) -> User | None:
    """The candidate's portal account (created without a password, as a recruiter's invitation
    does, in the candidate's language), or None when the address belongs to a staff account or
    a deactivated one."""
    from portal.services.firms import create_user

    user = db.session.get(User, candidate.user_id) if candidate.user_id else None
    if user is None and candidate.email:
        user = accounts.find_user_by_email(candidate.email)
        if user is not None:
            linked = db.session.scalar(select(Candidate.id).where(Candidate.user_id == user.id))
            if user.role != Role.CANDIDATE or linked is not None:
                return None
        else:
            user = create_user(firm, email=candidate.email, name=candidate.name, role=Role.CANDIDATE)
            user.language = candidate.language or language
        candidate.user_id = user.id
        db.session.flush()
    if user is None or not user.active or user.role != Role.CANDIDATE:
        return None
    return user


def _candidacy(firm: Firm, search: Search, candidate: Candidate) -> Candidacy:
    """The candidacy at "applied" (an existing one in this search, at any stage, is kept)."""
    existing = db.session.scalar(
        select(Candidacy).where(Candidacy.search_id == search.id, Candidacy.candidate_id == candidate.id)
    )
    if existing is not None:
        return existing
    now = utcnow()
    candidacy = Candidacy(
        firm_id=firm.id,
        search_id=search.id,
        candidate_id=candidate.id,
        stage=Stage.APPLIED,
        stage_changed_at=now,
        created_at=now,
    )
    db.session.add(candidacy)
    db.session.flush()
    db.session.add(
        StageChange(firm_id=firm.id, candidacy_id=candidacy.id, from_stage=None, to_stage=Stage.APPLIED, actor_id=None)
    )
    return candidacy


def _record(
    firm: Firm, search: Search | None, candidate: Candidate, clean: _Clean, referrer: Candidate | None
) -> Application | None:
    same = select(Application.id).where(Application.candidate_id == candidate.id)
    same = same.where(Application.search_id.is_(None) if search is None else Application.search_id == search.id)
    if db.session.scalar(same.limit(1)) is not None:
        return None
    now = utcnow()
    application = Application(
        firm_id=firm.id,
        candidate_id=candidate.id,
        search_id=search.id if search is not None else None,
        note=clean.note,
        source=ApplicationSource.REFERRAL if referrer is not None else ApplicationSource.CAREERS,
        referred_by_candidate_id=referrer.id if referrer is not None else None,
        privacy_accepted_at=now,
        privacy_notice_hash=privacy_notice_hash(firm),
        created_at=now,
    )
    db.session.add(application)
    db.session.flush()
    return application


def _confirm(
    firm: Firm, search: Search | None, candidate: Candidate, user: User | None, candidacy: Candidacy | None
) -> Message:
    """The confirmation email, with a one-tap sign-in link into the portal (landing on the
    candidacy) when the person has a candidate account; the same words otherwise."""
    context = {
        "search": search,
        "candidate_name": candidate.name,
        "days": firm.cadence_days,
        "minutes": current_app.config["SIGN_IN_LINK_MINUTES"],
        "sign_in_url": _external(firm, "auth.sign_in_link"),
    }
    if user is None:
        return outbox.record(
            firm,
            kind="application_received",
            dedupe_key=f"application:{candidate.id}:{secrets.token_hex(8)}",
            audience=Audience.CANDIDATE,
            to_email=candidate.email,
            to_name=candidate.name,
            candidate=candidate,
            candidacy_id=candidacy.id if candidacy is not None else None,
            context={**context, "link": None},
        )
    msg = accounts.record_credential_email(
        firm, user, TokenPurpose.SIGN_IN, kind="application_received", candidate=candidate, context=context
    )
    msg.candidacy_id = candidacy.id if candidacy is not None else None
    msg.credential_next = (
        _path("candidate.candidacy", candidacy_id=candidacy.id) if candidacy is not None else _path("candidate.home")
    )
    return msg


def _path(endpoint: str, **values) -> str:
    """A local path (works without a request too)."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values, force_external=False)


def _external(firm: Firm, endpoint: str) -> str:
    return external_url(firm, endpoint)


# ---------------------------------------------------------------- the person's data rights


def for_export(candidate: Candidate) -> list[dict]:
    """The candidate's applications for their data export (portal.services.data_rights)."""
    rows = db.session.execute(
        select(Application.created_at, Search.title, Application.note)
        .outerjoin(Search, Search.id == Application.search_id)
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.created_at)
    ).all()
    return [{"date": when.isoformat(), "role": title, "note": note} for when, title, note in rows]


def erase_notes(candidate_id: int) -> None:
    """What the person wrote goes with their account (the rows stay, for counts by source)."""
    db.session.execute(
        update(Application)
        .where(Application.candidate_id == candidate_id)
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
