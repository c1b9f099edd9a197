"""Tenancy, the statement analysis: works out once per compiled statement shape which bound
parameters (or constants) must equal the bound firm for the statement to be safe, and what
makes it unsafe. It only reads the compiled form; it never runs SQL or decides at execution
(portal.tenancy.check does, and refuses whatever this cannot analyse).

The rule: a statement that reads or writes a firm-owned table (any table with a `firm_id`
column) is safe only if every such table in it is constrained by `firm_id = <the bound
firm>` (in its WHERE or inner-join ON clause, or through `firm_id = <another constrained
table's firm_id>`), an INSERT gives every row the bound firm, and an UPDATE moves no row to
another firm.
"""

from __future__ import annotations

from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnClause,
    Grouping,
    Label,
)
from sqlalchemy.sql.selectable import Alias, Join, TableClause

FIRM_COLUMN = "firm_id"
_MISSING = object()


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


class Analysis:
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
                if not (
                    isinstance(this, ColumnClause)
                    and this.name == FIRM_COLUMN
                    and this.table is not None
                    and _plain(this.table) is target
                ):
                    continue
                if isinstance(other, BindParameter) and self.bind_names.get(other):
                    self.names.add(self.bind_names[other])
                    return True
                excluded = _plain(other.table) if isinstance(other, ColumnClause) else None
                if (
                    isinstance(excluded, Alias)
                    and other.name == FIRM_COLUMN
                    and excluded.name == "excluded"
                    and _plain(excluded.element) is target
                ):
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
