""" "New applications" on the recruiter's needs-attention: candidacies at the applied stage,
oldest first, until a recruiter moves them on (or closes them with a reason). Two queries
whatever the count: the capped list, then the applications behind it (note, referred by).
It only reads: never writes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Load, aliased, contains_eager

from portal.extensions import db
from portal.models import Application, Candidacy, Candidate, Search, SearchState, Stage


@dataclass
class NewApplication:
    candidacy: Candidacy
    days: int
    note: str | None = None
    referred_by: str | None = None


def new_applications(mine_filter, now: datetime, limit: int) -> tuple[list[NewApplication], bool]:
    """The oldest `limit` applied candidacies in open or on-hold searches (`mine_filter`: a row
    filter on the candidacy's candidate and search ids, or None for the whole firm); and
    whether there are more."""
    q = (
        select(Candidacy)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Candidacy.stage == Stage.APPLIED,
            Search.state.in_((SearchState.OPEN, SearchState.ON_HOLD)),
            Candidate.deleted_at.is_(None),
        )
        .options(
            contains_eager(Candidacy.search).load_only(Search.title, Search.state, Search.owner_id, raiseload=True),
            contains_eager(Candidacy.candidate).load_only(Candidate.name, Candidate.owner_id, raiseload=True),
            Load(Candidacy).load_only(
                Candidacy.stage, Candidacy.created_at, Candidacy.search_id, Candidacy.candidate_id, Candidacy.version
            ),
        )
        .order_by(Candidacy.created_at, Candidacy.id)
        .limit(limit + 1)
    )
    if mine_filter is not None:
        q = q.where(mine_filter(Candidacy.candidate_id, Candidacy.search_id))
    found = list(db.session.scalars(q).unique())
    rows = [NewApplication(cy, max((now - cy.created_at).days, 0)) for cy in found[:limit]]
    _add_applications(rows)
    return rows, len(found) > limit


def _add_applications(rows: list[NewApplication]) -> None:
    if not rows:
        return
    referrer = aliased(Candidate)
    keys = [(r.candidacy.candidate_id, r.candidacy.search_id) for r in rows]
    found = db.session.execute(
        select(Application.candidate_id, Application.search_id, Application.note, referrer.name)
        .outerjoin(referrer, referrer.id == Application.referred_by_candidate_id)
        .where(tuple_(Application.candidate_id, Application.search_id).in_(keys))
        .order_by(Application.created_at)
    ).all()
    by_key = {(cid, sid): (note, name) for cid, sid, note, name in found}
    for r in rows:
        r.note, r.referred_by = by_key.get((r.candidacy.candidate_id, r.candidacy.search_id), (None, None))


def for_candidacy(candidacy: Candidacy) -> tuple[Application, str | None] | None:
    """The application behind a candidacy (for the recruiter's candidacy page) and the name of
    the candidate who referred it, if any."""
    referrer = aliased(Candidate)
    row = db.session.execute(
        select(Application, referrer.name)
        .outerjoin(referrer, referrer.id == Application.referred_by_candidate_id)
        .where(Application.candidate_id == candidacy.candidate_id, Application.search_id == candidacy.search_id)
        .order_by(Application.created_at)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None
