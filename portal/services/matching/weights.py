"""Matching, the stored skill weight of a search (`Search.skill_weight`): the sum of its skills'
weights (REQUIRED_WEIGHT per required skill, NICE_WEIGHT per nice-to-have, 0 with none), what
roles_for_candidate measures a candidate's overlap against. It is derived from the search's
SearchSkill rows and must never drift from them:

- every write through the unit of work (a SearchSkill added, removed, moved to another search
  or made required or not, however it was written: `skills.set_search_skills`, a test, a
  fixture) is caught by a flush hook (`install_hooks`), which recomputes the weight of each
  search concerned in the same transaction, from the rows as they now are;
- a bulk statement on `search_skills` (the skill merge) does not go through the unit of work:
  it calls `refresh` itself afterwards;
- a generator writing rows in bulk computes it for the rows it writes (bench/generate.py,
  bench/dataset.py).

Recomputing (rather than adding and subtracting) makes each refresh exact whatever happened
before it. `tests/services/matching/test_weights.py` checks the stored weight against the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Table, Update, bindparam, case, event, func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from portal.models import Search, SearchSkill
from portal.services.matching.scoring import NICE_WEIGHT, REQUIRED_WEIGHT

_SEARCHES = cast("Table", Search.__table__)  # a declarative model's table (typed as a FromClause)
_LINKS = cast("Table", SearchSkill.__table__)
_EXPIRE = "matching_weights_expire"


def _weight_of(firm: ColumnElement[Any]) -> ColumnElement[int]:
    """The weight of the search `searches.id` from its rows (correlated), 0 with none."""
    weight = case((_LINKS.c.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT)
    return (
        select(func.coalesce(func.sum(weight), 0))
        .where(_LINKS.c.firm_id == firm, _LINKS.c.search_id == _SEARCHES.c.id)
        .correlate(_SEARCHES)
        .scalar_subquery()
    )


def _refresh_stmt(firm: ColumnElement[Any], which: ColumnElement[bool]) -> Update:
    # updated_at is kept as it is: a derived column changing is not an edit of the search
    # (the column's onupdate would otherwise apply to a Core UPDATE too).
    return (
        update(_SEARCHES)
        .where(_SEARCHES.c.firm_id == firm, which)
        .values(skill_weight=_weight_of(firm), updated_at=_SEARCHES.c.updated_at)
    )


@lru_cache(maxsize=1)
def _refresh_ids_stmt() -> Update:
    firm = bindparam("firm", type_=Integer)
    return _refresh_stmt(firm, _SEARCHES.c.id.in_(bindparam("ids", expanding=True)))


def refresh(conn: Connection, firm_id: int, search_ids: Collection[int] | None = None, *, skill_id=None):
    """Recompute the stored weight of the firm's searches `search_ids`, or of every search
    that has the skill `skill_id` (after a bulk change to that skill's rows)."""
    if skill_id is not None:
        firm = bindparam("firm", firm_id, type_=Integer)
        has_skill = select(_LINKS.c.search_id).where(_LINKS.c.firm_id == firm, _LINKS.c.skill_id == skill_id)
        conn.execute(_refresh_stmt(firm, _SEARCHES.c.id.in_(has_skill)))
    if search_ids:
        conn.execute(_refresh_ids_stmt(), {"firm": firm_id, "ids": sorted(set(search_ids))})


def _after_flush(session: Session, flush_context) -> None:
    """Recompute the weight of every search whose SearchSkill rows this flush wrote (inserted,
    updated or deleted, orphans included), by firm; the old search too when a row moved."""
    concerned: dict[int | None, set[int]] = defaultdict(set)
    for state, (_, listonly) in flush_context.states.items():
        if listonly or not issubclass(state.class_, SearchSkill):
            continue  # listonly: only looked at for a relationship, not written
        values = state.dict
        firm_id = values.get("firm_id", state.committed_state.get("firm_id"))
        if firm_id is None:
            firm_id = session.info.get("firm_id")
        ids = set()
        if state.key is not None:  # the row as it was loaded (a delete, an update)
            ids.add(state.key[1][_SEARCH_AT])
        if values.get("search_id") is not None:  # the row as written (an insert, an update)
            ids.add(values["search_id"])
        old = state.committed_state.get("search_id")
        if isinstance(old, int):
            ids.add(old)
        concerned[firm_id].update(ids)
    if not concerned:
        return
    conn = session.connection()
    for firm_id, ids in concerned.items():
        if firm_id is None:  # spanning firms with an expired row: every firm of those searches
            firms = conn.execute(select(_SEARCHES.c.firm_id).where(_SEARCHES.c.id.in_(sorted(ids))).distinct())
            for (fid,) in firms:
                refresh(conn, fid, ids)
        else:
            refresh(conn, firm_id, ids)
    session.info.setdefault(_EXPIRE, set()).update(i for ids in concerned.values() for i in ids)


def _after_flush_postexec(session: Session, flush_context) -> None:
    """Searches loaded in the session read their new weight from the database when asked."""
    ids = session.info.pop(_EXPIRE, None)
    if not ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Search):
            state = inspect(obj)
            if state.key is not None and state.key[1][0] in ids and "skill_weight" in state.dict:
                session.expire(obj, ["skill_weight"])


_SEARCH_AT = [c.key for c in inspect(SearchSkill).primary_key].index("search_id")


def install_hooks() -> None:
    """Keep the stored weights in step with every flush (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)
