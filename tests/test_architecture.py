"""The structure DESIGN.md promises, checked: no import circle, the web side never imports the
worker, modules stay small enough to read, views stay thin, and commits happen only in the
transaction scope (portal/transaction.py)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "worker")
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 25
# Where commit() may be called, and why.
COMMITS_ALLOWED = {
    "portal.transaction": "the one unit of work",
    "portal.migrations.env": "Alembic owns a migration's transaction; SQLite's foreign_keys pragma "
    "only works between transactions, so the connection commits around it",
}
# Generated, append-only history: a migration is never edited once released.
NOT_MODULES = ("portal/migrations/versions/",)


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(NOT_MODULES):
                continue
            name = rel[:-3].replace("/", ".").removesuffix(".__init__")
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module this one imports, at the top or inside a function."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                base = f"{parent}.{base}" if base else parent
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_in_portal_or_worker():
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_the_web_side_never_imports_the_worker():
    offenders = {
        name: sorted(t for t in _imports(name, path) if t.split(".")[0] == "worker")
        for name, path in MODULES.items()
        if name.split(".")[0] == "portal"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_module_says_what_it_is_for():
    missing = [
        name
        for name, path in MODULES.items()
        if path.read_text().strip() and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []


def test_no_module_over_400_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_view_over_25_lines(app):
    long = {}
    for endpoint, fn in app.view_functions.items():
        fn = inspect.unwrap(fn)
        if not getattr(fn, "__module__", "").startswith("portal."):
            continue
        lines, _ = inspect.getsourcelines(fn)
        body = [line for line in lines if not line.lstrip().startswith("@")]
        if len(body) > MAX_VIEW_LINES:
            long[endpoint] = len(body)
    assert long == {}


def _commit_calls(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]


def test_commits_only_in_the_transaction_scope():
    """Services flush; views, jobs and commands commit through portal/transaction.py."""
    found = {
        name: lines for name, path in MODULES.items() if name not in COMMITS_ALLOWED and (lines := _commit_calls(path))
    }
    assert found == {}
