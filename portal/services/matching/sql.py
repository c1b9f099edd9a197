"""Matching, the statements: the searches' skills, the shortlist of people for a search (from
the overlap aggregation or the search's match pool), the skills each shortlisted person holds,
and the warnings from earlier candidacies; with how many rows each keeps. Every statement
carries an explicit firm filter on every table: never run one without the firm's id bound."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute

from portal.extensions import db
from portal.models import (
    Candidacy,
    Candidate,
    CandidateSkill,
    Client,
    CloseReason,
    Consent,
    ConsentState,
    Firm,
    MatchPool,
    Search,
    SearchSkill,
    SearchState,
    Skill,
    Stage,
    utcnow,
)
from portal.services.matching.prescore import _lower, _place_key, _role_expr
from portal.services.matching.results import MatchWarning
from portal.services.matching.scoring import NICE_WEIGHT, REQUIRED_WEIGHT

# How many rows the statements keep. Read them as `sql.NAME` when calling (a test or the
# quality bench narrows them by setting them here).
SHORTLIST = 100  # rows scored in Python per query (ranked by the SQL pre-score), at least
# twice the results asked for; see docs/PERFORMANCE.md for the quality check
ROLE_SHORTLIST = 50  # the same for roles_for_candidate (10 results by default)
OVERLAP_CAP = 1000  # strongest overlaps joined to the candidates table (no person filters)
WARNING_DAYS = 365  # "the last 12 months"

_PERSON_COLS = (
    Candidate.id,
    Candidate.seniority,
    Candidate.location,
    Candidate.desired_locations,
    Candidate.remote_preference,
    Candidate.pay_expectation,
    Candidate.pay_currency,
    Candidate.job_seeking,
    Candidate.available_from,
    Candidate.notice_weeks,
)
_ROLE_COLS = (
    Search.id,
    Search.seniority,
    Search.location,
    Search.remote_policy,
    Search.pay_min,
    Search.pay_max,
    Search.pay_currency,
)

_CLOSED_STATES = (SearchState.FILLED, SearchState.CANCELLED)

# Expressions that do not depend on the query, built once (building them per call showed up
# in the profile of roles_for_candidate).
SEARCH_SKILL_WEIGHT = case(  # a search skill's weight (also pools.py)
    (SearchSkill.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT
)


@lru_cache(maxsize=2)
def _role_skills_stmt(with_candidate: bool) -> Select[*tuple[Any, ...]]:
    """The searches' skills (and the candidate's among them), built once; Core, with an
    explicit firm filter on every table."""
    firm = bindparam("firm", type_=Integer)
    stmt: Select[*tuple[Any, ...]] = (
        select(SearchSkill.search_id, SearchSkill.skill_id, Skill.name, SearchSkill.required)
        .join(Skill, and_(Skill.id == SearchSkill.skill_id, Skill.firm_id == firm))
        .where(SearchSkill.firm_id == firm, SearchSkill.search_id.in_(bindparam("searches", expanding=True)))
    )
    if with_candidate:
        stmt = stmt.add_columns(CandidateSkill.candidate_id).outerjoin(
            CandidateSkill,
            and_(
                CandidateSkill.firm_id == firm,
                CandidateSkill.candidate_id == bindparam("candidate", type_=Integer),
                CandidateSkill.skill_id == SearchSkill.skill_id,
            ),
        )
    return stmt


def _role_skills(
    firm: Firm, search_ids: Collection[int], candidate_id: int | None = None
) -> tuple[dict[int, list[tuple[int, str, bool]]], set[int]]:
    """Each search's skills as (skill_id, name, required), and, when `candidate_id` is given,
    which of those skills that candidate has (in the same query)."""
    out: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    held: set[int] = set()
    if not search_ids:
        return out, held
    db.session.flush()  # Core statements from here on: nothing autoflushes pending rows for them
    params = {"firm": firm.id, "searches": sorted(set(search_ids)), "candidate": candidate_id}
    rows = db.session.connection().execute(_role_skills_stmt(candidate_id is not None), params).all()
    for sid, skill_id, name, required, *mine in rows:
        out[sid].append((skill_id, name, bool(required)))
        if mine and mine[0] is not None:
            held.add(skill_id)
    return out, held


MASK_BITS = 62  # skills a search may have for the per-person skill bit mask (a signed 64-bit sum)


def _padded_size(n: int) -> int:
    """How many skill ids a shortlist statement takes: 16, 32 or 62 (the bit mask's limit),
    then multiples of 64 (no mask), so that searches with different numbers of skills share a
    few statements; the unused places get ids that never occur."""
    return next((k for k in (16, 32, MASK_BITS) if k >= n), -(-n // 64) * 64)


# Shortlist statements by shape (_shortlist_stmt's key).
_SHORTLISTS: dict[tuple[Any, ...], Select[*tuple[Any, ...]]] = {}


def _shortlist_stmt(
    dialect: str,
    size: int,
    role_shape: tuple[str, int],
    cap: int,
    short_n: int,
    all_required: bool,
    pooled: bool,
    person_filters: Collection[ColumnElement[bool]],
) -> Select[*tuple[Any, ...]]:
    """The shortlist statement for `candidates_for_search`, every value a named bind parameter
    (firm, search, s0.. the search's skill ids, q0.. the required ones, n0.. the nice ones, n_req, the role's
    pre-score values, `_role_values`). Built once per shape: building it took about 4.5 ms per
    call, more than running it on a small search. Returns the rows of `pool` below with `mask`
    (bit i set when the person has skill s<i>) when size <= MASK_BITS. `pooled`: the overlaps
    come from the search's match pool (MatchPool) instead of the aggregation, and each row
    also says how many pool rows there are, up to `cap` (`listed`)."""
    skill_ids = [bindparam(f"s{i}", type_=Integer) for i in range(size)]
    req_ids = [bindparam(f"q{i}", type_=Integer) for i in range(size)]
    nice_ids = [bindparam(f"n{i}", type_=Integer) for i in range(size)]
    firm_id = bindparam("firm", type_=Integer)

    # 1. Overlap per person, from the (firm_id, skill_id, candidate_id) index alone, or read
    #    from the search's match pool (the same rows, already aggregated).
    agg: Subquery
    cid: ColumnElement[Any] | InstrumentedAttribute[int]
    weight: ColumnElement[Any]
    is_req: ColumnElement[bool]
    if pooled:
        pool_rows = select(MatchPool.candidate_id).where(
            MatchPool.search_id == bindparam("search", type_=Integer), MatchPool.firm_id == firm_id
        )
        agg = (
            select(MatchPool.candidate_id.label("cid"), MatchPool.have.label("have"))
            .where(MatchPool.search_id == bindparam("search", type_=Integer), MatchPool.firm_id == firm_id)
            .order_by(MatchPool.have.desc(), MatchPool.candidate_id.desc())
            .limit(cap)
            .subquery()
        )
        listed = select(func.count()).select_from(pool_rows.limit(cap).subquery()).scalar_subquery()
    elif dialect == "sqlite":
        # The required skills' rows weigh 3 and the nice ones' 1, as two index scans: a CASE
        # on the skill id (an IN-list lookup for each of the 10,000 to 50,000 rows) cost
        # SQLite a fifth of the grouping. (PostgreSQL planned the union as a parallel
        # aggregate with a 200-group estimate, slower; it keeps the CASE.)
        def held(ids, weight):
            return select(CandidateSkill.candidate_id.label("cid"), literal_column(str(weight)).label("w")).where(
                CandidateSkill.firm_id == firm_id, CandidateSkill.skill_id.in_(ids)
            )

        src = union_all(held(req_ids, REQUIRED_WEIGHT), held(nice_ids, NICE_WEIGHT)).subquery("held")
        cid, weight, is_req = src.c.cid, src.c.w, src.c.w == REQUIRED_WEIGHT
    else:
        cid, is_req = CandidateSkill.candidate_id, CandidateSkill.skill_id.in_(req_ids)
        weight = case((is_req, REQUIRED_WEIGHT), else_=NICE_WEIGHT)
    if not pooled:
        have_sum = func.sum(weight).label("have")
        # SQLite groups through a sorter and hands the groups on in key order; keyed by -cid
        # they reach the top-`cap` sort below best-tied first (cid descending), so the tens of
        # thousands of people tied at the cap's overlap are each dropped by one comparison
        # instead of each replacing a kept row (search 1 of the bench firm, 16,640 groups:
        # 19 -> 9 ms). -cid is one-to-one, so the groups and the bare `cid` are unchanged.
        overlap = select(cid.label("cid"), have_sum).group_by(-cid if dialect == "sqlite" else cid)
        if dialect != "sqlite":  # straight from CandidateSkill, not from the union above
            overlap = overlap.where(CandidateSkill.firm_id == firm_id, CandidateSkill.skill_id.in_(skill_ids))
        if all_required:
            overlap = overlap.having(func.sum(case((is_req, 1), else_=0)) == bindparam("n_req", type_=Integer))
        if not person_filters:
            # Without filters on the person, keep only the strongest overlaps before touching the
            # candidates table (the join is the expensive part on a large pool). Ties by id
            # (descending, as the match pool's index reads), so that both give the same people.
            # ORDER BY the label: with the expression repeated SQLite computes the sum twice.
            overlap = overlap.order_by(have_sum.desc(), cid.desc()).limit(cap)
        agg = overlap.subquery()

    # 2. Hard rules and filters on the candidates table (the pool, materialised once), then
    #    the pre-score; the best short_n rows.
    not_in_search: ColumnElement[bool]
    in_search_id = bindparam("search", type_=Integer)
    if dialect == "postgresql":
        # The search's own people as one hashed set: as a NOT EXISTS, a low estimate of the pool
        # (just built, before ANALYZE) made an anti join rescan them per pool row (75 of 80 ms at 1M).
        not_in_search = agg.c.cid.not_in(
            select(Candidacy.candidate_id).where(Candidacy.firm_id == firm_id, Candidacy.search_id == in_search_id)
        )
    else:
        not_in_search = ~(
            select(Candidacy.id)
            .where(
                Candidacy.firm_id == firm_id, Candidacy.search_id == in_search_id, Candidacy.candidate_id == agg.c.cid
            )
            .exists()
        )
    person_cols = (
        *_PERSON_COLS,
        Candidate.name,
        Candidate.headline,
        _place_key(Candidate.location).label("loc_key"),
        _lower(Candidate.desired_locations).label("wish_key"),
    )
    person_rules = (Candidate.firm_id == firm_id, Candidate.deleted_at.is_(None), *person_filters)
    if dialect == "postgresql":
        # One primary-key lookup per overlap row. A plain join lets PostgreSQL's default cost
        # model pick a sequential scan of the whole candidates table for a thousand ids; the
        # LIMIT 1 (the id is the key) keeps the planner from flattening the lateral lookup.
        person = (
            select(*person_cols)
            .where(Candidate.id == agg.c.cid, *person_rules)
            .limit(1)
            .correlate(agg)
            .lateral("person")
        )
        pool_select = select(agg.c.have, person).select_from(agg).join(person, true()).where(not_in_search)
    else:
        pool_select = (
            select(agg.c.have, *person_cols)
            .join(Candidate, Candidate.id == agg.c.cid)
            .where(not_in_search, *person_rules)
        )
    pool = pool_select.cte("pool").prefix_with("MATERIALIZED")
    pre = _role_expr(role_shape, pool.c.have, pool.c)
    short = (
        select(pool)
        .order_by(pre.desc(), pool.c.have.desc(), pool.c.id)
        .limit(short_n)
        .cte("short")
        .prefix_with("MATERIALIZED")
    )
    out: Select[*tuple[Any, ...]] = select(short)
    if pooled:
        out = out.add_columns(listed.label("listed"))
    if size > MASK_BITS:
        return out
    # Which of the search's skills each shortlisted person has, for the shortlist rows only
    # (after the LIMIT: the short list is materialised, so not for the whole pool), as one
    # integer from a correlated subquery over the (firm_id, candidate_id, skill_id) key.
    mask = (
        select(func.sum(case({bp: 1 << i for i, bp in enumerate(skill_ids)}, value=CandidateSkill.skill_id, else_=0)))
        .where(
            CandidateSkill.firm_id == firm_id,
            CandidateSkill.candidate_id == short.c.id,
            CandidateSkill.skill_id.in_(skill_ids),
        )
        .scalar_subquery()
    )
    return out.add_columns(mask.label("mask"))


def _from_mask(skill_ids: list[int], value) -> set[int]:
    value = int(value or 0)
    return {skill_id for i, skill_id in enumerate(skill_ids) if value >> i & 1}


def _skills_held(firm: Firm, ids: list[int], skill_ids: list[int]) -> dict[int, set[int]]:
    """Which of `skill_ids` each of the candidates `ids` has (a search with too many skills
    for the bit mask)."""
    has_of: dict[int, set[int]] = defaultdict(set)
    for cid, skill_id in db.session.execute(
        select(CandidateSkill.candidate_id, CandidateSkill.skill_id).where(
            CandidateSkill.firm_id == firm.id,
            CandidateSkill.candidate_id.in_(ids),
            CandidateSkill.skill_id.in_(skill_ids),
        )
    ):
        has_of[cid].add(skill_id)
    return has_of


@lru_cache(maxsize=1)
def _warnings_stmt():
    """Earlier candidacies that warn, for :candidates with :clients (built once; Core, with
    an explicit firm filter on every table)."""
    firm, since = bindparam("firm", type_=Integer), bindparam("since", type_=Candidacy.closed_at.type)
    closed_recently = and_(Candidacy.stage == Stage.CLOSED, Candidacy.closed_at >= since)
    placed_recently = and_(Candidacy.stage == Stage.PLACED, Candidacy.stage_changed_at >= since)
    return (
        select(
            Candidacy.id,
            Candidacy.candidate_id,
            Search.id,
            Search.title,
            Search.client_id,
            Client.name,
            Candidacy.stage,
            Candidacy.close_reason,
            Candidacy.closed_at,
            Candidacy.stage_changed_at,
            Consent.answered_at,
        )
        .join(Search, and_(Search.id == Candidacy.search_id, Search.firm_id == firm))
        .join(Client, and_(Client.id == Search.client_id, Client.firm_id == firm))
        .outerjoin(
            Consent,
            and_(
                Consent.candidacy_id == Candidacy.id,
                Consent.firm_id == firm,
                Consent.state == ConsentState.DECLINED,
                Consent.answered_at >= since,
            ),
        )
        .where(
            Candidacy.firm_id == firm,
            Candidacy.candidate_id.in_(bindparam("candidates", expanding=True)),
            Search.client_id.in_(bindparam("clients", expanding=True)),
            or_(closed_recently, placed_recently, Consent.id.is_not(None)),
        )
    )


def _warnings(firm: Firm, pairs: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int], list[MatchWarning]]:
    """Earlier closed, placed or declined candidacies with the same client in the last 12
    months, for (candidate_id, search_id, client_id) triples; keyed by (candidate_id,
    search_id). One query for all of them."""
    pairs = list(pairs)
    out: dict[tuple[int, int], list[MatchWarning]] = defaultdict(list)
    if not pairs:
        return out
    since = utcnow() - timedelta(days=WARNING_DAYS)
    rows = (
        db.session.connection()
        .execute(
            _warnings_stmt(),
            {
                "firm": firm.id,
                "since": since,
                "candidates": sorted({c for c, _, _ in pairs}),
                "clients": sorted({k for _, _, k in pairs}),
            },
        )
        .all()
    )
    history: dict[tuple[int, int], dict[tuple[int, str], MatchWarning]] = defaultdict(dict)
    for yid, cid, sid, title, client_id, client, stage, reason, closed_at, changed_at, declined_at in rows:
        found = history[(cid, client_id)]
        if stage is Stage.PLACED and changed_at is not None and changed_at >= since:
            found[(yid, "placed")] = MatchWarning("placed", sid, title, client, changed_at)
        if stage is Stage.CLOSED and closed_at is not None and closed_at >= since:
            found[(yid, "closed")] = MatchWarning(
                "closed",
                sid,
                title,
                client,
                closed_at,
                reason.internal_label if isinstance(reason, CloseReason) else "",
            )
        if declined_at is not None:
            found[(yid, "declined")] = MatchWarning("declined", sid, title, client, declined_at)
    oldest = datetime.min.replace(tzinfo=since.tzinfo)
    for cid, sid, client_id in pairs:
        earlier = [w for w in history.get((cid, client_id), {}).values() if w.search_id != sid]
        earlier.sort(key=lambda w: w.when or oldest, reverse=True)
        out[(cid, sid)] = earlier
    return out
