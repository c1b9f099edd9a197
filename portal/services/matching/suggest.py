"""Matching, the entry points: `explain` one candidate against one search, the best
`candidates_for_search` and the best `roles_for_candidate`, with the hard rules (closed
searches, people already in the search, deleted people) applied here. Flushes only, through
the statements it runs: never commit, never write a row."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Select, bindparam, cast, func, literal_column, or_, select

from portal.extensions import db
from portal.models import Candidacy, Candidate, CandidateSkill, Firm, Search, SearchSkill, SearchState, utcnow
from portal.services.matching import sql
from portal.services.matching.facts import _Facts
from portal.services.matching.prescore import (
    _has,
    _lower,
    _person_expr,
    _person_shape,
    _person_values,
    _place_key,
    _role_shape,
    _role_values,
)
from portal.services.matching.results import Match, MatchFilters, MatchWarning, PersonBrief
from portal.services.matching.scoring import (
    NICE_WEIGHT,
    REQUIRED_WEIGHT,
    _by_name,
    _points,
    _reasons,
    _rounded,
    _score,
    _weights,
)
from portal.services.matching.sql import (
    _CLOSED_STATES,
    _ROLE_COLS,
    _SHORTLISTS,
    MASK_BITS,
    SEARCH_SKILL_WEIGHT,
    _from_mask,
    _padded_size,
    _role_skills,
    _shortlist_stmt,
    _skills_held,
    _warnings,
)


def _today() -> date:
    return utcnow().date()


def explain(firm: Firm, candidate: Candidate, search: Search, with_warnings: bool = True) -> Match:
    """Score one candidate against one search, with reasons (no hard rules applied: use it on
    a candidacy page or to say why someone is or is not a fit)."""
    if candidate.firm_id != firm.id or search.firm_id != firm.id:
        raise ValueError("candidate and search must belong to the firm")
    skills_of, has = _role_skills(firm, [search.id], candidate.id)
    role_skills = skills_of[search.id]
    have, total, n_req_have, n_req = _weights(role_skills, has)
    exact, parts = _score(candidate, search, have, total, n_req_have, n_req, _today())
    warnings: tuple[MatchWarning, ...] = ()
    if with_warnings:
        warnings = tuple(_warnings(firm, [(candidate.id, search.id, search.client_id)])[(candidate.id, search.id)])
    return Match(
        score=_rounded(exact),
        reasons=_reasons(parts, _by_name(role_skills), has, warnings),
        search=search,
        candidate=candidate,
        exact=exact,
    )


def candidates_for_search(
    firm: Firm, search: Search | None, limit: int = 50, filters: MatchFilters | Mapping[str, Any] | None = None
) -> list[Match]:
    """The best people in the firm's talent pool for a search, best first, with reasons and
    warnings (recruiter-facing). Empty for a filled or cancelled search."""
    flt = MatchFilters.coerce(filters)
    if search is None or search.firm_id != firm.id or search.state in _CLOSED_STATES or limit <= 0:
        return []
    role_skills = _role_skills(firm, [search.id])[0][search.id]
    if not role_skills:
        return []
    all_ids = [i for i, _, _ in role_skills]
    req_ids = [i for i, _, r in role_skills if r]
    _, total, _, n_req = _weights(role_skills, set(all_ids))
    today = _today()
    role = _Facts(search)

    # 1-2. The shortlist: one statement per shape (see _shortlist_stmt), the values bound.
    size = _padded_size(len(all_ids))
    person_filters = _person_filters(flt)
    all_required = bool(flt.all_required and req_ids)
    # The search's match pool (pools.py) holds its best overlaps already aggregated;
    # filters on the person look beyond the best overlaps, so they always aggregate.
    pool_floor = search.pool_floor  # None: the search has no match pool
    pooled = pool_floor is not None and not person_filters and not all_required

    def statement(pooled: bool) -> Select[*tuple[Any, ...]]:
        key = (
            db.session.get_bind().dialect.name,
            size,
            _role_shape(role),
            sql.OVERLAP_CAP,
            max(sql.SHORTLIST, 2 * limit),
            all_required,
            pooled,
        )
        if person_filters:
            return _shortlist_stmt(*key, person_filters)
        stmt = _SHORTLISTS.get(key)
        if stmt is None:
            if len(_SHORTLISTS) >= 256:  # a few shapes in practice; never grow without bound
                _SHORTLISTS.clear()
            stmt = _SHORTLISTS[key] = _shortlist_stmt(*key, ())
        return stmt

    params = {"firm": firm.id, "search": search.id, "n_req": len(req_ids), **_role_values(role, total, today)}
    params.update({f"s{i}": all_ids[i] if i < len(all_ids) else -1 - i for i in range(size)})
    params.update({f"q{i}": req_ids[i] if i < len(req_ids) else -1 for i in range(size)})
    nice_ids = [i for i, _, r in role_skills if not r]
    params.update({f"n{i}": nice_ids[i] if i < len(nice_ids) else -1 for i in range(size)})
    # Core execution: every table in the statement carries its explicit firm filter, and the
    # ORM's tenant criteria would make a new statement (and cache key) on every call.
    conn = db.session.connection()
    raw = conn.connection.dbapi_connection if conn.dialect.name == "postgresql" else None

    def shortlist(pooled: bool):
        if raw is None:
            return conn.execute(statement(pooled), params).all()
        # Never as a server-side prepared statement: psycopg prepares a query text after its
        # fifth execution, and PostgreSQL's generic plan for it (the skill ids and the role's
        # values unknown) was 2 to 3 times slower than the plan for the actual values.
        threshold, raw.prepare_threshold = raw.prepare_threshold, None
        try:
            return conn.execute(statement(pooled), params).all()
        finally:
            raw.prepare_threshold = threshold

    rows = shortlist(pooled)
    if pooled and pool_floor is not None and (not rows or (rows[0].listed < sql.OVERLAP_CAP and pool_floor > 1)):
        # The pool shrank below the cap (people left it since it was built; the worker's
        # plan rebuilds it), or nobody in it is left to suggest: aggregate after all.
        rows = shortlist(False)
    if not rows:
        return []
    mask = size <= MASK_BITS

    # 3. The exact score of the shortlist, in Python; words and objects for the best only.
    #    Rows become PersonBriefs first: attribute reads on a result row cost ten times more.
    make = PersonBrief.reader(firm.id, rows[0]._fields)
    at_have = rows[0]._fields.index("have")
    people: dict[int, PersonBrief] = {}
    scored: list[tuple[float, int, int]] = []
    for row in rows:
        person = people[row.id] = make(row)
        exact = _points(person, role, row[at_have], total, today)
        if _rounded(exact) >= flt.min_score:
            scored.append((exact, row[at_have], person.id))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [cid for _, _, cid in top]
    if mask:
        at_mask = rows[0]._fields.index("mask")
        masks = {row.id: row[at_mask] for row in rows}
        has_of = {cid: _from_mask(all_ids, masks[cid]) for cid in ids}
    else:
        has_of = _skills_held(firm, ids, all_ids)
    warn = _warnings(firm, [(cid, search.id, search.client_id) for cid in ids])
    ordered = _by_name(role_skills)
    weight_of = {i: REQUIRED_WEIGHT if r else NICE_WEIGHT for i, _, r in role_skills}
    required = set(req_ids)
    out: list[Match] = []
    for _, _, cid in top:
        person, has = people[cid], has_of.get(cid, set())
        have = sum(weight_of[i] for i in has)  # as _weights, with the search's part once
        exact, parts = _score(person, role, have, total, len(has & required), n_req, today)
        out.append(
            Match(
                score=_rounded(exact),
                search=search,
                candidate=person,
                exact=exact,
                reasons=_reasons(parts, ordered, has, tuple(warn[(cid, search.id)])),
            )
        )
    return out


def _person_filters(flt: MatchFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if flt.job_seeking:
        out.append(Candidate.job_seeking.in_(list(flt.job_seeking)))
    if flt.seniority:
        out.append(Candidate.seniority.in_(list(flt.seniority)))
    if flt.remote:
        out.append(Candidate.remote_preference.in_(list(flt.remote)))
    if flt.location:
        needle = " ".join(flt.location.split()).lower()[:120]
        out.append(or_(_has(_lower(Candidate.location), needle), _has(_lower(Candidate.desired_locations), needle)))
    if flt.available_by:
        out.append(or_(Candidate.available_from.is_(None), Candidate.available_from <= flt.available_by))
    if flt.max_pay is not None:
        out.append(or_(Candidate.pay_expectation.is_(None), Candidate.pay_expectation <= flt.max_pay))
    return out


# Roles shortlist statements by shape (_roles_stmt's key).
_ROLE_SHORTLISTS: dict[tuple[Any, ...], Select[*tuple[Any, ...]]] = {}


def _roles_stmt(
    dialect: str, person_shape: tuple[bool, int, str], include_anticipated: bool, excluding: bool, short_n: int
) -> Select[*tuple[Any, ...]]:
    """The shortlist statement for `roles_for_candidate`, every value a named bind parameter
    (firm, candidate, excluded: the search ids left out, and the person's pre-score values,
    `_person_values`). Built once per shape: building it each call (with the values in it) was
    a large share of the page's Python. Every table carries an explicit firm filter."""
    firm = bindparam("firm", type_=Integer)
    candidate_id = bindparam("candidate", type_=Integer)
    # 1. Overlap per open search from the (firm_id, skill_id, search_id, required) index, for
    #    the skills on the candidate's profile. Open searches are a fifth of the firm's, and
    #    their ids are read once (the partial index ix_searches_firm_open; 'open' inline, not
    #    bound, so that a generic plan of the prepared statement can use it too).
    #    PostgreSQL checks each index row against them before grouping, so only open searches
    #    make groups (bench candidate at 1M: 24,070 groups -> 4,827). SQLite checks the groups
    #    instead (3117dd1): given the filter before grouping it drives from the open searches
    #    and reads every one's skills, slower.
    is_open = Search.state == literal_column(f"'{SearchState.OPEN.value}'")
    open_ids = select(Search.id).where(Search.firm_id == firm, is_open)
    open_first = dialect != "sqlite"
    mine = select(CandidateSkill.skill_id).where(
        CandidateSkill.firm_id == firm, CandidateSkill.candidate_id == candidate_id
    )
    w = SEARCH_SKILL_WEIGHT
    hit_rows = select(SearchSkill.search_id.label("sid"), func.sum(w).label("have")).where(
        SearchSkill.firm_id == firm, SearchSkill.skill_id.in_(mine)
    )
    if open_first:
        hit_rows = hit_rows.where(SearchSkill.search_id.in_(open_ids))
    hits = hit_rows.group_by(SearchSkill.search_id).subquery()
    # 2. Open searches only, with each one's total weight: stored on the search
    #    (Search.skill_weight, weights.py) and read from the same partial index, instead of
    #    summing every open search's skills per request (4,825 lookups at 1M, most of the cost).
    total = Search.skill_weight
    already = (
        select(Candidacy.id)
        .where(Candidacy.firm_id == firm, Candidacy.candidate_id == candidate_id, Candidacy.search_id == hits.c.sid)
        .exists()
    )
    # PostgreSQL reads the open searches' columns from the same partial index (it includes
    # them) in a hash join, instead of one search row per group.
    pool_select = (
        select(hits.c.have, total.label("total"), *_ROLE_COLS, _place_key(Search.location).label("loc_key"))
        .join(Search, Search.id == hits.c.sid)
        .where(Search.firm_id == firm, is_open, ~already)
    )
    if not open_first:
        pool_select = pool_select.where(hits.c.sid.in_(open_ids))
    if not include_anticipated:
        pool_select = pool_select.where(Search.anticipated.is_(False))
    if excluding:
        pool_select = pool_select.where(Search.id.not_in(bindparam("excluded", expanding=True)))
    pool = pool_select.cte("pool").prefix_with("MATERIALIZED")
    # 3. The pre-score, then the best SHORTLIST rows.
    pre = _person_expr(person_shape, pool.c.have, pool.c.total, pool.c)
    return (
        select(pool)
        .order_by(pre.desc(), (cast(pool.c.have, Float) / pool.c.total).desc(), pool.c.id.desc())
        .limit(short_n)
    )


def roles_for_candidate(
    firm: Firm,
    candidate: Candidate | None,
    limit: int = 10,
    include_anticipated: bool = True,
    *,
    for_recruiter: bool = False,
    exclude_search_ids: Collection[int] = (),
    min_score: int = 0,
) -> list[Match]:
    """Open (and, if asked, anticipated) searches that may fit the candidate, best first.

    Candidate-facing by default: no warnings, nothing that names a client (use
    `match.search.client_name_for_candidate()` to show one). `for_recruiter=True` adds the
    warnings about earlier candidacies with the same client. Searches on hold, filled or
    cancelled, and searches the candidate is already in, are never offered.
    `exclude_search_ids` leaves out roles already suggested (the nurture digest)."""
    if candidate is None or candidate.firm_id != firm.id or candidate.deleted_at is not None or limit <= 0:
        return []
    today = _today()
    person = _Facts(candidate)

    # The shortlist: one statement per shape (see _roles_stmt), the values bound.
    key = (
        db.session.get_bind().dialect.name,
        _person_shape(person),
        include_anticipated,
        bool(exclude_search_ids),
        max(sql.ROLE_SHORTLIST, 2 * limit),
    )
    stmt = _ROLE_SHORTLISTS.get(key)
    if stmt is None:
        if len(_ROLE_SHORTLISTS) >= 256:  # a few dozen shapes in practice; never grow without bound
            _ROLE_SHORTLISTS.clear()
        stmt = _ROLE_SHORTLISTS[key] = _roles_stmt(*key)
    params = {"firm": firm.id, "candidate": candidate.id, **_person_values(person, today)}
    if exclude_search_ids:
        params["excluded"] = list(exclude_search_ids)
    # Core execution: every table in the statement carries its explicit firm filter, and the
    # ORM's tenant criteria would make a new statement (and cache key) on every call. Core
    # does not autoflush: flush first, as the ORM execution did.
    db.session.flush()
    rows = db.session.connection().execute(stmt, params).all()

    scored: list[tuple[float, float, int]] = []
    for row in rows:
        exact = _points(person, row, row.have, row.total, today)
        if _rounded(exact) >= min_score:
            scored.append((exact, row.have / row.total, row.id))
    scored.sort(key=lambda t: (-t[0], -t[1], -t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [sid for _, _, sid in top]
    searches = {
        s.id: s for s in db.session.scalars(select(Search).where(Search.firm_id == firm.id, Search.id.in_(ids)))
    }
    role_skills, has = _role_skills(firm, ids, candidate.id)
    warn = _warnings(firm, [(candidate.id, sid, searches[sid].client_id) for sid in ids]) if for_recruiter else {}
    out: list[Match] = []
    for _, _, sid in top:
        search = searches[sid]
        have, total_w, n_req_have, n_req = _weights(role_skills[sid], has)
        exact, parts = _score(candidate, search, have, total_w, n_req_have, n_req, today)
        out.append(
            Match(
                score=_rounded(exact),
                search=search,
                candidate=candidate,
                exact=exact,
                reasons=_reasons(parts, _by_name(role_skills[sid]), has, tuple(warn.get((candidate.id, sid), ()))),
            )
        )
    return out
