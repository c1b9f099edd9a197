"""The talent pool: everyone the firm knows, filtered and paged without ever counting the table.

Pages use a keyset cursor on (name, id) and fetch one row more than shown to know whether
a next page exists, so a page costs the same on 50 candidates as on 500,000."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, func, literal, or_, select, union_all

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
    SkillAlias,
    Stage,
    utcnow,
)
from portal.services import skills
from portal.services.text import split_list

PAGE_SIZE = 25
MAX_SILENT_DAYS = 3650
# A skill filter starts from the skill's holders while they are at most this many (also where
# counting them stops); beyond, the page walks the firm by name (_walks_by_name).
HOLDERS_CAP = 20_000


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


def _skill_ids(firm: Firm, names: list[str]) -> list[tuple[int, bool]] | None:
    """(skill id, common) for the names (synonyms and aliases resolve, so "JS" finds JavaScript),
    common when more than HOLDERS_CAP candidates have the skill (found by looking for the next
    holder past that many, so never more index entries than that, and no count); None when a
    name is not in the firm's vocabulary (then nobody can match). One statement per name (at
    most ten names are accepted in a filter): the lookup and the holders' test together."""
    out: list[tuple[int, bool]] = []
    for name in names:
        wanted = skills.check_names([name])
        if not wanted:
            return None
        key = wanted[0][0]
        skill_id = func.coalesce(
            select(Skill.id).where(Skill.firm_id == firm.id, Skill.key == key).scalar_subquery(),
            select(SkillAlias.skill_id).where(SkillAlias.firm_id == firm.id, SkillAlias.key == key).scalar_subquery(),
        )
        past_cap = (
            select(CandidateSkill.candidate_id)
            .where(CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id == skill_id)
            .offset(HOLDERS_CAP)
            .limit(1)
            .scalar_subquery()
        )
        sid, beyond = db.session.execute(select(skill_id, past_cap)).one()
        if sid is None:
            return None
        if all(sid != known for known, _common in out):
            out.append((sid, beyond is not None))
    return out


def _conditions(c, filters: PoolFilters, ids: list[tuple[int, bool]], holders: bool) -> list:
    """The filters as conditions on `c` (the Candidate class). `holders` says how a skill is
    tested: IN (its holders), read from the (firm_id, skill_id, candidate_id) index, or a probe
    of (candidate_id, skill_id) for each candidate that the walk by name reaches."""
    out = [c.deleted_at.is_(None)]
    if filters.text:
        like = f"%{filters.text.strip()[:100]}%"
        out.append(or_(c.name.ilike(like), c.email.ilike(like), c.headline.ilike(like)))
    for tag in filters.tags:
        out.append(exists().where(CandidateTag.candidate_id == c.id, CandidateTag.name == tag.lower()))
    for sid, _common in ids:
        if holders:
            # IN (the skill's holders) rather than a correlated EXISTS per candidate: 3 to 4 times
            # faster at 100,000 candidates when the holders are few.
            out.append(c.id.in_(select(CandidateSkill.candidate_id).where(CandidateSkill.skill_id == sid)))
        else:
            out.append(exists().where(CandidateSkill.candidate_id == c.id, CandidateSkill.skill_id == sid))
    if filters.job_seeking is not None:
        out.append(c.job_seeking == filters.job_seeking)
    if filters.location:
        out.append(c.location.ilike(f"%{filters.location.strip()[:100]}%"))
    if filters.stage is not None:
        out.append(exists().where(Candidacy.candidate_id == c.id, Candidacy.stage == filters.stage))
    if filters.silent_days is not None:
        cutoff = utcnow() - timedelta(days=min(max(filters.silent_days, 0), MAX_SILENT_DAYS))
        out.append(or_(c.last_contacted_at.is_(None), c.last_contacted_at <= cutoff))
    if filters.owner_id is not None:
        out.append(c.owner_id == filters.owner_id)
    return out


def build_query(firm: Firm, filters: PoolFilters):
    """The filtered pool (unordered; the export and the API order it), or None when a skill
    asked for is unknown (nobody matches)."""
    ids = _skill_ids(firm, filters.skills) if filters.skills else []
    if ids is None:
        return None
    return select(Candidate).where(*_conditions(Candidate, filters, ids, holders=True))


def _after(c, after: tuple[str, int] | None) -> list:
    if after is None:
        return []
    name, cid = after
    return [or_(c.name > name, and_(c.name == name, c.id > cid))]


def _walks_by_name(filters: PoolFilters, ids: list[tuple[int, bool]]) -> bool:
    """Whether to walk the firm in the page's own order rather than start from the holders of
    the rarest skill asked for. Starting from the holders reads every holder (and its row), a
    number that grows with the firm; walking (name, id) along ix_candidates_firm_name, which
    carries the columns the filters test, reads about page size / selectivity index entries
    whatever the firm's size, and stops at the page's last match. Rare skills (at most
    HOLDERS_CAP holders) keep the holders; a text search needs the rows, so it keeps them too."""
    return bool(ids) and not filters.text and all(common for _, common in ids)


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
    ids = _skill_ids(firm, filters.skills) if filters.skills else []
    if ids is None:
        return PoolPage([], None)
    holders = not _walks_by_name(filters, ids)
    # The page's ids first, then their rows: without a text search the ids need only the columns
    # of ix_candidates_firm_name, so PostgreSQL can walk it index-only (testing the location on
    # the index entry, not on a row read for it) and read just the rows shown.
    ids_shown = (
        select(Candidate.id)
        .where(*_conditions(Candidate, filters, ids, holders), *_after(Candidate, decode_cursor(cursor)))
        .order_by(Candidate.name, Candidate.id)
        .limit(limit + 1)
        .subquery()
    )
    found = list(
        db.session.scalars(
            select(Candidate).join(ids_shown, ids_shown.c.id == Candidate.id).order_by(Candidate.name, Candidate.id)
        )
    )
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
