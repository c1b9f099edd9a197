"""Applying without an account (/careers/jobs/<id>/apply) and joining the talent pool
(/careers/join). Thin: the rules live in portal.services.applications.

Whether the email was known changes nothing the visitor sees: the same redirect to the same
thank-you page, answered no sooner than PORTAL_RESET_MIN_SECONDS, and the same confirmation
email. A filled honeypot gets the same answer and records nothing. Rate-limited per address and
per email given (429 with a page that says so). These pages set the CSRF session cookie (someone
is applying); the referral `ref` travels in the query string and a hidden field, never a cookie.
Redirects go only to this blueprint's own pages. The page's language becomes the applicant's
(a new candidate's and account's; a known candidate's only if they had none)."""

from __future__ import annotations

import logging
import time

from flask import current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from portal.careers.blueprint import bp
from portal.careers.forms import ApplyForm, JoinForm
from portal.extensions import limiter
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.services import accounts, applications
from portal.services import cv as cv_service
from portal.web.actions import found, status, submit
from portal.web.errors import render_error

log = logging.getLogger(__name__)


def apply_limit() -> str:
    return current_app.config["RATELIMIT_APPLY"]


def apply_email_limit() -> str:
    return current_app.config["RATELIMIT_APPLY_EMAIL"]


def email_key() -> str:
    firm = g.get("firm")
    return f"apply:{firm.id if firm else '-'}:{accounts.normalise_email(request.form.get('email', ''))[:254]}"


def _wait_out(started: float) -> None:
    """Answer no sooner than PORTAL_RESET_MIN_SECONDS after `started`: a new person (an account,
    a CV stored) takes as long as a known one."""
    remaining = current_app.config["RESET_MIN_SECONDS"] - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _page(form, search=None, code: int | None = None):
    template = "careers/apply.html" if search is not None else "careers/join.html"
    notice = applications.privacy_notice_text(g.firm)
    return render_template(template, form=form, search=search, notice=notice), code or status(form)


def _take(form, search):
    """The honeypot (answered as a success, nothing recorded) or the application."""
    started = time.monotonic()
    if form.website.data:
        log.info("careers: honeypot filled, nothing recorded")
        out = True
    else:
        lang = current_language()  # the page's (the browser's, the switcher's): the applicant's own
        out = submit(
            form, lambda: applications.apply(g.firm, search, form.applicant(lang), form.cv.data, form.ref.data)
        )
    _wait_out(started)
    return out


@bp.route("/jobs/<int:search_id>/apply", methods=["GET", "POST"])
@limiter.limit(apply_limit, methods=["POST"])
@limiter.limit(apply_email_limit, methods=["POST"], key_func=email_key)
def apply(search_id: int):
    search = found(lambda: applications.advertised_search(search_id))
    if not applications.is_open_for_applications(search):
        return render_template("careers/closed.html", search=search), 410
    form = ApplyForm(ref=request.args.get("ref", "")[:200] or None)
    if request.method == "POST" and _take(form, search):
        return redirect(url_for("careers.applied", search_id=search.id), 303)
    return _page(form, search)


@bp.route("/jobs/<int:search_id>/applied")
def applied(search_id: int):
    search = found(lambda: applications.advertised_search(search_id))
    return render_template("careers/thanks.html", search=search)


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(apply_limit, methods=["POST"])
@limiter.limit(apply_email_limit, methods=["POST"], key_func=email_key)
def join():
    form = JoinForm(ref=request.args.get("ref", "")[:200] or None)
    if request.method == "POST" and _take(form, None):
        return redirect(url_for("careers.joined"), 303)
    return _page(form)


@bp.route("/joined")
def joined():
    return render_template("careers/thanks.html", search=None)


@bp.errorhandler(429)
def too_many(_exc):
    """Applying and joining say so in their own words; job alerts get the common page."""
    if request.endpoint in ("careers.apply", "careers.join"):
        return render_template("careers/too_many.html"), 429
    return render_error(429)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """A body over MAX_CONTENT_LENGTH: the form again, with the limit on the CV field."""
    search_id = (request.view_args or {}).get("search_id")
    search = found(lambda: applications.advertised_search(search_id)) if search_id else None
    form = (ApplyForm if search is not None else JoinForm)(formdata=None)
    limit_mb = cv_service.MAX_CV_BYTES // (1024 * 1024)
    form.cv.errors = [
        _(
            "That file is too large (the limit is %(limit)s MB). Please choose a smaller PDF or Word document.",
            limit=limit_mb,
        )
    ]
    return _page(form, search, 413)
