"""The public job board (`/careers/`) and a page per job (`/careers/jobs/<id>`): anonymous,
cached by language and ETag, no cookie. A job no longer open answers 410 with similar roles; an id the
public never saw (another firm's, never advertised) is a plain 404."""

from __future__ import annotations

from flask import abort, g, render_template, request

from portal.careers.blueprint import bp
from portal.careers.public import apply_url, cached, links
from portal.i18n import current_language
from portal.models import RemotePreference, Seniority
from portal.services import NotFound, careers, public_figures
from portal.services.careers_feeds import job_posting, summary

REMOTE_CHOICES = [RemotePreference.ONSITE, RemotePreference.HYBRID, RemotePreference.REMOTE]


@bp.route("/")
def board():
    filters = careers.clean_filters(request.args)

    def page():
        found = careers.advertised_jobs(g.firm, filters)
        return render_template(
            "careers/board.html",
            filters=filters,
            page=found,
            links=links(),
            seniorities=list(Seniority),
            remotes=REMOTE_CHOICES,
            args={k: v for k, v in request.args.items(multi=False) if k != "after" and v},
            proof=public_figures.for_public_page(g.firm),
        )

    return cached(page)


@bp.route("/jobs/<int:search_id>")
def job(search_id: int):
    def page():
        try:
            found = careers.job_for_page(g.firm, search_id)
        except careers.Gone as gone:
            seniority, remote = careers.job_hints(g.firm, search_id)
            similar = careers.similar_jobs(g.firm, search_id, seniority, remote)
            return render_template("careers/gone.html", title=gone.title, similar=similar, links=links()), 410
        except NotFound:
            abort(404)
        site = links()
        return render_template(
            "careers/job.html",
            job=found,
            links=site,
            summary=summary(found),
            apply_url=apply_url(found.id, request.args.get("ref")),
            posting=job_posting(found, g.firm.name, site, current_language()),
            similar=careers.similar_jobs(g.firm, found.id, found.seniority, found.remote),
        )

    return cached(page)
