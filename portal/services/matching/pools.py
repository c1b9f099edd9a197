"""Match pools: the people who share the most skills with each large open search, kept ready.
Flushes, never commits: `maintain` commits in steps only through the `checkpoint` it is given.

Suggesting candidates for a search (`matching.candidates_for_search`) starts from the
`OVERLAP_CAP` people with the largest weighted skill overlap (3 per required skill, 1 per
nice-to-have). At a firm's real size a search over popular skills overlaps tens of thousands of
people, and aggregating their 20,000 to 60,000 candidate-skill rows was most of the time of
every suggestion (PostgreSQL: 20 ms of 40 on the largest searches). A match pool stores the
outcome of that aggregation: every candidate whose overlap `have` is at least the search's
`pool_floor`, the floor chosen when the pool is built so that at least OVERLAP_CAP people are
in it. Reading the best OVERLAP_CAP overlaps from the pool gives exactly what the aggregation
gives (same order, ties by candidate id), and it stays exact under change:

- a candidate's skills change (profile, recruiter edit, CSV import, account deletion):
  `refresh_candidates` recomputes that person's overlap with every pooled search, two
  statements, in the same transaction (an import refreshes everyone at its end, `deferred`);
- a search's skills change, or it opens, or reopens: `build`; it is filled or cancelled: `drop`;
- two skills are merged (rows move in bulk): `forget_skill` drops the pools of the searches
  asking for the kept skill, and the worker's hourly plan builds them again (`maintain`);
  until then those searches are matched live.

People leaving a pool (skills removed) can shrink it below OVERLAP_CAP; it then no longer
holds every best overlap, so `candidates_for_search` counts the pool and matches live instead,
and `maintain` rebuilds it. The weekly plan rebuilds every pool, which also heals what two
transactions racing on one pool (a build while a profile changes) could leave behind.

Only open and on-hold searches whose skills cover at least POOL_FROM candidate-skill rows get
a pool: below that the live aggregation costs little next to the rest of the call, and a pool
would only cost space (about POOL_SIZE rows per search: 6.7 million rows, some 900 MB on
PostgreSQL, for the benchmark firm's 5,200 large open searches of 7,000).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, and_, delete, func, insert, literal, literal_column, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import CandidateSkill, Firm, MatchPool, Search, SearchSkill, SearchState
from portal.services.matching import sql

if TYPE_CHECKING:
    from sqlalchemy import Table

POOL_FROM = 12_000  # candidate-skill rows a search's skills must cover for it to get a pool
POOL_SIZE = 1_200  # people looked at when building; the pool keeps those above the last
# one's overlap (at least OVERLAP_CAP); the margin absorbs people leaving

COMMIT_EVERY = 0.5  # seconds of pool building per transaction in `maintain`

_LIVE_STATES = (SearchState.OPEN, SearchState.ON_HOLD)
_POOLS = cast("Table", MatchPool.__table__)  # a declarative model's table (typed as a FromClause)


def _overlap(firm_id: int, search_id: int) -> Select[int, Any]:
    """(cid, have): everyone sharing a skill with the search, with the weighted overlap."""
    have = func.sum(sql.SEARCH_SKILL_WEIGHT).label("have")
    return (
        select(CandidateSkill.candidate_id.label("cid"), have)
        .select_from(SearchSkill)
        .join(CandidateSkill, and_(CandidateSkill.firm_id == firm_id, CandidateSkill.skill_id == SearchSkill.skill_id))
        .where(SearchSkill.firm_id == firm_id, SearchSkill.search_id == search_id)
        .group_by(CandidateSkill.candidate_id)
    )


def postings(firm: Firm, search_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many candidate-skill rows each search's skills cover (what a live match
    aggregates): for the given searches, or (None) for every open or on-hold one, from the
    firm's per-skill counts."""
    if search_ids is not None:
        ids = list(search_ids)
        if not ids:
            return {}
        rows = db.session.execute(
            select(SearchSkill.search_id, func.count())
            .join(
                CandidateSkill, and_(CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id == SearchSkill.skill_id)
            )
            .where(SearchSkill.firm_id == firm.id, SearchSkill.search_id.in_(ids))
            .group_by(SearchSkill.search_id)
        )
        return {sid: n for sid, n in rows}
    held = (
        select(CandidateSkill.skill_id, func.count().label("n"))
        .where(CandidateSkill.firm_id == firm.id)
        .group_by(CandidateSkill.skill_id)
        .subquery()
    )
    rows = db.session.execute(
        select(SearchSkill.search_id, func.sum(held.c.n))
        .join(held, held.c.skill_id == SearchSkill.skill_id)
        .join(Search, and_(Search.id == SearchSkill.search_id, Search.firm_id == firm.id))
        .where(SearchSkill.firm_id == firm.id, Search.state.in_(_LIVE_STATES))
        .group_by(SearchSkill.search_id)
    )
    return {sid: int(n) for sid, n in rows}


def _set_floor(firm: Firm, search_id: int, floor: int | None, search: Search | None = None) -> None:
    # Core, with updated_at kept: a pool is bookkeeping, not an edit of the search.
    db.session.execute(
        update(Search)
        .where(Search.firm_id == firm.id, Search.id == search_id)
        .values(pool_floor=floor, updated_at=Search.updated_at)
        .execution_options(synchronize_session=False)
    )
    if search is not None:
        set_committed_value(search, "pool_floor", floor)


def _insert_rows(rows: Select[*tuple[Any, ...]]) -> None:
    """INSERT these (firm_id, search_id, candidate_id, have) rows. On PostgreSQL a row that
    another transaction committed meanwhile (a pool rebuilt by the worker while the person
    saves their profile) is overwritten instead of failing the save with a duplicate key;
    SQLite has one writer at a time."""
    columns = ["firm_id", "search_id", "candidate_id", "have"]
    if db.session.get_bind().dialect.name == "postgresql":
        upsert = postgresql.insert(_POOLS).from_select(columns, rows)
        upsert = upsert.on_conflict_do_update(
            index_elements=["candidate_id", "search_id"],
            set_={"have": upsert.excluded.have},
            where=_POOLS.c.firm_id == upsert.excluded.firm_id,
        )
        db.session.execute(upsert)
    else:
        db.session.execute(insert(_POOLS).from_select(columns, rows))


def _fill(firm: Firm, search_id: int) -> int:
    """Insert the search's pool (its old rows already deleted); returns the floor. The rows
    go from the aggregation to the table inside the database (a few statements, one
    aggregation, none of the rows through Python)."""
    agg = _overlap(firm.id, search_id)
    top = agg.order_by(literal_column("have").desc(), CandidateSkill.candidate_id.desc()).limit(POOL_SIZE).subquery()
    _insert_rows(select(literal(firm.id), literal(search_id), top.c.cid, top.c.have))
    mine = and_(_POOLS.c.search_id == search_id, _POOLS.c.firm_id == firm.id)
    n, last = db.session.execute(select(func.count(), func.min(_POOLS.c.have)).where(mine)).one()
    if n < POOL_SIZE:
        return 1  # everyone who shares a skill is in it
    # The last person's overlap may be shared by people beyond POOL_SIZE: keep only the
    # overlaps above it, or, when that leaves fewer than OVERLAP_CAP (a large tie), add the
    # rest of the tie so that the pool is everyone from that overlap up.
    ties = db.session.execute(select(func.count()).where(mine, _POOLS.c.have == last)).scalar_one()
    if n - ties >= sql.OVERLAP_CAP:
        db.session.execute(delete(_POOLS).where(mine, _POOLS.c.have == last))
        return last + 1
    rest = agg.subquery()
    listed = select(_POOLS.c.candidate_id).where(mine)
    _insert_rows(
        select(literal(firm.id), literal(search_id), rest.c.cid, rest.c.have).where(
            rest.c.have == last, rest.c.cid.not_in(listed)
        )
    )
    return last


def build(firm: Firm, searches: Iterable[Search | None], sizes: dict[int, int] | None = None) -> int:
    """(Re)build the pools of these searches: open or on hold over at least POOL_FROM
    candidate-skill rows get one, the others none. Returns how many were built."""
    ours = [s for s in searches if s is not None and s.firm_id == firm.id]
    if not ours:
        return 0
    db.session.flush()
    db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.search_id.in_([s.id for s in ours])))
    live = [s for s in ours if s.state in _LIVE_STATES]
    if sizes is None:
        sizes = postings(firm, [s.id for s in live])
    built = 0
    for search in ours:
        floor = None
        if search.state in _LIVE_STATES and sizes.get(search.id, 0) >= POOL_FROM:
            floor = _fill(firm, search.id)
            built += 1
        if floor is not None or search.pool_floor is not None:
            _set_floor(firm, search.id, floor, search)
    return built


def drop(firm: Firm, searches: Iterable[Search | None]) -> None:
    """No pool for these searches any more (filled, cancelled)."""
    ours = [s for s in searches if s is not None and s.firm_id == firm.id]
    if not ours:
        return
    db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.search_id.in_([s.id for s in ours])))
    for search in ours:
        if search.pool_floor is not None:
            _set_floor(firm, search.id, None, search)


_DEFERRED = "match_pools.deferred"  # session.info key: candidate ids waiting for a refresh
_CHUNK = 500


@contextmanager
def deferred(firm: Firm):
    """Collect the candidates whose skills change inside the block and refresh them together
    at its end (a CSV import: one set of statements instead of two per person). Nothing is
    refreshed when the block raises (its changes are not going to be kept)."""
    info = db.session.info
    if _DEFERRED in info:  # already inside one: the outer block refreshes
        yield
        return
    info[_DEFERRED] = set()
    try:
        yield
        ids = info[_DEFERRED]
    finally:
        info.pop(_DEFERRED, None)
    refresh_candidates(firm, ids)


def refresh_candidates(firm: Firm, candidate_ids: Iterable[int]) -> None:
    """These candidates' skills changed: recompute their place in every pool (each pool
    stays "everyone whose overlap is at least its floor"). Call after the change is flushed."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return
    if _DEFERRED in db.session.info:
        db.session.info[_DEFERRED].update(ids)
        return
    have = func.sum(sql.SEARCH_SKILL_WEIGHT)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.candidate_id.in_(chunk)))
        rows = (
            select(literal(firm.id), SearchSkill.search_id, CandidateSkill.candidate_id, have)
            .select_from(CandidateSkill)
            .join(SearchSkill, and_(SearchSkill.firm_id == firm.id, SearchSkill.skill_id == CandidateSkill.skill_id))
            .join(
                Search,
                and_(Search.id == SearchSkill.search_id, Search.firm_id == firm.id, Search.pool_floor.is_not(None)),
            )
            .where(CandidateSkill.firm_id == firm.id, CandidateSkill.candidate_id.in_(chunk))
            .group_by(SearchSkill.search_id, CandidateSkill.candidate_id, Search.pool_floor)
            .having(have >= Search.pool_floor)
        )
        _insert_rows(rows)


def forget_skill(firm: Firm, skill_id: int) -> int:
    """Rows of this skill moved in bulk (a merge): drop the pools of the searches asking for
    it; `maintain` builds them again. Returns how many were dropped."""
    ids = list(
        db.session.scalars(
            select(Search.id)
            .join(SearchSkill, and_(SearchSkill.search_id == Search.id, SearchSkill.firm_id == firm.id))
            .where(Search.firm_id == firm.id, SearchSkill.skill_id == skill_id, Search.pool_floor.is_not(None))
        )
    )
    if ids:
        db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.search_id.in_(ids)))
        db.session.execute(
            update(Search)
            .where(Search.firm_id == firm.id, Search.id.in_(ids))
            .values(pool_floor=None, updated_at=Search.updated_at)
            .execution_options(synchronize_session=False)
        )
        for obj in db.session.identity_map.values():
            if isinstance(obj, Search) and obj.id in ids:
                set_committed_value(obj, "pool_floor", None)
    return len(ids)


def maintain(firm: Firm, rebuild_all: bool = False, checkpoint: Callable[[], None] | None = None) -> dict[str, int]:
    """Pools for every open or on-hold search that should have one and none for the others:
    builds the missing ones, rebuilds those that shrank below OVERLAP_CAP (or all of them
    with `rebuild_all`), drops those of closed and of small searches. Calls `checkpoint`
    (when given: the caller's commit) every COMMIT_EVERY seconds, so no search stays locked
    for long (and SQLite does not write its log out once per pool: a third of the time).
    Run hourly (all: weekly) by the worker's plan, and by `portal matching pools`."""
    sizes = postings(firm)
    pooled = dict(
        db.session.execute(
            select(Search.id, Search.pool_floor).where(Search.firm_id == firm.id, Search.pool_floor.is_not(None))
        ).all()
    )
    counts: dict[int, int] = (
        dict(
            db.session.execute(
                select(_POOLS.c.search_id, func.count()).where(_POOLS.c.firm_id == firm.id).group_by(_POOLS.c.search_id)
            ).all()
        )
        if pooled and not rebuild_all
        else {}
    )
    out = {"built": 0, "dropped": 0, "kept": 0}
    wanted = {sid for sid, n in sizes.items() if n >= POOL_FROM}
    todo: list[int] = []
    for sid in sorted(wanted):
        floor = pooled.get(sid)
        shrunk = floor is not None and floor > 1 and counts.get(sid, 0) < sql.OVERLAP_CAP
        if rebuild_all or floor is None or shrunk:
            todo.append(sid)
        else:
            out["kept"] += 1
    for sid in sorted(set(pooled) - wanted):
        db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.search_id == sid))
        _set_floor(firm, sid, None)
        out["dropped"] += 1
    if checkpoint is not None:
        checkpoint()
    last = time.monotonic()
    for sid in todo:
        db.session.execute(delete(_POOLS).where(_POOLS.c.firm_id == firm.id, _POOLS.c.search_id == sid))
        _set_floor(firm, sid, _fill(firm, sid))
        out["built"] += 1
        if checkpoint is not None and time.monotonic() - last >= COMMIT_EVERY:
            checkpoint()
            last = time.monotonic()
    if checkpoint is not None:
        checkpoint()
    for obj in db.session.identity_map.values():  # loaded searches see their new floors
        if isinstance(obj, Search) and obj.firm_id == firm.id:
            db.session.expire(obj, ["pool_floor"])
    return out
