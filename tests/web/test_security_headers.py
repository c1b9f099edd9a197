"""Security headers on every kind of page, and pages that obey their own CSP."""

from __future__ import annotations

import re

from tests.support.fixtures.clients import login_as


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _check(resp, https: bool = False) -> None:
    h = resp.headers
    csp = _directives(h["Content-Security-Policy"])
    script = csp.get("script-src", csp.get("default-src"))
    assert script == ["'self'"], script
    assert "'unsafe-inline'" not in h["Content-Security-Policy"]
    assert "'unsafe-eval'" not in h["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert h["X-Frame-Options"] == "DENY"
    if https:
        assert h["Strict-Transport-Security"].startswith("max-age=")
        assert int(re.search(r"max-age=(\d+)", h["Strict-Transport-Security"]).group(1)) >= 15552000
    else:
        assert "Strict-Transport-Security" not in h


def test_headers_on_pages_errors_and_assets(client_for, firms):
    c = client_for(firms.a.firm)
    for path in ("/login", "/reset", "/static/portal.css", "/brand.css", "/does-not-exist", "/me/"):
        _check(c.get(path))
    _check(client_for(host="unknown.localhost").get("/login"))  # the 404 page of an unknown host
    _check(c.get("/healthz"))
    login_as(c, firms.a.candidate_user)
    _check(c.get("/me/"))


def test_hsts_only_over_https(client_for, firms):
    c = client_for(firms.a.firm)
    resp = c.get("/login", base_url="https://alpha.localhost")
    assert resp.status_code == 200
    _check(resp, https=True)
    _check(c.get("/login", base_url="http://alpha.localhost"), https=False)


def test_signed_in_pages_are_not_cached(client_for, firms):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.candidate_user)
    assert c.get("/me/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in c.get("/static/portal.css").headers.get("Cache-Control", "")


def test_session_cookies_are_httponly_and_samesite(app, client_for, firms):
    c = client_for(firms.a.firm)
    resp = login_as(c, firms.a.candidate_user, remember=True)
    cookies = resp.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        (line,) = [x for x in cookies if x.startswith(name)]
        assert "HttpOnly" in line and "SameSite=Lax" in line, line
    app.config["SESSION_COOKIE_SECURE"] = True
    resp = login_as(client_for(firms.a.firm), firms.a.candidate_user)
    (line,) = [x for x in resp.headers.getlist("Set-Cookie") if x.startswith("session=")]
    assert "Secure" in line


def test_pages_have_no_inline_script_or_style(client_for, firms):
    """The CSP forbids inline script and style attributes: pages must not depend on them."""
    c = client_for(firms.a.firm)
    pages = [c.get("/login"), c.get("/reset"), c.get("/nope")]
    for user, path in (
        (firms.a.candidate_user, "/me/"),
        (firms.a.recruiter, "/recruiter/"),
        (firms.a.admin, "/admin/"),
    ):
        d = client_for(firms.a.firm)
        login_as(d, user)
        pages.append(d.get(path))
    for resp in pages:
        html = resp.get_data(as_text=True)
        assert "<html" in html
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"<script\b[^>]*>\s*\S", html), "inline script"
        assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
        assert "<style" not in html


def test_a_header_the_view_set_is_kept(app):
    """Each header is added only when the response has none of that name (any case), as
    `setdefault` did; the rest are added once each."""
    from flask import Response

    from portal.web.security import add_security_headers

    with app.test_request_context("/login", base_url="https://alpha.localhost"):
        own = Response("x", headers={"content-security-policy": "default-src 'none'", "Cache-Control": "max-age=60"})
        h = add_security_headers(own).headers
        assert h.getlist("Content-Security-Policy") == ["default-src 'none'"]
        assert h.getlist("Cache-Control") == ["max-age=60"]
        for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"):
            assert len(h.getlist(name)) == 1, name
        assert h["Strict-Transport-Security"].startswith("max-age=")
        plain = add_security_headers(Response("x")).headers
        assert plain["Cache-Control"] == "no-store" and plain["X-Frame-Options"] == "DENY"
