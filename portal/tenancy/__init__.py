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

from contextlib import contextmanager
from itertools import chain

from flask import Flask, abort, current_app, g, request
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, with_loader_criteria
from werkzeug.local import LocalProxy

from portal.extensions import db
from portal.models.base import FirmOwned
from portal.models.firm import Firm, FirmDomain
from portal.tenancy.analysis import FIRM_COLUMN
from portal.tenancy.check import TenancyError, install_engine_hooks

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
