"""The careers site's blueprint and its guard: public pages on the firm's own host, served only
while the firm offers a careers site (otherwise a plain 404, as for an unknown host)."""

from __future__ import annotations

from flask import Blueprint, abort, g

bp = Blueprint("careers", __name__)


@bp.before_request
def _guard():
    firm = g.get("firm")
    if firm is None or firm.disabled or not firm.careers_enabled:
        abort(404)
    return None


def _setup(state) -> None:
    """The process's cache of built pages (portal.careers.page_cache), when configured."""
    from portal.careers.page_cache import PageCache, install_hooks

    install_hooks()
    ttl = float(state.app.config.get("CAREERS_CACHE_SECONDS") or 0)
    if ttl > 0:
        state.app.extensions["portal_careers_cache"] = PageCache(ttl)


bp.record_once(_setup)
