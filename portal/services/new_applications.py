""" "New applications" on the recruiter's needs-attention: candidacies at the applied stage,
oldest first, until a recruiter moves them on (or closes them with a reason). One capped walk,
run with the other lists by portal/services/dashboard_query.py, which also loads the
applications behind it (note, referred by). It only reads: never writes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import Application, Candidacy, Candidate, Search, SearchState, Stage
from portal.services.dashboard_query import ASC, Found, Walk


@dataclass
class NewApplication:
    candidacy: Candidacy
    days: int
    note: str | None = None
    referred_by: str | None = None


def applications_walk(mine_filter, limit: int) -> Walk:
    """The oldest `limit` applied candidacies in open or on-hold searches (`mine_filter`: a row
    filter on the candidacy's candidate and search ids, or None for the whole firm)."""
    q = (
        select(
            Candidacy.id.label("candidacy_id"),
            Candidacy.candidate_id.label("candidate_id"),
            Candidacy.search_id.label("search_id"),
        )
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Candidacy.stage == Stage.APPLIED,
            Search.state.in_((SearchState.OPEN, SearchState.ON_HOLD)),
            Candidate.deleted_at.is_(None),
        )
    )
    if mine_filter is not None:
        q = q.where(mine_filter(Candidacy.candidate_id, Candidacy.search_id))
    return Walk("applications", q, ((Candidacy.created_at, ASC), (Candidacy.id, ASC)), limit)


def application_rows(found: list[Found], now: datetime) -> list[NewApplication]:
    """The walk's rows, each with the application behind it (note, referred by), which the same
    statement loaded."""
    return [
        NewApplication(f.candidacy, max((now - f.candidacy.created_at).days, 0), f.application_note, f.referred_by)
        for f in found
    ]


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
