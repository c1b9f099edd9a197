"""Tenancy: the firm comes from the request Host; every statement on firm-owned rows is
checked against it, and a statement with no firm bound fails closed. This module must never
let a request run without its firm bound, nor a query on firm-owned rows go unfiltered.

`bind_firm(firm_id)` scopes the current session; `all_firms()` is the explicit opt-out
for the CLI and the worker. Views never see another firm's rows, so a foreign id is a 404.

Two layers, both failing closed:

- ORM statements get the firm's condition added (`with_loader_criteria` in a
  `do_orm_execute` hook); objects the unit of work writes are checked before the flush
  (both here).
- Every statement, whichever API built it (ORM, Core on the session or its connection,
  the engine, text), passes a check at the lowest level (`before_cursor_execute`):
  portal.tenancy.check, with the rule in portal.tenancy.analysis.
"""

from __future__ import annotations

import threading
import time
import weakref
from contextlib import contextmanager
from itertools import chain

from flask import Flask, abort, current_app, g, request
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached
from werkzeug.local import LocalProxy

from portal.extensions import db
from portal.models.base import FirmOwned
from portal.models.firm import Firm, FirmDomain
from portal.tenancy.analysis import FIRM_COLUMN
from portal.tenancy.check import TenancyError, install_engine_hooks
from portal.tenancy.criteria import fill_carried_firm, filtered, with_firm

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Endpoints served without a firm (no firm data on them).
UNSCOPED_ENDPOINTS = {
    "static",
    "health.healthz",
    "health.livez",
    "health.readyz",
    "metrics.metrics",
    "inbound.mail",  # the reply address decides the firm (portal.services.inbound_mail)
    "dev.mail_index",
    "dev.mail_view",
    "dev.mail_html",
}


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
        fill_carried_firm(state)
        return
    session = state.session
    if not state.is_select and any(m.class_ in _FIRM_TABLES for m in state.all_mappers):
        _mark_firm_change(session)  # an UPDATE/DELETE on firms or domains: the firm cache drops
    if state.execution_options.get("all_firms") or session.info.get("all_firms"):
        fill_carried_firm(state)
        return
    firm_id = session.info.get("firm_id")
    if firm_id is None:
        for mapper in state.all_mappers:
            if issubclass(mapper.class_, FirmOwned):
                raise TenancyError(
                    f"query on {mapper.class_.__name__} with no firm bound; "
                    "bind a firm or use tenancy.all_firms() explicitly"
                )
        fill_carried_firm(state)
        return
    state.statement = filtered(state.statement)
    state.parameters = with_firm(state.parameters, firm_id)


def _check_flush(session: Session, flush_context, instances) -> None:
    """What the unit of work writes belongs to the bound firm: new firm-owned rows take it
    (a row for another firm is refused), and changed or deleted rows must be the firm's.
    The flush's own INSERT/UPDATE/DELETE statements are trusted by the statement check
    because of this (they name rows by primary key)."""
    if any(isinstance(o, (Firm, FirmDomain)) for o in chain(session.new, session.dirty, session.deleted)):
        _mark_firm_change(session)
    if session.info.get("all_firms"):
        return
    firm_id = session.info.get("firm_id")
    for obj in session.new:
        if isinstance(obj, FirmOwned):
            if firm_id is None:
                raise TenancyError(
                    f"new {type(obj).__name__} with no firm bound; bind a firm or use tenancy.all_firms() explicitly"
                )
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
                raise TenancyError(
                    f"{obj!r} of firm {', '.join(map(str, owners))} written while firm "
                    f"{firm_id} is bound; bind its firm or use tenancy.all_firms() explicitly"
                )


def _remember_session(session: Session, transaction, connection) -> None:
    """Make the session's bound firm visible to the statement check on its connection."""
    connection._tenancy_session = session


def install_session_hooks() -> None:
    """Attach the tenant filter and the flush check to every ORM session (idempotent)."""
    if not event.contains(Session, "do_orm_execute", _tenant_filter):
        event.listen(Session, "do_orm_execute", _tenant_filter)
        event.listen(Session, "before_flush", _check_flush)
        event.listen(Session, "after_begin", _remember_session)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


# ---------------------------------------------------------------- the firm of a host, cached

_FIRM_TABLES = (Firm, FirmDomain)
_CHANGED = "firm_cache_changed"


def _mark_firm_change(session: Session) -> None:
    session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    """A committed change to a firm or its domains empties every firm cache of this process."""
    if session.info.pop(_CHANGED, False):
        FirmCache.clear_all()


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)


class FirmCache:
    """The firm of each host name, kept for `FIRM_CACHE_SECONDS` (PORTAL_FIRM_CACHE_SECONDS,
    default 5 s) so that a request does not query `firms` (and `firm_domains`) before its own
    work. What is kept is the firm's column values; each request gets its own instance of
    them, attached to its session without SQL (`_attach`).

    Why a short time-to-live and not a version checked on each request: a version read from
    the database or Redis is a round trip per request (what the cache saves), and it would make
    every page depend on Redis. Instead:
    - a change committed by *this* process (the admin's settings, a domain added, verified or
      removed, a firm disabled through the web) empties the cache at once (`after_commit`);
    - a change committed by *another* process (a second web server, `portal firms disable`,
      the domain-verification job) is seen within the time-to-live: no server serves a disabled
      firm or a removed domain for more than `FIRM_CACHE_SECONDS`.
    Unknown hosts are kept too (a 404 costs no query), for the same time."""

    _all: weakref.WeakSet[FirmCache] = weakref.WeakSet()
    MAX_HOSTS = 4096

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, dict | None]] = {}
        FirmCache._all.add(self)

    def get(self, host: str) -> tuple[bool, dict | None]:
        entry = self._entries.get(host)
        if entry is None or entry[0] <= time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, host: str, firm: Firm | None) -> None:
        snapshot = _column_values(firm) if firm is not None else None
        with self._lock:
            if len(self._entries) >= self.MAX_HOSTS:
                self._entries.clear()
            self._entries[host] = (time.monotonic() + self.ttl, snapshot)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @classmethod
    def clear_all(cls) -> None:
        for cache in list(cls._all):
            cache.clear()


def _column_values(firm: Firm) -> dict:
    """The loaded column values of `firm` (never its relationships or deferred columns: they
    load on the request's own instance when used)."""
    loaded = firm.__dict__
    return {a.key: loaded[a.key] for a in inspect(Firm).column_attrs if a.key in loaded}


def _attach(values: dict) -> Firm:
    """A Firm of the request's session from cached column values, without SQL: a detached
    instance with those values as its loaded state, then added to the session (persistent,
    clean: a view that changes it writes the row as usual)."""
    firm = inspect(Firm).class_manager.new_instance()
    firm.__dict__.update(values)
    make_transient_to_detached(firm)  # its identity key; what was not cached loads on use
    session = db.session()
    if inspect(firm).key in session.identity_map:
        return session.merge(firm, load=False)
    session.add(firm)
    return firm


def firm_for_host(host: str) -> Firm | None:
    """The firm this request's Host serves (None: unknown, or disabled), from the cache when
    it is fresh; the returned instance belongs to the request's session."""
    cache: FirmCache | None = current_app.extensions.get("portal_firm_cache")
    if cache is None:
        return resolve_firm(host)
    cfg = current_app.config
    # The settings that decide the answer are part of the key (they are fixed in a running
    # server; tests change them between requests).
    key = f"{_host_name(host).rstrip('.')} {cfg['BASE_DOMAIN']} {cfg.get('DEFAULT_FIRM') or ''}"
    hit, snapshot = cache.get(key)
    if not hit:
        firm = resolve_firm(host)
        cache.put(key, firm)
        return firm
    if snapshot is None:
        return None
    return _attach(snapshot)


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
            select(Firm)
            .join(FirmDomain, FirmDomain.firm_id == Firm.id)
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
    ttl = float(app.config.get("FIRM_CACHE_SECONDS") or 0)
    if ttl > 0:
        app.extensions["portal_firm_cache"] = FirmCache(ttl)
    with app.app_context():
        for engine in db.engines.values():
            install_engine_hooks(engine)

    @app.before_request
    def _bind_request_firm():
        if request.endpoint in UNSCOPED_ENDPOINTS:
            return None
        firm = firm_for_host(request.host)
        if firm is None:
            abort(404)
        g.firm = firm
        bind_firm(firm.id)
        return None

    @app.context_processor
    def _inject_firm():
        return {"firm": g.get("firm")}
