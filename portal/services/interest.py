""" "I'm interested": a candidate raises their hand for an open (or anticipated) role, and the
recruiters are told. It never puts the candidate into the search (a recruiter decides)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, Firm, Interest, Search, SearchState, utcnow
from portal.outbox import links
from portal.services import DomainError, NotFound
from portal.services.keep_in_touch import recruiters_to_tell, tell_recruiters


def interested_search_ids(candidate: Candidate) -> set[int]:
    return set(db.session.scalars(select(Interest.search_id).where(Interest.candidate_id == candidate.id)).all())


def express_interest(firm: Firm, candidate: Candidate, search_id: int) -> tuple[Interest, bool]:
    """Record the interest once and tell the recruiter. Returns (interest, created):
    a second click finds the first interest and sends nothing more."""
    search = db.session.get(Search, search_id)
    if search is None or search.state != SearchState.OPEN:
        raise NotFound(_("That role is not open any more."))
    existing = db.session.scalar(
        select(Interest).where(Interest.candidate_id == candidate.id, Interest.search_id == search.id)
    )
    if existing is not None:
        return existing, False
    in_search = db.session.scalar(
        select(Candidacy.id).where(Candidacy.candidate_id == candidate.id, Candidacy.search_id == search.id)
    )
    if in_search is not None:
        raise DomainError(_("You are already in this search; you can follow it on “My searches”."))
    interest = Interest(firm_id=firm.id, candidate_id=candidate.id, search_id=search.id, created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(interest)
    except IntegrityError:
        # A double click raced us to it: the first one wins, this one changes nothing.
        existing = db.session.scalar(
            select(Interest).where(Interest.candidate_id == candidate.id, Interest.search_id == search.id)
        )
        if existing is None:
            raise
        return existing, False
    tell_recruiters(
        firm,
        candidate,
        "interest",
        f"interest:{candidate.id}:{search.id}",
        recruiters_to_tell(candidate, search),
        {"search": search, "interest": interest, "link": links.dashboard(firm, "interests")},
    )
    return interest, True
