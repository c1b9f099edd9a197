"""Tenancy: the firm comes from the request Host; every statement on firm-owned rows is
checked against it, and a statement with no firm bound fails closed.

`bind_firm(firm_id)` scopes the current session; `all_firms()` is the explicit opt-out
for the CLI and the worker. Views never see another firm's rows, so a foreign id is a 404.

Two layers, both failing closed:

- ORM statements get the firm's condition added (`with_loader_criteria` in a
  `do_orm_execute` hook); objects the unit of work writes are checked before the flush.
- Every statement, whichever API built it (ORM, Core on the session or its connection,
  the engine, text), passes a check at the lowest level (`before_cursor_execute`). The
  compiler records the SELECTs it renders (after the ORM has added its conditions); each
  statement shape is analysed once and the analysis is kept on the cached compiled form.
  A statement that reads or writes a firm-owned table (any table with a `firm_id` column)
  is refused unless every such table in it is constrained by `firm_id = <the bound firm>`
  (in its WHERE or inner-join ON clause, or through `firm_id = <another constrained
  table's firm_id>`), an INSERT gives every row the bound firm, and an UPDATE moves no row
  to another firm. Text SQL naming a firm-owned table cannot be analysed: it must declare
  `execution_options(firm_scoped="checked")` (reviewed, carries its own firm condition;
  a firm must still be bound). `execution_options(all_firms=True)` on a statement or a
  connection, or the `all_firms()` block on a session, says explicitly that it spans firms.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from itertools import chain

from flask import Flask, abort, current_app, g, request
from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, with_loader_criteria
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import (
    BinaryExpression, BindParameter, BooleanClauseList, ClauseElement, ColumnClause, Grouping, Label,
)
from sqlalchemy.sql.selectable import Alias, Join, TableClause
from werkzeug.local import LocalProxy

from portal.extensions import db
from portal.models.base import FirmOwned
from portal.models.firm import Firm, FirmDomain

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Endpoints served without a firm (no firm data on them).
UNSCOPED_ENDPOINTS = {"static", "health.healthz", "dev.mail_index", "dev.mail_view"}


FIRM_COLUMN = "firm_id"


class TenancyError(RuntimeError):
    """A statement touched firm-owned rows with no firm bound, or without a condition on
    the bound firm: a bug, never a user error."""


def bind_firm(firm_id: int | None, session: Session | None = None) -> None:
    (session or db.session()).info["firm_id"] = firm_id


@contextmanager
def all_firms(session: Session | None = None):
    """Explicitly span firms (CLI, worker planning). Never used in a request."""
    sess = session or db.session()
    previous = sess.info.get("all_firms")
    sess.info["all_firms"] = True
    try:
        yield sess
    finally:
        sess.info["all_firms"] = previous


@contextmanager
def as_firm(firm_id: int, session: Session | None = None):
    """Bind a firm for a block (worker jobs, tests, CLI)."""
    sess = session or db.session()
    previous = sess.info.get("firm_id")
    sess.info["firm_id"] = firm_id
    try:
        yield sess
    finally:
        sess.info["firm_id"] = previous


def _tenant_filter(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load:
        # Refreshing attributes of an object already in the session (loaded under these
        # rules, or written after the flush checks): the statement names its primary key.
        state.update_execution_options(_tenancy_identity_load=True)
        return
    session = state.session
    if state.execution_options.get("all_firms") or session.info.get("all_firms"):
        return
    firm_id = session.info.get("firm_id")
    if firm_id is None:
        for mapper in state.all_mappers:
            if issubclass(mapper.class_, FirmOwned):
                raise TenancyError(
                    f"query on {mapper.class_.__name__} with no firm bound; "
                    "bind a firm or use tenancy.all_firms() explicitly"
                )
        return
    state.statement = state.statement.options(
        with_loader_criteria(FirmOwned, lambda cls: cls.firm_id == firm_id, include_aliases=True)
    )


def _check_flush(session: Session, flush_context, instances) -> None:
    """What the unit of work writes belongs to the bound firm: new firm-owned rows take it
    (a row for another firm is refused), and changed or deleted rows must be the firm's.
    The flush's own INSERT/UPDATE/DELETE statements are trusted by the statement check
    because of this (they name rows by primary key)."""
    if session.info.get("all_firms"):
        return
    firm_id = session.info.get("firm_id")
    for obj in session.new:
        if isinstance(obj, FirmOwned):
            if firm_id is None:
                raise TenancyError(f"new {type(obj).__name__} with no firm bound; "
                                   "bind a firm or use tenancy.all_firms() explicitly")
            if obj.firm_id is None:
                obj.firm_id = firm_id
            elif obj.firm_id != firm_id:
                raise TenancyError(f"{obj!r} belongs to firm {obj.firm_id}, not {firm_id}")
    for obj in chain(session.dirty, session.deleted):
        if isinstance(obj, FirmOwned):
            state = inspect(obj)
            current = obj.firm_id  # loads it if expired: the UPDATE/DELETE names the row by key only
            owners = {current, state.committed_state.get(FIRM_COLUMN, current)}
            if firm_id is None or owners != {firm_id}:
                raise TenancyError(f"{obj!r} of firm {', '.join(map(str, owners))} written while firm "
                                   f"{firm_id} is bound; bind its firm or use tenancy.all_firms() explicitly")


def _remember_session(session: Session, transaction, connection) -> None:
    """Make the session's bound firm visible to the statement check on its connection."""
    connection._tenancy_session = session


def install_session_hooks() -> None:
    """Attach the tenant filter and the flush check to every ORM session (idempotent)."""
    if not event.contains(Session, "do_orm_execute", _tenant_filter):
        event.listen(Session, "do_orm_execute", _tenant_filter)
        event.listen(Session, "before_flush", _check_flush)
        event.listen(Session, "after_begin", _remember_session)


# ---------------------------------------------------------------- every statement (Core too)

_FREE = "free"  # the analysis of a statement that touches no firm-owned table
_MISSING = object()
_DRIVER_DML = re.compile(r"^\s*(?:select|insert|update|delete|with|replace|merge|truncate|copy|values|table)\b",
                         re.IGNORECASE)
_firm_tables_cache: dict[int, tuple[frozenset[str], re.Pattern]] = {}
_driver_plans: dict[str, object] = {}


def _firm_tables() -> tuple[frozenset[str], re.Pattern]:
    """The names of the firm-owned tables (every table with a firm_id column), and a
    pattern finding them in SQL text."""
    tables = db.metadata.tables
    found = _firm_tables_cache.get(len(tables))
    if found is None:
        names = frozenset(t.name for t in tables.values() if FIRM_COLUMN in t.c)
        pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b" if names else r"(?!)",
                             re.IGNORECASE)
        _firm_tables_cache.clear()
        found = _firm_tables_cache[len(tables)] = (names, pattern)
    return found


class _Plan:
    """What a statement shape needs at execution: the bound parameters (and constants)
    that must equal the bound firm; a static error; or a declaration (text SQL)."""

    __slots__ = ("names", "values", "error", "text", "tables")

    def __init__(self, names=(), values=(), error=None, text=False, tables=()):
        self.names, self.values, self.error, self.text, self.tables = names, values, error, text, tables


class _Scope:
    """One SELECT as rendered (after the ORM's conditions), with its enclosing statements."""

    __slots__ = ("stmt", "froms", "outer")

    def __init__(self, stmt, froms, outer):
        self.stmt, self.froms, self.outer = stmt, froms, outer


class _TenancyCompiler:
    """Mixed into the dialect's statement compiler: records every SELECT it renders (with
    the FROM list it rendered and its enclosing statements, for correlation), every piece
    of text SQL, and nested DML it cannot analyse."""

    def _setup_select_stack(self, select, compile_state, entry, asfrom, lateral, compound_index):
        froms = super()._setup_select_stack(select, compile_state, entry, asfrom, lateral, compound_index)
        outer = tuple(e["_tenancy_scope"].stmt if "_tenancy_scope" in e else e.get("selectable")
                      for e in reversed(self.stack[:-1]))
        scope = _Scope(select, froms, outer)
        self.stack[-1]["_tenancy_scope"] = scope
        self.__dict__.setdefault("_tenancy_scopes", []).append(scope)
        return froms

    def visit_textclause(self, textclause, *args, **kw):
        self.__dict__.setdefault("_tenancy_texts", []).append(textclause.text)
        return super().visit_textclause(textclause, *args, **kw)

    def visit_column(self, column, *args, **kw):
        if column.is_literal:
            self.__dict__.setdefault("_tenancy_texts", []).append(column.name)
        return super().visit_column(column, *args, **kw)

    def _tenancy_dml(self, kw):
        if kw.get("visiting_cte") is not None or self.stack:
            self._tenancy_nested_dml = True

    def visit_insert(self, stmt, *args, **kw):
        self._tenancy_dml(kw)
        return super().visit_insert(stmt, *args, **kw)

    def visit_update(self, stmt, *args, **kw):
        self._tenancy_dml(kw)
        return super().visit_update(stmt, *args, **kw)

    def visit_delete(self, stmt, *args, **kw):
        self._tenancy_dml(kw)
        return super().visit_delete(stmt, *args, **kw)


_compiler_classes: dict[type, type] = {}


def _tenancy_compiler_for(base: type) -> type:
    if issubclass(base, _TenancyCompiler):
        return base
    cls = _compiler_classes.get(base)
    if cls is None:
        cls = _compiler_classes[base] = type(f"Tenancy{base.__name__}", (_TenancyCompiler, base), {})
    return cls


def _conjuncts(clause) -> list:
    """The AND-ed terms of a condition (an OR constrains nothing)."""
    out, pending = [], [clause]
    while pending:
        c = pending.pop()
        if isinstance(c, Grouping):
            pending.append(c.element)
        elif isinstance(c, BooleanClauseList) and c.operator is operators.and_:
            pending.extend(c.clauses)
        else:
            out.append(c)
    return out


def _unwrap(element):
    while isinstance(element, (Grouping, Label)):
        element = element.element
    return element


def _plain(element):
    return element._deannotate() if hasattr(element, "_deannotate") else element


class _Analysis:
    """Works out, once per compiled statement shape, what makes it safe (see the module
    docstring for the rule)."""

    def __init__(self, compiled, firm_tables: frozenset[str]):
        self.bind_names = compiled.bind_names
        self.firm_tables = firm_tables
        self.names: set[str] = set()
        self.values: list = []
        self.errors: list[str] = []
        self.touched: set[str] = set()
        self.scopes: dict[int, tuple[dict, set]] = {}  # id(statement) -> (occurrences, constrained)

    def _firm_table(self, frm) -> str | None:
        table = _plain(frm)
        if isinstance(table, Alias):
            table = _plain(table.element)
        if isinstance(table, TableClause) and table.name in self.firm_tables:
            return table.name
        return None

    def _walk_from(self, frm, occ: dict, joins: list) -> None:
        if isinstance(frm, Join):
            self._walk_from(frm.left, occ, joins)
            right: dict = {}
            self._walk_from(frm.right, right, joins)
            occ.update(right)
            if frm.onclause is not None and not frm.full:
                # An outer join's ON limits only the rows it joins (the right side).
                joins.append((_conjuncts(frm.onclause), set(right) if frm.isouter else None))
            return
        name = self._firm_table(frm)
        if name is not None:
            occ[_plain(frm)] = name

    def _resolve(self, element, occ: dict, outer) -> tuple[int | None, object] | None:
        """The table occurrence whose firm_id `element` is: (None, key) in this scope,
        (scope id, key) in an enclosing one (correlation, nearest first); else None."""
        element = _unwrap(element)
        if not isinstance(element, ColumnClause) or element.name != FIRM_COLUMN or element.table is None:
            return None
        key = _plain(element.table)
        if key in occ:
            return None, key
        for enclosing in outer:
            found = self.scopes.get(id(enclosing))
            if found is not None and key in found[0]:
                return id(enclosing), key
        return None

    def scope(self, stmt, froms, where, outer) -> None:
        occ: dict = {}
        joins: list = []
        for frm in froms:
            self._walk_from(frm, occ, joins)
        done: set = set()
        self.scopes[id(stmt)] = (occ, done)
        if not occ:
            return
        self.touched.update(occ.values())
        terms = [(c, None) for w in where for c in _conjuncts(w)]
        terms += [(c, targets) for conds, targets in joins for c in conds]
        edges = []
        for term, targets in terms:
            if not (isinstance(term, BinaryExpression) and term.operator is operators.eq):
                continue
            left, right = _unwrap(term.left), _unwrap(term.right)
            for this, other in ((left, right), (right, left)):
                found = self._resolve(this, occ, outer)
                if found is None or found[0] is not None or (targets is not None and found[1] not in targets):
                    continue
                if isinstance(other, BindParameter):
                    name = self.bind_names.get(other)
                    if name is not None:
                        self.names.add(name)
                        done.add(found[1])
                else:
                    source = self._resolve(other, occ, outer)
                    if source is not None:
                        edges.append((found[1], source))
        changed = True
        while changed:
            changed = False
            for key, (where_id, source) in edges:
                if key in done:
                    continue
                constrained = source in done if where_id is None else source in self.scopes[where_id][1]
                if constrained:
                    done.add(key)
                    changed = True
        for key, name in occ.items():
            if key not in done:
                self.errors.append(f"{name} is not constrained to the bound firm")

    def dml(self, compiled) -> None:
        state = compiled.compile_state
        stmt = state.statement
        if compiled.isinsert:
            return
        froms = [stmt.table, *getattr(state, "_extra_froms", ())]
        self.scope(stmt, froms, stmt._where_criteria, ())
        if compiled.isupdate and self._firm_table(stmt.table):
            params = dict(getattr(state, "_ordered_values", None) or ())
            params.update(getattr(state, "_dict_parameters", None) or {})
            for col, value in params.items():
                if getattr(col, "key", col) == FIRM_COLUMN:
                    self._firm_value(value, "an UPDATE moves rows to another firm")

    def _firm_value(self, value, what: str) -> None:
        if isinstance(value, BindParameter):
            if value.unique:  # a plain value in values(): compiled under the column's name
                self.names.add(FIRM_COLUMN)
            else:
                self.names.add(value.key)
        elif isinstance(value, ClauseElement):
            self.errors.append(f"{what}: firm_id from an expression")
        else:
            self.values.append(value)

    def _conflict_kept_in_firm(self, stmt, conflict) -> bool:
        target = _plain(stmt.table)
        if any(getattr(e, "name", e) == FIRM_COLUMN for e in conflict.inferred_target_elements or ()):
            return True  # the conflicting row has the new row's firm_id, checked below
        for term in _conjuncts(conflict.update_whereclause) if conflict.update_whereclause is not None else ():
            if not (isinstance(term, BinaryExpression) and term.operator is operators.eq):
                continue
            left, right = _unwrap(term.left), _unwrap(term.right)
            for this, other in ((left, right), (right, left)):
                if not (isinstance(this, ColumnClause) and this.name == FIRM_COLUMN and this.table is not None
                        and _plain(this.table) is target):
                    continue
                if isinstance(other, BindParameter) and self.bind_names.get(other):
                    self.names.add(self.bind_names[other])
                    return True
                excluded = _plain(other.table) if isinstance(other, ColumnClause) else None
                if (isinstance(excluded, Alias) and other.name == FIRM_COLUMN and excluded.name == "excluded"
                        and _plain(excluded.element) is target):
                    return True  # the new row's firm_id, itself checked below
        return False

    def insert(self, compiled, scopes) -> None:
        state = compiled.compile_state
        stmt = state.statement
        name = self._firm_table(stmt.table)
        if name is None:
            return
        self.touched.add(name)
        what = f"an INSERT into {name}"
        conflict = getattr(stmt, "_post_values_clause", None)
        if conflict is not None and hasattr(conflict, "update_values_to_set"):
            # ON CONFLICT DO UPDATE writes the row already there: it must be the bound firm's.
            if not self._conflict_kept_in_firm(stmt, conflict):
                self.errors.append(f"{what} ON CONFLICT DO UPDATE needs WHERE firm_id = excluded.firm_id")
        if stmt.select is not None:
            names = [getattr(n, "key", n) for n in stmt._select_names or ()]
            inner = next((s for s in scopes if s.outer and s.outer[0] is stmt), None)
            if FIRM_COLUMN not in names or inner is None:
                self.errors.append(f"{what} does not give firm_id")
                return
            column = _unwrap(list(inner.stmt.selected_columns)[names.index(FIRM_COLUMN)])
            if isinstance(column, BindParameter) and self.bind_names.get(column):
                self.names.add(self.bind_names[column])
                return
            occ, done = self.scopes.get(id(inner.stmt), ({}, set()))
            found = self._resolve(column, occ, ())
            if found is None or found[1] not in done:
                self.errors.append(f"{what} takes firm_id from something not constrained to the bound firm")
        elif state._has_multi_parameters:
            for row in state._multi_parameters:
                value = next((v for k, v in row.items() if getattr(k, "key", k) == FIRM_COLUMN), _MISSING)
                if value is _MISSING:
                    self.errors.append(f"{what} does not give firm_id")
                elif isinstance(value, BindParameter):
                    self.values.append(value.effective_value)
                else:
                    self._firm_value(value, what)
        else:
            given = {getattr(k, "key", k): v for k, v in (state._dict_parameters or {}).items()}
            if FIRM_COLUMN in given:
                self._firm_value(given[FIRM_COLUMN], what)
            else:  # given at execution (one row or many): compiled under the column's name
                self.names.add(FIRM_COLUMN)


def _plan_for(compiled) -> object:
    firm_tables, pattern = _firm_tables()
    if not isinstance(compiled, SQLCompiler):  # DDL: schema, not rows
        return _FREE
    if not isinstance(compiled, _TenancyCompiler):
        found = sorted({m.lower() for m in pattern.findall(compiled.string)})
        return _Plan(error="compiled without the tenancy compiler", tables=tuple(found)) if found else _FREE
    texts = sorted({m.lower() for t in compiled.__dict__.get("_tenancy_texts", ()) for m in pattern.findall(t)})
    scopes = compiled.__dict__.get("_tenancy_scopes", ())
    analysis = _Analysis(compiled, firm_tables)
    try:
        if compiled.isupdate or compiled.isdelete:
            analysis.dml(compiled)
        for scope in scopes:
            stmt = scope.stmt
            analysis.scope(stmt, scope.froms, stmt._where_criteria, scope.outer)
        if compiled.isinsert:
            analysis.insert(compiled, scopes)
    except Exception as exc:  # noqa: BLE001 - a construct the analysis does not know: refused, not let through
        found = tuple(sorted({m.lower() for m in pattern.findall(compiled.string)}))
        return _Plan(error=f"could not be analysed ({exc!r})", tables=found) if found else _FREE
    if compiled.__dict__.get("_tenancy_nested_dml"):
        analysis.errors.append("DML inside another statement cannot be checked")
    if not analysis.touched and not texts:
        return _FREE
    return _Plan(tuple(sorted(analysis.names)), tuple(analysis.values), "; ".join(analysis.errors) or None,
                 bool(texts), tuple(sorted(analysis.touched | set(texts))))


def _driver_plan(statement: str) -> object:
    plan = _driver_plans.get(statement)
    if plan is None:
        found = ()
        if _DRIVER_DML.match(statement):
            found = tuple(sorted({m.lower() for m in _firm_tables()[1].findall(statement)}))
        plan = _Plan(text=True, tables=found) if found else _FREE
        if len(_driver_plans) > 500:
            _driver_plans.clear()
        _driver_plans[statement] = plan
    return plan


def _check_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    """The statement check (engine `before_cursor_execute`); raises TenancyError."""
    compiled = context.compiled
    if compiled is None:
        plan = _driver_plan(statement)
    else:
        plan = compiled.__dict__.get("_tenancy_plan")
        if plan is None:
            plan = compiled._tenancy_plan = _plan_for(compiled)
    if plan is _FREE:
        return
    options = context.execution_options
    if options.get("all_firms") or options.get("_tenancy_identity_load"):
        return
    session = getattr(conn, "_tenancy_session", None)
    info = session.info if session is not None else {}
    if info.get("all_firms"):
        return
    if (session is not None and session._flushing and not plan.text
            and (context.isinsert or context.isupdate or context.isdelete)):
        return  # the unit of work's own statements: its objects were checked before the flush
    firm_id = info.get("firm_id")
    tables = ", ".join(plan.tables)
    if plan.text:
        if options.get("firm_scoped") == "checked" and firm_id is not None:
            return
        raise TenancyError(f"SQL text on {tables} cannot be checked: after review, declare "
                           "execution_options(firm_scoped='checked') (a firm must be bound), or span "
                           "firms explicitly with all_firms")
    if firm_id is None:
        raise TenancyError(f"statement on {tables} with no firm bound; "
                           "bind a firm or use tenancy.all_firms() explicitly")
    if plan.error:
        raise TenancyError(f"statement on {tables}: {plan.error}; add firm_id = the bound firm, "
                           "or span firms explicitly with all_firms")
    for value in plan.values:
        if value != firm_id:
            raise TenancyError(f"statement on {tables} writes firm {value} while firm {firm_id} is bound")
    if plan.names:
        for params in context.compiled_parameters:
            for name in plan.names:
                value = params.get(name, _MISSING)
                if value != firm_id:
                    shown = "no firm" if value is _MISSING else f"firm {value}"
                    raise TenancyError(f"statement on {tables} names {shown} ({name}) while firm {firm_id} is bound")


def install_engine_hooks(engine: Engine) -> None:
    """Check every statement run on this engine (idempotent)."""
    dialect = engine.dialect
    missing = [name for name in ("_setup_select_stack", "visit_textclause", "visit_column") if not
               callable(getattr(dialect.statement_compiler, name, None))]
    if missing:  # a SQLAlchemy that renamed them would leave every SELECT unchecked
        raise RuntimeError(f"tenancy cannot hook this SQLAlchemy's compiler (no {', '.join(missing)})")
    dialect.statement_compiler = _tenancy_compiler_for(dialect.statement_compiler)
    if not event.contains(engine, "before_cursor_execute", _check_statement):
        event.listen(engine, "before_cursor_execute", _check_statement)


def _host_name(raw: str) -> str:
    raw = (raw or "").strip().lower()
    if raw.startswith("["):  # [::1]:5000
        return raw.split("]")[0] + "]"
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


def resolve_firm(host: str) -> Firm | None:
    """Firm for a Host header: <slug>.<base domain>, a custom domain, or the default firm."""
    name = _host_name(host).rstrip(".")
    base = current_app.config["BASE_DOMAIN"]
    firm = None
    if base and name.endswith("." + base):
        slug = name[: -len(base) - 1]
        if slug and "." not in slug:
            firm = db.session.scalar(select(Firm).where(Firm.slug == slug))
    if firm is None and name not in LOCAL_HOSTS and name != base:
        firm = db.session.scalar(
            select(Firm).join(FirmDomain, FirmDomain.firm_id == Firm.id)
            .where(FirmDomain.domain == name, FirmDomain.verified_at.is_not(None))
            .execution_options(all_firms=True)
        )
    if firm is None and (name in LOCAL_HOSTS or name == base):
        default = current_app.config.get("DEFAULT_FIRM")
        if default:
            firm = db.session.scalar(select(Firm).where(Firm.slug == default))
    if firm is not None and firm.disabled:
        return None
    return firm


def _get_current_firm() -> Firm:
    firm = g.get("firm")
    if firm is None:
        raise TenancyError("no firm for this request")
    return firm


current_firm: Firm = LocalProxy(_get_current_firm)  # type: ignore[assignment]


def init_app(app: Flask) -> None:
    install_session_hooks()
    with app.app_context():
        for engine in db.engines.values():
            install_engine_hooks(engine)

    @app.before_request
    def _bind_request_firm():
        if request.endpoint in UNSCOPED_ENDPOINTS:
            return None
        firm = resolve_firm(request.host)
        if firm is None:
            abort(404)
        g.firm = firm
        bind_firm(firm.id)
        return None

    @app.context_processor
    def _inject_firm():
        return {"firm": g.get("firm")}
