"""Templates build links through portal.web.templating.template_url_for: the same URL as
Flask's url_for, remembered per app, host, script root, endpoint and values."""

from __future__ import annotations

from flask import url_for

from portal.web.templating import URL_CACHE_SIZE, template_url_for


def test_the_same_links_as_url_for_and_kept_per_host(app, firms):
    cache = app.extensions["portal_url_cache"]
    cache.clear()
    calls = [
        ("static", {"filename": "portal.css"}),
        ("brand.logo", {"v": 3}),
        ("auth.index", {}),
        ("recruiter.board", {"search_id": 7}),
    ]
    for host in ("alpha.localhost", "beta.localhost"):
        with app.test_request_context("/", base_url=f"http://{host}/portal"):
            for endpoint, values in calls:
                assert template_url_for(endpoint, **values) == url_for(endpoint, **values)
                assert template_url_for(endpoint, **values) == url_for(endpoint, **values)  # from the cache
            assert template_url_for("auth.index", _external=True) == f"http://{host}/portal/"
    assert len(cache) == 2 * len(calls)  # _external is never kept
    assert all(key[1] == "/portal" for key in cache)


def test_without_a_request_or_with_unhashable_values_it_is_url_for(app):
    with app.test_request_context("/", base_url="http://alpha.localhost"):
        assert template_url_for("careers.board", skills=["a", "b"]) == url_for("careers.board", skills=["a", "b"])
    cache = app.extensions["portal_url_cache"]
    cache.clear()
    with app.test_request_context("/", base_url="http://alpha.localhost"):
        for i in range(URL_CACHE_SIZE + 5):
            template_url_for("recruiter.board", search_id=i + 1)
    assert len(cache) <= URL_CACHE_SIZE


def test_pages_render_their_links_through_it(app):
    assert app.jinja_env.globals["url_for"] is template_url_for
