"""The firm's skill vocabulary: normalised tags with synonyms, shared by candidates and searches.

A skill is stored once per firm under a folded `key` (case, accents, spacing, punctuation and a
small table of variants: "JS" is "javascript"). A firm adds synonyms (`SkillAlias`), and `merge`
makes a dropped tag an alias of the kept one, so it never comes back. Set-based (never one
query per name) and firm-explicit, so it works in a request and in the worker alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select, update

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    AuditEntry,
    Candidate,
    CandidateSkill,
    Firm,
    Search,
    SearchSkill,
    Skill,
    SkillAlias,
    User,
    utcnow,
)
from portal.services import DomainError, NotFound
from portal.services.matching import pools as match_pools
from portal.services.matching import weights
from portal.services.skill_names import MAX_NAME, display_name, fold, normalise

# The text rules live in skill_names; parse_names (like normalise) is still found here by its callers.
from portal.services.skill_names import parse_names as parse_names

MAX_SKILLS = 100  # per candidate, and per search (required + nice together)


def _check(names: Iterable[str]) -> list[tuple[str, str]]:
    """(key, display name) for each usable name, in order, first spelling of a key wins."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join((raw or "").split())
        if len(name) > MAX_NAME:
            raise DomainError(
                _(
                    "A skill name can be at most %(num)d characters (\u201c%(start)s\u2026\u201d is longer).",
                    num=MAX_NAME,
                    start=name[:30],
                )
            )
        key = normalise(name)
        if not key or key in seen:
            continue
        seen.add(key)
        out.append((key, display_name(name)))
    return out


check_names = _check  # for callers that look keys up themselves (talent_pool)


def _insert_ignoring_duplicates(firm: Firm, rows: list[dict]) -> None:
    """Insert new skills; a concurrent insert of the same key is not an error."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.session.execute(pg_insert(Skill).values(rows).on_conflict_do_nothing(index_elements=["firm_id", "key"]))
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.session.execute(sqlite_insert(Skill).values(rows).on_conflict_do_nothing(index_elements=["firm_id", "key"]))
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        db.session.add_all(Skill(**row) for row in rows)
        db.session.flush()


def resolve(firm: Firm, names: list[str], create: bool = True) -> list[Skill]:
    """The firm's skills for these names, looked up by key and by alias, in the order given
    and without duplicates. Missing ones are created when `create` (else left out).

    Raises DomainError when a name is longer than 80 characters."""
    wanted = _check(names)
    if not wanted:
        return []
    keys = [k for k, _ in wanted]
    by_key: dict[str, Skill] = {
        s.key: s for s in db.session.scalars(select(Skill).where(Skill.firm_id == firm.id, Skill.key.in_(keys)))
    }
    missing = [k for k in keys if k not in by_key]
    if missing:
        alias_rows = db.session.execute(
            select(SkillAlias.key, Skill)
            .join(Skill, Skill.id == SkillAlias.skill_id)
            .where(SkillAlias.firm_id == firm.id, SkillAlias.key.in_(missing))
        ).all()
        for key, aliased in alias_rows:
            by_key[key] = aliased
        missing = [k for k in missing if k not in by_key]
    if missing and create:
        names_of = dict(wanted)
        now = utcnow()
        _insert_ignoring_duplicates(
            firm, [{"firm_id": firm.id, "key": k, "name": names_of[k], "created_at": now} for k in missing]
        )
        for s in db.session.scalars(select(Skill).where(Skill.firm_id == firm.id, Skill.key.in_(missing))):
            by_key[s.key] = s
    out: list[Skill] = []
    seen_ids: set[int] = set()
    for key in keys:
        skill = by_key.get(key)
        if skill is not None and skill.id not in seen_ids:
            seen_ids.add(skill.id)
            out.append(skill)
    return out


def _own(firm: Firm, obj, what: str) -> None:
    """`what`: "candidate", "search" or "skill" (the message names it)."""
    if obj is None or obj.firm_id != firm.id:
        raise NotFound(
            {"candidate": _("This candidate does not exist."), "search": _("This search does not exist.")}.get(what)
            or _("This skill does not exist.")
        )


def _limit(items: Sequence, what: str) -> None:
    """`what`: "a profile" or "a search"."""
    if len(items) > MAX_SKILLS:
        raise DomainError(
            _("Give at most %(num)d skills for a search.", num=MAX_SKILLS)
            if what == "a search"
            else _("Give at most %(num)d skills for a profile.", num=MAX_SKILLS)
        )


def set_candidate_skills(firm: Firm, candidate: Candidate, names: list[str]) -> list[Skill]:
    """Replace the candidate's skills with these names (resolved through the vocabulary)."""
    _own(firm, candidate, "candidate")
    _limit(_check(names), "a profile")  # before creating anything
    skills = resolve(firm, list(names), create=True)
    wanted = {s.id: s for s in skills}
    current = {cs.skill_id: cs for cs in candidate.skills}
    for skill_id, link in current.items():
        if skill_id not in wanted:
            candidate.skills.remove(link)
    for skill_id, skill in wanted.items():
        if skill_id not in current:
            candidate.skills.append(CandidateSkill(firm_id=firm.id, skill_id=skill_id, skill=skill))
    candidate.updated_at = utcnow()
    db.session.flush()
    if set(current) != set(wanted):
        match_pools.refresh_candidates(firm, [candidate.id])
    return skills


def set_search_skills(firm: Firm, search: Search, required: list[str], nice: list[str]) -> list[Skill]:
    """Replace the search's skills. A skill named in both lists counts as required."""
    _own(firm, search, "search")
    _limit(_check(list(required) + list(nice)), "a search")  # before creating anything
    req = resolve(firm, list(required), create=True)
    req_ids = {s.id for s in req}
    nice_skills = [s for s in resolve(firm, list(nice), create=True) if s.id not in req_ids]
    wanted = {s.id: (s, True) for s in req} | {s.id: (s, False) for s in nice_skills}
    current = {ss.skill_id: ss for ss in search.skills}
    before = {skill_id: link.required for skill_id, link in current.items()}
    for skill_id, unwanted in current.items():
        if skill_id not in wanted:
            search.skills.remove(unwanted)
    for skill_id, (skill, is_required) in wanted.items():
        link = current.get(skill_id)
        if link is None:
            search.skills.append(SearchSkill(firm_id=firm.id, skill_id=skill_id, skill=skill, required=is_required))
        elif link.required != is_required:
            link.required = is_required
    search.updated_at = utcnow()
    db.session.flush()
    if before != {skill_id: is_required for skill_id, (_, is_required) in wanted.items()}:
        match_pools.build(firm, [search])
    return req + nice_skills


def add_alias(firm: Firm, actor: User | None, skill: Skill, name: str) -> SkillAlias:
    """Teach the vocabulary a synonym: `name` will resolve to `skill` from now on."""
    _own(firm, skill, "skill")
    checked = _check([name])
    if not checked:
        raise DomainError(_("Give a synonym with at least one letter or digit."))
    key = checked[0][0]
    if key == skill.key:
        raise DomainError(_("\u201c%(name)s\u201d already means %(skill)s.", name=name.strip(), skill=skill.name))
    taken = db.session.scalar(select(Skill).where(Skill.firm_id == firm.id, Skill.key == key))
    if taken is not None:
        raise DomainError(_("\u201c%(name)s\u201d is a skill of its own; merge the two instead.", name=taken.name))
    alias = db.session.scalar(select(SkillAlias).where(SkillAlias.firm_id == firm.id, SkillAlias.key == key))
    if alias is None:
        alias = SkillAlias(firm_id=firm.id, key=key, skill_id=skill.id)
        db.session.add(alias)
    else:
        alias.skill_id = skill.id
    db.session.add(
        AuditEntry(
            firm_id=firm.id,
            actor_id=actor.id if actor else None,
            action="skills.alias",
            target=skill.name[:200],
            details={"alias": name.strip()},
        )
    )
    db.session.flush()
    return alias


def merge(firm: Firm, actor: User | None, keep: Skill, drop: Skill) -> Skill:
    """Merge two tags: every candidate and search tagged `drop` is tagged `keep` instead
    (a search keeps the skill required if either was), `drop`'s aliases move to `keep`,
    and `drop` itself becomes an alias of `keep`. Returns `keep`."""
    _own(firm, keep, "skill")
    _own(firm, drop, "skill")
    if keep.id == drop.id:
        raise DomainError(_("Choose two different skills to merge."))
    sess = db.session
    sess.flush()
    opts = {"synchronize_session": False}

    has_keep = select(CandidateSkill.candidate_id).where(
        CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id == keep.id
    )
    moved_candidates = sess.scalar(
        select(func.count())
        .select_from(CandidateSkill)
        .where(CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id == drop.id)
    )
    sess.execute(
        delete(CandidateSkill)
        .where(
            CandidateSkill.firm_id == firm.id,
            CandidateSkill.skill_id == drop.id,
            CandidateSkill.candidate_id.in_(has_keep),
        )
        .execution_options(**opts)
    )
    sess.execute(
        update(CandidateSkill)
        .where(CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id == drop.id)
        .values(skill_id=keep.id)
        .execution_options(**opts)
    )

    drop_links = select(SearchSkill.search_id).where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id == drop.id)
    moved_searches = sess.scalar(select(func.count()).select_from(drop_links.subquery()))
    sess.execute(
        update(SearchSkill)
        .where(
            SearchSkill.firm_id == firm.id,
            SearchSkill.skill_id == keep.id,
            SearchSkill.search_id.in_(drop_links.where(SearchSkill.required.is_(True))),
        )
        .values(required=True)
        .execution_options(**opts)
    )
    has_keep_s = select(SearchSkill.search_id).where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id == keep.id)
    sess.execute(
        delete(SearchSkill)
        .where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id == drop.id, SearchSkill.search_id.in_(has_keep_s))
        .execution_options(**opts)
    )
    sess.execute(
        update(SearchSkill)
        .where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id == drop.id)
        .values(skill_id=keep.id)
        .execution_options(**opts)
    )
    # Bulk statements bypass the flush hook that keeps Search.skill_weight: every search that
    # had `drop` now has `keep` (a search that had both lost a row, maybe made required).
    weights.refresh(sess.connection(), firm.id, skill_id=keep.id)

    sess.execute(
        update(SkillAlias)
        .where(SkillAlias.firm_id == firm.id, SkillAlias.skill_id == drop.id)
        .values(skill_id=keep.id)
        .execution_options(**opts)
    )
    sess.execute(
        delete(SkillAlias).where(SkillAlias.firm_id == firm.id, SkillAlias.key == drop.key).execution_options(**opts)
    )

    # Objects already loaded in this session now describe rows that moved: forget them.
    for obj in list(sess.identity_map.values()):
        if isinstance(obj, (CandidateSkill, SearchSkill, SkillAlias)):
            sess.expunge(obj)
        elif isinstance(obj, Search):
            sess.expire(obj, ["skills", "skill_weight"])
        elif isinstance(obj, Candidate):
            sess.expire(obj, ["skills"])
    # The overlaps of every search asking for the kept skill changed: their match pools go
    # (those searches are matched live until the worker's plan builds them again).
    match_pools.forget_skill(firm, keep.id)
    drop_name, drop_key = drop.name, drop.key
    sess.delete(drop)
    sess.flush()
    sess.add(SkillAlias(firm_id=firm.id, key=drop_key, skill_id=keep.id))
    sess.add(
        AuditEntry(
            firm_id=firm.id,
            actor_id=actor.id if actor else None,
            action="skills.merge",
            target=keep.name[:200],
            details={
                "kept": keep.name,
                "dropped": drop_name,
                "candidates": moved_candidates,
                "searches": moved_searches,
            },
        )
    )
    sess.flush()
    return keep


def vocabulary(firm: Firm, query: str | None = None, limit: int = 200) -> list[tuple[Skill, int, int]]:
    """The firm's skills with how many candidates and searches use each, most used first;
    `query` narrows to skills whose key contains the folded query (for a picker or the
    merge screen)."""
    cand_n = (
        select(CandidateSkill.skill_id, func.count().label("n"))
        .where(CandidateSkill.firm_id == firm.id)
        .group_by(CandidateSkill.skill_id)
        .subquery()
    )
    search_n = (
        select(SearchSkill.skill_id, func.count().label("n"))
        .where(SearchSkill.firm_id == firm.id)
        .group_by(SearchSkill.skill_id)
        .subquery()
    )
    stmt = (
        select(Skill, func.coalesce(cand_n.c.n, 0), func.coalesce(search_n.c.n, 0))
        .outerjoin(cand_n, cand_n.c.skill_id == Skill.id)
        .outerjoin(search_n, search_n.c.skill_id == Skill.id)
        .where(Skill.firm_id == firm.id)
    )
    if query:
        folded = fold(query)
        if folded:
            stmt = stmt.where(Skill.key.contains(folded, autoescape=True))
    stmt = stmt.order_by((func.coalesce(cand_n.c.n, 0) + func.coalesce(search_n.c.n, 0)).desc(), Skill.name).limit(
        max(1, min(limit, 1000))
    )
    return [(s, int(c), int(n)) for s, c, n in db.session.execute(stmt).all()]
