"""Keep in touch: what a candidate tells the firm (a short update, a referral), rate-limited.

Each is a CandidateUpdate row (the recruiter's dashboard reads them) plus a message to the
recruiters who look after the candidate, written in the same transaction, never sent from here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from portal import outbox
from portal.extensions import db
from portal.i18n import firm_default, force_locale, ngettext
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import (
    OPEN_STAGES,
    Audience,
    Candidacy,
    Candidate,
    CandidateUpdate,
    Firm,
    Search,
    SearchState,
    UpdateKind,
    User,
    utcnow,
)
from portal.outbox import links
from portal.services import DomainError, NotFound

MAX_BODY = 1000
MAX_NAME = 120
MAX_EMAIL = 254
# A candidate may send this many updates (and as many referrals) in a day: enough for
# real life, not enough to flood a recruiter's inbox.
DAILY_LIMIT = 20
MAX_RECIPIENTS = 10

# What a candidate may tell their recruiter in one tap (lazy: the candidate reads them in their
# language; the recruiter's copy is written in the firm's, see send_update).
UPDATE_CHOICES: dict[str, Any] = {
    # Translators: a quick update from a candidate to their recruiter.
    "offer": _l("I received another offer"),
    # Translators: a quick update from a candidate to their recruiter.
    "unavailable": _l("I'm no longer available"),
    # Translators: a quick update from a candidate to their recruiter (then they write what).
    "other": _l("Something else"),
}


def recruiters_to_tell(candidate: Candidate, search: Search | None = None) -> list[User]:
    """Who looks after this candidate: the search's owner (when there is one), the candidate's
    owner, and the owners of the searches they are in now. Active staff only, at most ten."""
    ids: list[int] = []
    if search is not None and search.owner_id:
        ids.append(search.owner_id)
    if candidate.owner_id:
        ids.append(candidate.owner_id)
    if search is None:
        owners = db.session.scalars(
            select(Search.owner_id)
            .join(Candidacy, Candidacy.search_id == Search.id)
            .where(
                Candidacy.candidate_id == candidate.id, Candidacy.stage.in_(OPEN_STAGES), Search.owner_id.is_not(None)
            )
            .order_by(Candidacy.stage_changed_at.desc())
        ).all()
        ids.extend(i for i in owners if i is not None)  # none are: the query says so; mypy cannot see it
    unique = list(dict.fromkeys(ids))[:MAX_RECIPIENTS]
    if not unique:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(unique))).all()}
    return [users[i] for i in unique if i in users and users[i].active and users[i].is_staff]


def tell_recruiters(
    firm: Firm,
    candidate: Candidate,
    kind: str,
    key: str,
    recipients: list[User],
    context: dict,
    coalesce: str | None = None,
) -> int:
    """One message per recruiter (kind = its email template), never shown in a candidate's
    portal. `key` makes the dedupe keys unique per cause. The email links to the dashboard
    unless `context` names its own page (`link`: the candidate, a dashboard section). With `coalesce`, the message waits
    for the grace window and a later one with the same key replaces it (one email for a
    burst of edits)."""
    for user in recipients:
        outbox.record(
            firm,
            kind=kind,
            dedupe_key=f"{key}:to:{user.id}",
            audience=Audience.RECRUITER,
            to_email=user.email,
            to_name=user.name,
            recipient_user_id=user.id,
            show_in_portal=False,
            grace=coalesce is not None,
            coalesce_key=f"{coalesce}:to:{user.id}" if coalesce else None,
            context={"candidate_obj": candidate, "recruiter": user, "link": links.dashboard(firm), **context},
        )
    return len(recipients)


def _check_rate(candidate: Candidate, kind: UpdateKind) -> None:
    since = utcnow() - timedelta(days=1)
    count = db.session.execute(
        select(func.count())
        .select_from(CandidateUpdate)
        .where(
            CandidateUpdate.candidate_id == candidate.id,
            CandidateUpdate.kind == kind,
            CandidateUpdate.created_at >= since,
        )
    ).scalar_one()
    if count >= DAILY_LIMIT:
        raise DomainError(
            _("You have sent a lot of messages today. Please wait until tomorrow, or contact your recruiter directly.")
        )


def _search_for_candidate(search_id: int | None) -> Search | None:
    """An open search of this firm the candidate may name (a referral's role)."""
    if search_id is None:
        return None
    search = db.session.get(Search, search_id)
    if search is None or search.state != SearchState.OPEN:
        raise NotFound(_("That role is not open any more."))
    return search


def send_update(firm: Firm, candidate: Candidate, choice: str, text: str | None = None) -> CandidateUpdate:
    """A short update to the recruiters ("I received another offer", ...)."""
    if choice not in UPDATE_CHOICES:
        raise DomainError(_("Choose what you would like to tell us."))
    text = (text or "").strip()
    if len(text) > MAX_BODY:
        raise DomainError(
            ngettext(
                "Please keep your message under %(num)d character.",
                "Please keep your message under %(num)d characters.",
                MAX_BODY,
            )
        )
    if choice == "other" and not text:
        raise DomainError(_("Please write a short message."))
    _check_rate(candidate, UpdateKind.UPDATE)
    with force_locale(firm_default(firm)):  # the recruiters' record, in the firm's language
        headline = str(UPDATE_CHOICES[choice]) if choice != "other" else ""
    body = "\n\n".join(part for part in (headline, text) if part)
    update = CandidateUpdate(
        firm_id=firm.id, candidate_id=candidate.id, kind=UpdateKind.UPDATE, body=body, created_at=utcnow()
    )
    db.session.add(update)
    db.session.flush()
    tell_recruiters(
        firm,
        candidate,
        "candidate_update",
        f"candidate-update:{update.id}",
        recruiters_to_tell(candidate),
        {"update": update, "headline": headline, "text": text, "link": links.recruiter_candidate(firm, candidate.id)},
    )
    return update


def refer(
    firm: Firm, candidate: Candidate, name: str, email: str, note: str | None = None, search_id: int | None = None
) -> CandidateUpdate:
    """Refer someone (for a role, or in general) to the firm."""
    name = (name or "").strip()
    email = (email or "").strip().lower()
    note = (note or "").strip()
    if not name or len(name) > MAX_NAME:
        raise DomainError(
            ngettext(
                "Please give their name (up to %(num)d character).",
                "Please give their name (up to %(num)d characters).",
                MAX_NAME,
            )
        )
    if not email or len(email) > MAX_EMAIL or "@" not in email:
        raise DomainError(_("Please give a valid email address."))
    if len(note) > MAX_BODY:
        raise DomainError(
            ngettext(
                "Please keep the note under %(num)d character.",
                "Please keep the note under %(num)d characters.",
                MAX_BODY,
            )
        )
    if candidate.email and email == candidate.email.lower():
        raise DomainError(_("That is your own email address. To tell us about yourself, use the update above."))
    search = _search_for_candidate(search_id)
    _check_rate(candidate, UpdateKind.REFERRAL)
    update = CandidateUpdate(
        firm_id=firm.id,
        candidate_id=candidate.id,
        kind=UpdateKind.REFERRAL,
        body=note,
        search_id=search.id if search else None,
        referral_name=name,
        referral_email=email,
        created_at=utcnow(),
    )
    db.session.add(update)
    db.session.flush()
    tell_recruiters(
        firm,
        candidate,
        "referral",
        f"referral:{update.id}",
        recruiters_to_tell(candidate, search),
        {"update": update, "search": search, "link": links.recruiter_candidate(firm, candidate.id)},
    )
    return update
