"""Tenancy, the statement check: every statement, whichever API built it (ORM, Core on the
session or its connection, the engine, text), is checked at the lowest level
(`before_cursor_execute`) against the firm bound to its session, and refused (TenancyError)
when it touches firm-owned rows with no firm bound or without a condition on that firm. It
must never let through a statement it cannot analyse: unknown means refused.

The compiler records the SELECTs it renders (after the ORM has added its conditions); each
statement shape is analysed once (portal.tenancy.analysis, which states the rule) and the
analysis is kept on the cached compiled form. Text SQL naming a firm-owned table cannot be
analysed: it must declare `execution_options(firm_scoped="checked")` (reviewed, carries its
own firm condition; a firm must still be bound). `execution_options(all_firms=True)` on a
statement or a connection, or the `all_firms()` block on a session, says explicitly that it
spans firms.
"""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.compiler import SQLCompiler

from portal.extensions import db
from portal.tenancy.analysis import FIRM_COLUMN, Analysis


class TenancyError(RuntimeError):
    """A statement touched firm-owned rows with no firm bound, or without a condition on
    the bound firm: a bug, never a user error."""


_FREE = "free"  # the analysis of a statement that touches no firm-owned table
_MISSING = object()
_DRIVER_DML = re.compile(
    r"^\s*(?:select|insert|update|delete|with|replace|merge|truncate|copy|values|table)\b", re.IGNORECASE
)
_firm_tables_cache: dict[int, tuple[frozenset[str], re.Pattern]] = {}
_driver_plans: dict[str, object] = {}


def _firm_tables() -> tuple[frozenset[str], re.Pattern]:
    """The names of the firm-owned tables (every table with a firm_id column), and a
    pattern finding them in SQL text."""
    tables = db.metadata.tables
    found = _firm_tables_cache.get(len(tables))
    if found is None:
        names = frozenset(t.name for t in tables.values() if FIRM_COLUMN in t.c)
        pattern = re.compile(
            r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b" if names else r"(?!)", re.IGNORECASE
        )
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
        outer = tuple(
            e["_tenancy_scope"].stmt if "_tenancy_scope" in e else e.get("selectable")
            for e in reversed(self.stack[:-1])
        )
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


def _plan_for(compiled) -> object:
    firm_tables, pattern = _firm_tables()
    if not isinstance(compiled, SQLCompiler):  # DDL: schema, not rows
        return _FREE
    if not isinstance(compiled, _TenancyCompiler):
        found = sorted({m.lower() for m in pattern.findall(compiled.string)})
        return _Plan(error="compiled without the tenancy compiler", tables=tuple(found)) if found else _FREE
    texts = sorted({m.lower() for t in compiled.__dict__.get("_tenancy_texts", ()) for m in pattern.findall(t)})
    scopes = compiled.__dict__.get("_tenancy_scopes", ())
    analysis = Analysis(compiled, firm_tables)
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
    return _Plan(
        tuple(sorted(analysis.names)),
        tuple(analysis.values),
        "; ".join(analysis.errors) or None,
        bool(texts),
        tuple(sorted(analysis.touched | set(texts))),
    )


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
    if (
        session is not None
        and session._flushing
        and not plan.text
        and (context.isinsert or context.isupdate or context.isdelete)
    ):
        return  # the unit of work's own statements: its objects were checked before the flush
    firm_id = info.get("firm_id")
    tables = ", ".join(plan.tables)
    if plan.text:
        if options.get("firm_scoped") == "checked" and firm_id is not None:
            return
        raise TenancyError(
            f"SQL text on {tables} cannot be checked: after review, declare "
            "execution_options(firm_scoped='checked') (a firm must be bound), or span "
            "firms explicitly with all_firms"
        )
    if firm_id is None:
        raise TenancyError(
            f"statement on {tables} with no firm bound; bind a firm or use tenancy.all_firms() explicitly"
        )
    if plan.error:
        raise TenancyError(
            f"statement on {tables}: {plan.error}; add firm_id = the bound firm, "
            "or span firms explicitly with all_firms"
        )
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
    missing = [
        name
        for name in ("_setup_select_stack", "visit_textclause", "visit_column")
        if not callable(getattr(dialect.statement_compiler, name, None))
    ]
    if missing:  # a SQLAlchemy that renamed them would leave every SELECT unchecked
        raise RuntimeError(f"tenancy cannot hook this SQLAlchemy's compiler (no {', '.join(missing)})")
    dialect.statement_compiler = _tenancy_compiler_for(dialect.statement_compiler)
    if not event.contains(engine, "before_cursor_execute", _check_statement):
        event.listen(engine, "before_cursor_execute", _check_statement)
