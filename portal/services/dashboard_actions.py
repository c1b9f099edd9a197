"""The one-click actions of the recruiter's "Needs attention" home: mark an interest or a
candidate update handled, or put an interested candidate into the search's pipeline. Each
flushes its change; it must never commit (the view's transaction scope does) and never
computes the lists themselves (portal/services/dashboard.py reads them)."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidacy, CandidateUpdate, Firm, Interest, Stage, User, utcnow
from portal.services import pipeline


def mark_interest_handled(firm: Firm, actor: User, interest: Interest) -> None:
    if interest.handled_at is None:
        interest.handled_at = utcnow()
    db.session.flush()


def add_interested_to_search(firm: Firm, actor: User, interest: Interest) -> Candidacy:
    """The candidate said "I'm interested": put them in the search's pipeline (contacted)."""
    existing = db.session.scalar(
        select(Candidacy).where(
            Candidacy.search_id == interest.search_id, Candidacy.candidate_id == interest.candidate_id
        )
    )
    if existing is not None:
        interest.handled_at = interest.handled_at or utcnow()
        db.session.flush()
        return existing
    candidacy = pipeline.add_to_search(firm, actor, interest.search, interest.candidate, Stage.CONTACTED)
    interest.handled_at = utcnow()
    db.session.flush()
    return candidacy


def mark_update_handled(firm: Firm, actor: User, update: CandidateUpdate) -> None:
    if update.handled_at is None:
        update.handled_at = utcnow()
    db.session.flush()
