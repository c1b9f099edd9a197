"""What a candidate wants to hear. Updates about searches they are in are never optional:
only the optional streams (role suggestions, availability prompts, the experience survey) can be refused, and the
emailing of check-ins ("no news yet"), which are written to the portal either way."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidate, Firm, Message, MessageState, SuggestionFrequency
from portal.services import DomainError, NotFound

MAX_TOKEN = 64
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # secrets.token_urlsafe output


def update_preferences(
    firm: Firm,
    candidate: Candidate,
    suggestion_frequency: str,
    availability_prompts: bool,
    unsubscribed_all: bool,
    checkin_emails: bool | None = None,
    survey_emails: bool | None = None,
) -> None:
    try:
        frequency = SuggestionFrequency(suggestion_frequency)
    except ValueError as exc:
        raise DomainError(_("Choose how often you would like to hear about roles.")) from exc
    candidate.suggestion_frequency = frequency
    candidate.allow_availability_prompts = bool(availability_prompts)
    candidate.unsubscribed_all = bool(unsubscribed_all)
    if checkin_emails is not None:
        set_checkin_emails(firm, candidate, bool(checkin_emails))
    if survey_emails is not None:
        # A survey already written and not yet sent is not emailed either (checked at send time).
        candidate.survey_emails = bool(survey_emails)
    db.session.flush()


CHECKIN_KIND = "checkin"
NO_CHECKIN_EMAILS = "the candidate prefers no check-in emails"


def set_checkin_emails(firm: Firm, candidate: Candidate, wanted: bool) -> None:
    """Check-ins by email or not. Turning them off holds at once: check-ins planned and
    not yet sent are not emailed either (they stay in the portal, marked not emailed)."""
    candidate.checkin_emails = wanted
    if not wanted:
        db.session.execute(
            update(Message)
            .where(
                Message.firm_id == firm.id,
                Message.candidate_id == candidate.id,
                Message.kind == CHECKIN_KIND,
                Message.state == MessageState.PENDING,
            )
            .values(state=MessageState.SKIPPED, last_error=NO_CHECKIN_EMAILS)
            .execution_options(synchronize_session=False)
        )


def candidate_for_token(firm: Firm, token: str) -> Candidate:
    """The candidate of *this* firm whose unsubscribe link this is (the query is filtered to
    the request's firm, so another firm's token is not found)."""
    if not token or len(token) > MAX_TOKEN or not TOKEN_SHAPE.match(token):
        raise NotFound(_("This unsubscribe link is not valid."))
    candidate = db.session.scalar(
        select(Candidate).where(Candidate.unsubscribe_token == token, Candidate.firm_id == firm.id)
    )
    if candidate is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    return candidate


def unsubscribe(firm: Firm, token: str) -> Candidate:
    """One-click unsubscribe (RFC 8058) from every optional stream and from check-in
    emails (every candidate email carries the link, check-ins too). Idempotent."""
    candidate = candidate_for_token(firm, token)
    candidate.unsubscribed_all = True
    set_checkin_emails(firm, candidate, False)
    db.session.flush()
    return candidate
