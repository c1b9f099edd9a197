"""The careers pages a web process built are kept under the site's version
(portal.careers.page_cache): answered again without a statement, emptied at once by a change
committed through this process, and read again after CAREERS_CACHE_SECONDS for a change made
by another process."""

from __future__ import annotations

from sqlalchemy import update

from portal.careers import page_cache
from portal.extensions import db
from portal.models import Search, SearchState
from tests.careers.support import advertise, change


def test_a_kept_page_costs_no_statement_and_is_the_same_page(app, firms, client_for, count_queries):
    s = advertise(app, firms.a.firm, title="Kept Role")
    c = client_for(firms.a.firm)
    for path in ("/careers/", f"/careers/jobs/{s.id}", "/careers/?q=kept", "/careers/feed.xml"):
        first = c.get(path)
        with count_queries() as again:
            second = c.get(path)
        assert again.count == 0, path
        assert second.status_code == first.status_code == 200 and second.data == first.data
        assert second.headers["ETag"] == first.headers["ETag"] and second.mimetype == first.mimetype
        assert "Set-Cookie" not in second.headers and second.headers["Cache-Control"] == "public, no-cache"
        with count_queries() as validated:
            assert c.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
        assert validated.count == 0


def test_a_change_committed_here_shows_on_every_page_at_once(app, firms, client_for):
    s = advertise(app, firms.a.firm, title="Soon Filled")
    c = client_for(firms.a.firm)
    assert "Soon Filled" in c.get("/careers/").get_data(as_text=True)
    assert c.get(f"/careers/jobs/{s.id}").status_code == 200
    change(app, firms.a.firm, s.id, state=SearchState.FILLED)
    assert "Soon Filled" not in c.get("/careers/").get_data(as_text=True)
    assert c.get(f"/careers/jobs/{s.id}").status_code == 410


def test_another_process_change_shows_after_the_time_to_live(app, firms, client_for, monkeypatch):
    s = advertise(app, firms.a.firm, title="Elsewhere Closed")
    c = client_for(firms.a.firm)
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr("portal.careers.public.time.monotonic", lambda: now[0])
    assert "Elsewhere Closed" in c.get("/careers/").get_data(as_text=True)
    # Another process: a statement this process's sessions never see.
    with app.app_context(), db.engine.begin() as conn:
        conn.execution_options(all_firms=True)
        conn.execute(update(Search).where(Search.id == s.id).values(state=SearchState.CANCELLED))
    assert "Elsewhere Closed" in c.get("/careers/").get_data(as_text=True)  # kept, within the bound
    now[0] += app.config["CAREERS_CACHE_SECONDS"]
    assert "Elsewhere Closed" not in c.get("/careers/").get_data(as_text=True)


def test_an_unchanged_version_keeps_the_pages_when_read_again(app, firms, client_for, count_queries, monkeypatch):
    advertise(app, firms.a.firm, title="Steady Role")
    c = client_for(firms.a.firm)
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr("portal.careers.public.time.monotonic", lambda: now[0])
    c.get("/careers/")
    c.get("/careers/?q=steady")
    now[0] += app.config["CAREERS_CACHE_SECONDS"]
    with count_queries() as reread:
        assert "Steady Role" in c.get("/careers/").get_data(as_text=True)
    assert reread.count >= 1  # the version, then the page
    with count_queries() as kept:
        assert "Steady Role" in c.get("/careers/?q=steady").get_data(as_text=True)
    assert kept.count == 0  # the same version: the other page stayed


def test_the_kept_pages_are_bounded(monkeypatch):
    """Query strings are the visitor's: pages per firm and bytes per process are capped."""
    monkeypatch.setattr(page_cache, "MAX_PAGES", 3)
    monkeypatch.setattr(page_cache, "MAX_BYTES", 1000)
    cache = page_cache.PageCache(60)
    page = page_cache.Page(200, b"x" * 300, [])
    for i in range(5):
        cache.put(1, "v1", ("host", "", "/careers/", f"q={i}".encode(), None), page, 0.0)
    kept = cache._firms[1].pages
    assert 1 <= len(kept) <= 3 and sum(len(p.body) for p in kept.values()) <= 1000
    cache.put(2, "v1", ("host", "", "/careers/", b"", None), page, 0.0)
    cache.put(2, "v2", ("host", "", "/careers/", b"", None), None, 0.0)  # a new version drops the old pages
    assert cache._firms[2].pages == {}
