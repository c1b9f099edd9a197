"""What a candidate wants to hear. Updates about searches they are in are never optional:
only the optional streams (role suggestions, availability prompts) can be refused."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidate, Firm, SuggestionFrequency
from portal.services import DomainError, NotFound

MAX_TOKEN = 64
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # secrets.token_urlsafe output


def update_preferences(firm: Firm, candidate: Candidate, suggestion_frequency: str,
                       availability_prompts: bool, unsubscribed_all: bool) -> None:
    try:
        frequency = SuggestionFrequency(suggestion_frequency)
    except ValueError as exc:
        raise DomainError("Choose how often you would like to hear about roles.") from exc
    candidate.suggestion_frequency = frequency
    candidate.allow_availability_prompts = bool(availability_prompts)
    candidate.unsubscribed_all = bool(unsubscribed_all)
    db.session.flush()


def candidate_for_token(firm: Firm, token: str) -> Candidate:
    """The candidate of *this* firm whose unsubscribe link this is (the query is filtered to
    the request's firm, so another firm's token is not found)."""
    if not token or len(token) > MAX_TOKEN or not TOKEN_SHAPE.match(token):
        raise NotFound("This unsubscribe link is not valid.")
    candidate = db.session.scalar(
        select(Candidate).where(Candidate.unsubscribe_token == token, Candidate.firm_id == firm.id)
    )
    if candidate is None:
        raise NotFound("This unsubscribe link is not valid.")
    return candidate


def unsubscribe(firm: Firm, token: str) -> Candidate:
    """One-click unsubscribe from every optional stream (RFC 8058). Idempotent."""
    candidate = candidate_for_token(firm, token)
    candidate.unsubscribed_all = True
    db.session.flush()
    return candidate
