"""Tenancy: the firm comes from the request Host; every query on firm-owned rows is
filtered to it, and a query with no firm bound fails closed.

`bind_firm(firm_id)` scopes the current session; `all_firms()` is the explicit opt-out
for the CLI and the worker. Views never see another firm's rows, so a foreign id is a 404.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, abort, current_app, g, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session, with_loader_criteria
from werkzeug.local import LocalProxy

from portal.extensions import db
from portal.models.base import FirmOwned
from portal.models.firm import Firm, FirmDomain

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Endpoints served without a firm (no firm data on them).
UNSCOPED_ENDPOINTS = {"static", "health.healthz", "dev.mail_index", "dev.mail_view"}


class TenancyError(RuntimeError):
    """A query touched firm-owned rows with no firm bound: a bug, never a user error."""


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
    if not (state.is_select or state.is_update or state.is_delete) or state.is_column_load:
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


def _check_new_rows(session: Session, flush_context, instances) -> None:
    """New firm-owned rows take the bound firm; a row for another firm is refused."""
    firm_id = session.info.get("firm_id")
    if firm_id is None or session.info.get("all_firms"):
        return
    for obj in session.new:
        if isinstance(obj, FirmOwned):
            if obj.firm_id is None:
                obj.firm_id = firm_id
            elif obj.firm_id != firm_id:
                raise TenancyError(f"{obj!r} belongs to firm {obj.firm_id}, not {firm_id}")


def install_session_hooks() -> None:
    """Attach the tenant filter to every ORM session (idempotent)."""
    if not event.contains(Session, "do_orm_execute", _tenant_filter):
        event.listen(Session, "do_orm_execute", _tenant_filter)
        event.listen(Session, "before_flush", _check_new_rows)


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
