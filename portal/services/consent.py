"""Presentation consent: no CV reaches a client without the candidate's recorded yes.
Records requests and answers (the request names the client, so it reveals a confidential one);
it never sends a CV itself."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.models import Audience, Candidacy, Candidate, Consent, ConsentState, Firm, Search, User, utcnow
from portal.outbox import links
from portal.services import DomainError, NotFound, recruiter_profile, webhook_payloads, webhooks

MAX_COMMENT = 2000


def latest(candidacy: Candidacy) -> Consent | None:
    return db.session.scalar(
        select(Consent)
        .where(Consent.candidacy_id == candidacy.id)
        .order_by(Consent.requested_at.desc(), Consent.id.desc())
        .limit(1)
    )


def approved(candidacy: Candidacy) -> Consent | None:
    """The consent that allows presenting this candidacy, if the candidate gave it."""
    row = latest(candidacy)
    return row if row is not None and row.state == ConsentState.APPROVED else None


def client_revealed(candidacy: Candidacy) -> bool:
    """A confidential client's name is told to the candidate once consent is asked."""
    return db.session.scalar(select(Consent.id).where(Consent.candidacy_id == candidacy.id).limit(1)) is not None


def request_consent(firm: Firm, actor: User, candidacy: Candidacy) -> Consent:
    """Ask the candidate, showing the role's details, before their CV goes to the client."""
    if not candidacy.stage.is_open:
        raise DomainError(_("This candidacy is closed."))
    current = latest(candidacy)
    if current is not None and current.state == ConsentState.REQUESTED:
        raise DomainError(_("Consent was already requested; the candidate has not answered yet."))
    if current is not None and current.state == ConsentState.APPROVED:
        raise DomainError(_("The candidate has already approved presenting their profile for this role."))
    search: Search = candidacy.search
    candidate: Candidate = candidacy.candidate
    if not candidate.email and candidate.user_id is None:
        raise DomainError(_("This candidate has no email address or portal account to ask."))
    consent = Consent(
        firm_id=firm.id,
        candidacy_id=candidacy.id,
        candidate_id=candidacy.candidate_id,
        search_id=candidacy.search_id,
        state=ConsentState.REQUESTED,
        requested_by_id=actor.id,
        requested_at=utcnow(),
        client_name=search.client.name,
        role_title=search.title,
    )
    db.session.add(consent)
    db.session.flush()
    outbox.record_for_candidacy(
        firm,
        candidacy,
        kind="consent_requested",
        dedupe_key=f"consent-request:{consent.id}",
        context={"search": search, "consent": consent, "recruiter": actor, "link": links.consent(firm, consent.id)},
    )
    return consent


def answer_consent(
    firm: Firm, candidate: Candidate, consent_id: int, approve: bool, comment: str | None = None
) -> Consent:
    """Record the candidate's yes or no once; a double submit changes nothing."""
    consent = db.session.scalar(
        select(Consent)
        .join(Candidacy, Candidacy.id == Consent.candidacy_id)
        .where(Consent.id == consent_id, Candidacy.candidate_id == candidate.id)
    )
    if consent is None:
        raise NotFound(_("No such consent request."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(
            ngettext(
                "Please keep the comment under %(num)d character.",
                "Please keep the comment under %(num)d characters.",
                MAX_COMMENT,
            )
        )
    new_state = ConsentState.APPROVED if approve else ConsentState.DECLINED
    changed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Consent)
            .where(Consent.id == consent.id, Consent.state == ConsentState.REQUESTED)
            .values(state=new_state, answered_at=utcnow(), comment=comment or None)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount  # an UPDATE gives a CursorResult
    if changed != 1:
        db.session.refresh(consent)
        raise DomainError(_("You have already answered this request."))
    db.session.refresh(consent)
    candidacy = consent.candidacy
    search = candidacy.search
    recruiter = recruiter_profile.recruiter_for_candidacy(candidacy)
    if recruiter is not None:
        outbox.record(
            firm,
            kind="consent_answered",
            dedupe_key=f"consent-answer:{consent.id}",
            audience=Audience.RECRUITER,
            to_email=recruiter.email,
            to_name=recruiter.name,
            recipient_user_id=recruiter.id,
            candidacy_id=candidacy.id,
            show_in_portal=False,
            context={
                "consent": consent,
                "candidate_obj": candidate,
                "search": search,
                "link": links.recruiter_candidacy(firm, candidacy.id),
            },
        )
    webhooks.emit(firm.id, "consent.answered", lambda: webhook_payloads.consent(consent), key=str(consent.id))
    return consent


def mark_cv_sent(consent: Consent) -> None:
    if consent.cv_sent_at is None:
        consent.cv_sent_at = utcnow()
