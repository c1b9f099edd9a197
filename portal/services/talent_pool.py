"""The talent pool: everyone the firm knows, filtered and paged without ever counting the table.

Pages use a keyset cursor on (name, id) and fetch one row more than shown to know whether
a next page exists, so a page costs the same on 50 candidates as on 500,000."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, literal, or_, select, union_all

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    OPEN_STAGES,
    Candidacy,
    Candidate,
    CandidateSkill,
    CandidateTag,
    Firm,
    JobSeeking,
    Search,
    Skill,
    Stage,
    utcnow,
)
from portal.services import skills
from portal.services.text import split_list

PAGE_SIZE = 25
MAX_SILENT_DAYS = 3650


@dataclass
class PoolFilters:
    text: str | None = None
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    job_seeking: JobSeeking | None = None
    location: str | None = None
    stage: Stage | None = None
    silent_days: int | None = None  # no candidate-facing message for at least this many days
    owner_id: int | None = None


@dataclass
class PoolCandidacy:
    """What a pool row shows of an open candidacy: its link, search title and stage."""

    id: int
    title: str
    stage: Stage


@dataclass
class PoolRow:
    candidate: Candidate
    candidacies: list[PoolCandidacy]
    days_silent: int | None
    skills: list[str] = field(default_factory=list)  # names, A-Z ignoring case
    tags: list[str] = field(default_factory=list)


@dataclass
class PoolPage:
    rows: list[PoolRow]
    next_cursor: str | None


def encode_cursor(name: str, cid: int) -> str:
    raw = json.dumps([name, cid], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor or len(cursor) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, cid = json.loads(raw)
        if isinstance(name, str) and isinstance(cid, int):
            return name, cid
    except (ValueError, TypeError):
        pass
    return None


def _skill_ids(firm: Firm, names: list[str]) -> list[int] | None:
    """Skill ids for the names (synonyms and aliases resolve, so "JS" finds JavaScript);
    None when a name is not in the firm's vocabulary (then nobody can match).
    One lookup per name: at most ten names are accepted in a filter."""
    ids: list[int] = []
    for name in names:
        found = skills.resolve(firm, [name], create=False)
        if not found:
            return None
        if found[0].id not in ids:
            ids.append(found[0].id)
    return ids


def build_query(firm: Firm, filters: PoolFilters):
    q = select(Candidate).where(Candidate.deleted_at.is_(None))
    if filters.text:
        like = f"%{filters.text.strip()[:100]}%"
        q = q.where(or_(Candidate.name.ilike(like), Candidate.email.ilike(like), Candidate.headline.ilike(like)))
    for tag in filters.tags:
        q = q.where(exists().where(CandidateTag.candidate_id == Candidate.id, CandidateTag.name == tag.lower()))
    if filters.skills:
        ids = _skill_ids(firm, filters.skills)
        if ids is None:
            return None
        # IN (the skill's holders, read from the (firm_id, skill_id, candidate_id) index) rather
        # than a correlated EXISTS per candidate: 3 to 4 times faster at 100,000 candidates.
        for sid in ids:
            q = q.where(Candidate.id.in_(select(CandidateSkill.candidate_id).where(CandidateSkill.skill_id == sid)))
    if filters.job_seeking is not None:
        q = q.where(Candidate.job_seeking == filters.job_seeking)
    if filters.location:
        q = q.where(Candidate.location.ilike(f"%{filters.location.strip()[:100]}%"))
    if filters.stage is not None:
        q = q.where(exists().where(Candidacy.candidate_id == Candidate.id, Candidacy.stage == filters.stage))
    if filters.silent_days is not None:
        cutoff = utcnow() - timedelta(days=min(max(filters.silent_days, 0), MAX_SILENT_DAYS))
        q = q.where(or_(Candidate.last_contacted_at.is_(None), Candidate.last_contacted_at <= cutoff))
    if filters.owner_id is not None:
        q = q.where(Candidate.owner_id == filters.owner_id)
    return q


def skill_and_tag_names(ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Each candidate's skill names (A-Z ignoring case) and tags (A-Z), in one statement of
    (candidate, kind, name) rows: a list page needs the names, not a CandidateSkill and a Skill
    object per badge (at 50 candidates that was most of the API list's Python)."""
    out: dict[int, tuple[list[str], list[str]]] = {cid: ([], []) for cid in ids}
    if not ids:
        return out
    rows = db.session.execute(
        union_all(
            select(CandidateSkill.candidate_id, literal(0), Skill.name)
            .join(Skill, Skill.id == CandidateSkill.skill_id)
            .where(CandidateSkill.candidate_id.in_(ids)),
            select(CandidateTag.candidate_id, literal(1), CandidateTag.name).where(CandidateTag.candidate_id.in_(ids)),
        )
    )
    for cid, kind, name in rows:
        out[cid][kind].append(name)
    for skill_names, tag_names in out.values():
        skill_names.sort(key=str.lower)
        tag_names.sort(key=str.lower)
    return out


def page(firm: Firm, filters: PoolFilters, cursor: str | None = None, limit: int = PAGE_SIZE) -> PoolPage:
    q = build_query(firm, filters)
    if q is None:
        return PoolPage([], None)
    after = decode_cursor(cursor)
    if after is not None:
        name, cid = after
        q = q.where(or_(Candidate.name > name, and_(Candidate.name == name, Candidate.id > cid)))
    found = list(db.session.scalars(q.order_by(Candidate.name, Candidate.id).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    by_candidate: dict[int, list[PoolCandidacy]] = {c.id: [] for c in found}
    names = skill_and_tag_names(list(by_candidate))
    if found:
        for cy_id, cid, stage, title in db.session.execute(
            select(Candidacy.id, Candidacy.candidate_id, Candidacy.stage, Search.title)
            .join(Search, Search.id == Candidacy.search_id)
            .where(Candidacy.candidate_id.in_(by_candidate), Candidacy.stage.in_(OPEN_STAGES))
            .order_by(Candidacy.stage_changed_at.desc())
        ):
            by_candidate[cid].append(PoolCandidacy(cy_id, title, stage))
    now = utcnow()
    rows = [
        PoolRow(c, by_candidate[c.id], (now - c.last_contacted_at).days if c.last_contacted_at else None, *names[c.id])
        for c in found
    ]
    next_cursor = encode_cursor(found[-1].name, found[-1].id) if more and found else None
    return PoolPage(rows, next_cursor)


def parse_list(value: str | None) -> list[str]:
    return split_list(value, _("Filter"), max_item=80, max_items=10)
