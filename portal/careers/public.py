"""What every careers page shares: absolute links on the firm's own host, and HTTP caching for
anonymous visitors (an ETag from `careers.site_version`, 304 when it still matches).

These pages read no session and write none (no CSRF token, no flash): they set no cookie, and
the same URL shows every visitor the same bytes. Never writes to the database."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, g, make_response, request, url_for

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


def cached(build: Callable[[], Response | str | tuple], mimetype: str | None = None) -> Response:
    """The response `build` makes, or 304 Not Modified when the visitor has this version."""
    etag = careers.site_version(g.firm)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = make_response(build())
        if mimetype:
            response.mimetype = mimetype
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


REF = re.compile(r"^[0-9]+-[0-9a-f]{16,64}$")


def apply_url(search_id: int, ref: str | None = None) -> str:
    """Where "Apply" goes: the application form, carrying a candidate's referral `ref` from the
    job page's address (in the link, never a cookie; a malformed one is dropped)."""
    if ref and REF.match(ref):
        return url_for("careers.apply", search_id=search_id, ref=ref)
    return url_for("careers.apply", search_id=search_id)
