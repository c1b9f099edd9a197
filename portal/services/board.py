"""A search's pipeline board (the recruiter's board page): its candidacies as cards per stage,
with each card's latest consent and next interview. Read-only, a fixed number of statements
whatever the board's size (rows, never ORM objects per card). Moved out of
portal/services/searches.py, which keeps the searches' own rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidacy, Candidate, Consent, Interview, InterviewState, Search, Stage, utcnow


def board(search: Search, columns: tuple) -> dict:
    """The search's pipeline as cards per stage (`columns` gives the order), most recently
    moved first. Cards are rows of the few fields a card shows (name, headline, stage,
    version, close details) plus `consent`, the latest consent request: two statements, and
    no ORM objects for a board of hundreds of cards."""
    cards = db.session.execute(
        select(
            Candidacy.id,
            Candidacy.stage,
            Candidacy.version,
            Candidacy.close_reason,
            Candidacy.closed_at,
            Candidacy.stage_changed_at,
            Candidate.name,
            Candidate.headline,
        )
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(Candidacy.search_id == search.id)
        .order_by(Candidacy.stage_changed_at.desc(), Candidacy.id.desc())
    ).all()
    latest: dict[int, object] = {}
    if cards:
        for row in db.session.execute(
            select(Consent.candidacy_id, Consent.state, Consent.cv_sent_at)
            .where(Consent.candidacy_id.in_([c.id for c in cards]))
            .order_by(Consent.requested_at, Consent.id)
        ):
            latest[row.candidacy_id] = row
    upcoming = next_interviews([c.id for c in cards])
    out: dict[Stage, list[BoardCard]] = {stage: [] for stage in columns}
    for c in cards:
        out.setdefault(c.stage, []).append(BoardCard(*c, consent=latest.get(c.id), next_interview=upcoming.get(c.id)))
    return out


def next_interviews(candidacy_ids: list[int]) -> dict[int, datetime]:
    """Each candidacy's next scheduled interview (one statement), for the board's cards."""
    if not candidacy_ids:
        return {}
    rows = db.session.execute(
        select(Interview.candidacy_id, func.min(Interview.starts_at))
        .where(
            Interview.candidacy_id.in_(candidacy_ids),
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at > utcnow(),
        )
        .group_by(Interview.candidacy_id)
    ).all()
    return {cid: at for cid, at in rows if cid is not None and at is not None}


@dataclass(slots=True)
class BoardCard:
    id: int
    stage: object
    version: int
    close_reason: object
    closed_at: object
    stage_changed_at: object
    name: str
    headline: str | None
    consent: object  # the latest consent request (state, cv_sent_at), or None
    next_interview: object = None  # when the next scheduled interview starts, or None
