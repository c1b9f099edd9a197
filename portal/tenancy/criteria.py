"""The tenant filter's condition (portal.tenancy's `do_orm_execute` hook adds it to every ORM
statement on firm-owned rows) and the firm parameter it needs.

The condition names the firm as a bound parameter, filled in per execution from the session's
bound firm: one option for every firm and statement, so a statement's cache key is the same on
every request and SQLAlchemy never has to call the criteria's lambda again to find the firm in
its closure (measured: a firm id in the closure cost about 1 ms per ORM statement on a small
page, more than running the query). A statement run without the parameter fails ("a value is
required for bind parameter"); the statement check (portal.tenancy.check) still compares it
with the bound firm."""

from __future__ import annotations

import weakref

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, with_loader_criteria

from portal.models.base import FirmOwned
from portal.models.firm import Firm
from portal.tenancy.analysis import FIRM_COLUMN

FIRM_PARAM = "tenancy_firm_id"
_FIRM_VALUE = bindparam(FIRM_PARAM)
FIRM_CRITERIA = with_loader_criteria(FirmOwned, lambda cls: cls.firm_id == _FIRM_VALUE, include_aliases=True)


def fill_carried_firm(state) -> None:
    """A statement the tenant filter does not filter itself may still carry its condition:
    SQLAlchemy carries the option of the query that loaded an object into that object's
    refreshes and relationship loads. Its firm parameter is the firm of that object when it is
    loaded (its firm_id), else the session's bound firm, else the object's firm read by its
    primary key (one statement: only for an object whose firm_id is not loaded, with no firm
    bound); without any the statement fails ("a value is required"), never runs unfiltered."""
    origin = None
    if state.is_select:  # an UPDATE or DELETE has no load options (nothing carried)
        origin = state.lazy_loaded_from or getattr(state.load_options, "_refresh_state", None)
    firm_id = _loaded_firm(origin) if origin is not None else None
    if firm_id is None:
        firm_id = state.session.info.get("firm_id")
    if firm_id is None and origin is not None:
        firm_id = _read_firm(state.session, origin)
    if firm_id is not None:
        state.parameters = with_firm(state.parameters, firm_id)


def _loaded_firm(origin) -> int | None:
    if origin.class_ is Firm:
        return origin.key[1][0] if origin.key else None
    return origin.dict.get(FIRM_COLUMN)


def _read_firm(session: Session, origin) -> int | None:
    """The firm of a firm-owned object whose firm_id is not loaded (expired after a rollback or
    `expire`, or left out by `load_only`), read by its primary key."""
    if not issubclass(origin.class_, FirmOwned) or origin.key is None:
        return None
    mapper = origin.mapper
    table = mapper.local_table
    where = [col == value for col, value in zip(mapper.primary_key, origin.key[1], strict=True)]
    return (
        session.connection()
        .execute(select(table.c[FIRM_COLUMN]).where(*where).execution_options(all_firms=True))
        .scalar()
    )


_FILTERED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def filtered(statement):
    """The statement with the tenant filter's option. A statement built once and run on many
    requests (the user loader's) gets the same filtered statement each time, whose cache key
    SQLAlchemy then computes once instead of per execution."""
    try:
        found = _FILTERED.get(statement)
    except TypeError:  # not weakly referenceable or hashable: filter it each time
        return statement.options(FIRM_CRITERIA)
    if found is None:
        found = _FILTERED[statement] = statement.options(FIRM_CRITERIA)
    return found


def with_firm(parameters, firm_id: int):
    """The statement's parameters with the firm's added (each set of an executemany)."""
    if isinstance(parameters, (list, tuple)):
        return [{**p, FIRM_PARAM: firm_id} for p in parameters]
    return {**(parameters or {}), FIRM_PARAM: firm_id}
