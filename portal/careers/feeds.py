"""What machines read: the RSS feed (`/careers/feed.xml`), the aggregator XML feed
(`/careers/jobs.xml`), and at the host's root `/sitemap.xml` and `/robots.txt` (registered by
`record_once` outside the /careers prefix, keeping the careers guard). Cached by ETag. The
feeds speak the request's language where a person reads them (titles, pay, labels) and keep
machine formats (RFC 822 and ISO 8601 dates, codes); the sitemap and robots.txt have no words."""

from __future__ import annotations

from flask import g, url_for

from portal.careers.blueprint import bp
from portal.careers.public import cached, links
from portal.i18n import current_language
from portal.models import utcnow
from portal.services import careers, careers_feeds


@bp.route("/feed.xml")
def feed():
    def build():
        jobs = careers.advertised_jobs(g.firm, limit=careers.FEED_LIMIT, full=True).jobs
        return careers_feeds.rss(jobs, g.firm.name, links(), utcnow(), current_language())

    return cached(build, "application/rss+xml")


@bp.route("/jobs.xml")
def jobs_xml():
    def build():
        jobs = careers.advertised_jobs(g.firm, limit=careers.FEED_LIMIT, full=True).jobs
        return careers_feeds.aggregator_xml(jobs, g.firm.name, links(), utcnow())

    return cached(build, "application/xml")


def sitemap():
    def build():
        site = links()
        entries = [(site.board, None)] + [(site.job(i), at) for i, at in careers.sitemap_entries(g.firm)]
        return careers_feeds.sitemap(entries)

    return cached(build, "application/xml", localized=False)


def robots():
    def build():
        return careers_feeds.robots(links().home.rstrip("/") + url_for("careers.sitemap"))

    return cached(build, "text/plain", localized=False)


def _register_root(state):
    """/sitemap.xml and /robots.txt live at the host's root, as crawlers expect them, but keep
    their `careers.` endpoint names so the blueprint's guard (careers site off: 404) applies."""
    state.app.add_url_rule("/sitemap.xml", endpoint="careers.sitemap", view_func=sitemap)
    state.app.add_url_rule("/robots.txt", endpoint="careers.robots", view_func=robots)


bp.record_once(_register_root)
