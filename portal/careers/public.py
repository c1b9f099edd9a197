"""What every careers page shares: absolute links on the firm's own host, and HTTP caching for
anonymous visitors (an ETag from `careers.site_version`, 304 when it still matches), and the
pages this process built, kept under that version (portal.careers.page_cache).

These pages write no session (no CSRF token, no flash): they set no cookie, and the same URL
shows every visitor who reads it in the same language the same bytes (the language is the
signed-in person's, the switcher cookie's, the browser's or the firm's: portal/i18n.py). Never
writes to the database."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from flask import Response, current_app, g, make_response, request, url_for

from portal.careers.page_cache import Page, PageCache
from portal.i18n import current_language
from portal.services import careers
from portal.services.careers_feeds import Links
from portal.web.templating import firm_base_url

CACHE_CONTROL = "public, no-cache"  # may be stored, but asked again each time: a closed job goes at once


def links() -> Links:
    """The firm's absolute careers addresses (one statement for its domain, then none)."""
    firm = g.firm
    base = firm_base_url(firm)
    return Links(
        home=base + "/",
        board=base + url_for("careers.board"),
        feed=base + url_for("careers.feed"),
        job=lambda search_id: base + url_for("careers.job", search_id=search_id),
        logo=base + url_for("brand.logo", v=firm.logo_version) if firm.logo_mime else None,
    )


def cached(
    build: Callable[[], Response | str | tuple], mimetype: str | None = None, localized: bool = True
) -> Response:
    """The response `build` makes, or 304 Not Modified when the visitor has this version.

    A page this process built under the current version is answered from
    portal.careers.page_cache without a statement; otherwise the version is read and the page
    built as usual, then kept. A `localized` page (every page and feed a person reads) is kept
    and tagged per language: its key and its ETag name the page's language, and it says
    `Vary: Accept-Language, Cookie` (the browser's languages, the switcher's cookie and a
    signed-in person's choice pick it). The sitemap and robots.txt are the same in every
    language."""
    cache: PageCache | None = current_app.extensions.get("portal_careers_cache")
    firm_id = g.firm.id
    language = current_language() if localized else ""
    key = (request.host, request.script_root, request.path, request.query_string, mimetype, language)
    kept = cache.get(firm_id, key) if cache is not None else None
    if kept is not None and (kept[1] is not None or request.if_none_match.contains(_etag(kept[0], language))):
        etag, page = _etag(kept[0], language), kept[1]
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            assert page is not None
            response = Response(page.body, status=page.status, headers=page.headers)
        return _validators(response, etag, localized)
    checked = time.monotonic()
    version = careers.site_version(g.firm)
    etag = _etag(version, language)
    page = None
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = make_response(build())
        if mimetype:
            response.mimetype = mimetype
        if response.status_code in (200, 410) and not response.is_streamed:
            page = Page(response.status_code, response.get_data(), list(response.headers.items()))
    if cache is not None:
        cache.put(firm_id, version, key, page, checked)
    return _validators(response, etag, localized)


def _etag(version: str, language: str) -> str:
    return f"{version}-{language}" if language else version


def _validators(response: Response, etag: str, localized: bool) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    if localized:
        response.vary.update(("Accept-Language", "Cookie"))
    return response


REF = re.compile(r"^[0-9]+-[0-9a-f]{16,64}$")


def apply_url(search_id: int, ref: str | None = None) -> str:
    """Where "Apply" goes: the application form, carrying a candidate's referral `ref` from the
    job page's address (in the link, never a cookie; a malformed one is dropped)."""
    if ref and REF.match(ref):
        return url_for("careers.apply", search_id=search_id, ref=ref)
    return url_for("careers.apply", search_id=search_id)
