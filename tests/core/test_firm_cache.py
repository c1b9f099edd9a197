"""The firm of a host is cached per web process (portal.tenancy.FirmCache): a request issues no
statement for it, yet no server serves a disabled firm or a removed domain for long.

- A change committed through this process (ORM, or an UPDATE/DELETE statement through the
  session) is seen by the very next request.
- A change made elsewhere (another web server, the CLI: simulated here by statements on the
  engine, which this process's sessions never see) is seen once FIRM_CACHE_SECONDS have
  passed, never later.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from portal import tenancy
from portal.extensions import db
from portal.models import Firm, FirmDomain, utcnow
from portal.services import branding
from portal.tenancy import FirmCache, all_firms
from tests.factories import firm_context, make_firm

DEFAULT_TTL = 5.0  # PORTAL_FIRM_CACHE_SECONDS's default (the suite's app keeps entries an hour)


@pytest.fixture
def clock(app, monkeypatch):
    """The cache's clock, moved by hand, and the default time-to-live."""
    now = [1000.0]
    monkeypatch.setattr(tenancy.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(app.extensions["portal_firm_cache"], "ttl", DEFAULT_TTL)
    monkeypatch.setitem(app.config, "FIRM_CACHE_SECONDS", DEFAULT_TTL)
    return now


def _other_process(app, statement) -> None:
    """A change committed outside this process's sessions (another server, the CLI)."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execution_options(all_firms=True)
        conn.execute(statement)


def test_a_warm_cache_spends_no_statement_on_the_firm(app, client_for, count_queries):
    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200
    with count_queries() as q:
        assert c.get("/login").status_code == 200
    assert not [s for s in q.statements if "FROM firms" in s], q.statements


def test_disabling_a_firm_in_this_process_is_seen_at_once(app, client_for, clock):
    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200
    with firm_context(app, firm):
        branding.set_disabled(db.session.get(Firm, firm.id), None, True)
    assert c.get("/login").status_code == 404
    with firm_context(app, firm):
        branding.set_disabled(db.session.get(Firm, firm.id), None, False)
    assert c.get("/login").status_code == 200


def test_an_update_statement_through_the_session_empties_the_cache(app, client_for, clock):
    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200
    with app.app_context(), all_firms():
        db.session.execute(update(Firm).where(Firm.id == firm.id).values(disabled=True))
        db.session.commit()
    assert c.get("/login").status_code == 404


def test_a_rolled_back_change_keeps_the_cache(app, client_for, count_queries, clock):
    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200
    with app.app_context(), all_firms():
        db.session.get(Firm, firm.id).name = "Not kept"
        db.session.flush()
        db.session.rollback()
    with count_queries() as q:
        assert c.get("/login").status_code == 200
    assert not [s for s in q.statements if "FROM firms" in s]


def test_a_firm_disabled_by_another_process_stops_within_the_time_to_live(app, client_for, clock):
    ttl = app.config["FIRM_CACHE_SECONDS"]
    assert 0 < ttl <= 10
    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200
    _other_process(app, update(Firm).where(Firm.id == firm.id).values(disabled=True))
    clock[0] += ttl - 0.5
    assert c.get("/login").status_code == 200  # the bounded window: this process has not looked yet
    clock[0] += 1.0
    assert c.get("/login").status_code == 404


def test_a_domain_removed_by_another_process_stops_within_the_time_to_live(app, client_for, clock):
    ttl = app.config["FIRM_CACHE_SECONDS"]
    firm = make_firm(app)
    with firm_context(app, firm):
        db.session.add(FirmDomain(firm_id=firm.id, domain="jobs.acme.test", verified_at=utcnow()))
    c = client_for(firm, host="jobs.acme.test")
    assert c.get("/login").status_code == 200
    _other_process(app, delete(FirmDomain).where(FirmDomain.domain == "jobs.acme.test"))
    clock[0] += ttl + 0.1
    assert c.get("/login").status_code == 404


def test_a_domain_removed_in_this_process_is_seen_at_once(app, client_for, clock):
    firm = make_firm(app)
    with firm_context(app, firm):
        row = FirmDomain(firm_id=firm.id, domain="careers.acme.test", verified_at=utcnow())
        db.session.add(row)
        db.session.flush()
        domain_id = row.id
    c = client_for(firm, host="careers.acme.test")
    assert c.get("/login").status_code == 200
    with firm_context(app, firm):
        branding.remove_domain(db.session.get(Firm, firm.id), None, domain_id)
    assert c.get("/login").status_code == 404


def test_an_unknown_host_is_served_once_its_firm_exists(app, client_for, clock):
    c = client_for(host="newfirm.localhost")
    assert c.get("/login").status_code == 404
    make_firm(app, slug="newfirm")  # committed in this process: the remembered 404 goes
    assert c.get("/login").status_code == 200


def test_each_request_gets_its_own_instance_and_changes_to_it_are_saved(app, client_for, clock):
    """The cached copy is never handed out: a view that changes g.firm writes the row."""
    from flask import g

    firm = make_firm(app)
    c = client_for(firm)
    assert c.get("/login").status_code == 200  # fills the cache
    cache = app.extensions["portal_firm_cache"]
    hit, snapshot = cache.get(f"{firm.slug}.localhost localhost ")
    assert hit and snapshot is not None
    seen = []
    for _ in range(2):
        with app.test_request_context(base_url=f"http://{firm.slug}.localhost"):
            app.preprocess_request()
            seen.append(g.firm)
            assert g.firm in db.session and g.firm.name == snapshot["name"]
            db.session.remove()
    assert seen[0] is not seen[1]
    with app.test_request_context(base_url=f"http://{firm.slug}.localhost"):
        app.preprocess_request()
        g.firm.name = "Renamed"
        db.session.commit()
    with app.app_context(), all_firms():
        assert db.session.scalar(select(Firm.name).where(Firm.id == firm.id)) == "Renamed"
    assert b"Renamed" in c.get("/login").data


def test_clear_all_reaches_every_cache_of_the_process():
    a, b = FirmCache(5), FirmCache(5)
    a.put("x", None)
    b.put("y", None)
    FirmCache.clear_all()
    assert a.get("x") == (False, None) and b.get("y") == (False, None)
