"""Candidate pages: the profile and availability, the CV, and the "too large" answer for any
candidate form. Thin: validate a form, call one service through the form-action helper
(portal/web/actions.py), flash, redirect; never commit here."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate, signed_in_user
from portal.candidate.forms import ConfirmForm, CVForm, ProfileForm, choices
from portal.candidate.interview_forms import TimezoneForm
from portal.i18n import gettext as _
from portal.services import availability
from portal.services import candidate_portal as portal
from portal.services import cv as cv_service
from portal.web.actions import run, submit
from portal.web.errors import render_error


def _profile_form(me, blank: bool = False) -> ProfileForm:
    form = ProfileForm(formdata=None, obj=me) if blank else ProfileForm()
    form.pay_currency.choices = choices((c, c) for c in availability.currency_choices(me))
    return form


def _profile_form_from(me) -> ProfileForm:
    form = _profile_form(me, blank=True)
    form.skills.data = ", ".join(availability.skill_names(me))
    form.job_seeking.data = me.job_seeking.value
    form.employment_status.data = me.employment_status.value if me.employment_status else ""
    form.remote_preference.data = me.remote_preference.value
    return form


def _render_profile(form: ProfileForm, cv_form: CVForm | None = None, status: int = 200):
    me = current_candidate()
    return render_template(
        "candidate/profile.html",
        me=me,
        form=form,
        cv_form=cv_form or CVForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        today=availability.firm_today(g.firm),
        timezone_form=TimezoneForm(formdata=None, firm_zone=g.firm.timezone or "UTC", timezone=me.timezone or ""),
    ), status


def _update_profile(me, form: ProfileForm):
    values = {name: getattr(form, name).data for name in availability.FIELDS}
    values["employment_status"] = values["employment_status"] or None
    return availability.update_profile(g.firm, me, signed_in_user(), values, skills=form.skill_list())


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    me = current_candidate()
    if request.method == "GET":
        return _render_profile(_profile_form_from(me))
    form = _profile_form(me)
    out = submit(form, lambda: _update_profile(me, form))
    if not out:
        return _render_profile(form, status=400)
    if out.value is None:  # nothing changed
        flash(_("Nothing changed: we noted that your profile is still accurate."), "success")
    else:
        flash(_("Saved. Your recruiter can see the change now."), "success")
    return redirect(url_for("candidate.profile"), 303)


@bp.route("/profile/confirm", methods=["POST"])
def confirm_profile():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    run(lambda: availability.confirm_profile(g.firm, current_candidate()))
    flash(_("Thank you. We noted that your profile is still accurate."), "success")
    return redirect(url_for("candidate.profile"), 303)


@bp.route("/profile/cv", methods=["GET", "POST"])
def cv():
    me = current_candidate()
    if request.method == "GET":
        return _download_cv(me)
    cv_form = CVForm()
    if submit(cv_form, lambda: availability.upload_cv(g.firm, me, cv_form.cv.data), field=cv_form.cv):
        flash(_("Your CV is uploaded. Your recruiter can see it now."), "success")
        return redirect(url_for("candidate.profile"), 303)
    return _render_profile(_profile_form_from(current_candidate()), cv_form, status=400)


def _download_cv(me):
    stored = cv_service.stored_cv(me)
    if stored is None:
        abort(404)
    resp = send_file(
        io.BytesIO(stored.data), mimetype=stored.mimetype, as_attachment=True, download_name=stored.download_name
    )
    resp.headers["Cache-Control"] = "no-store"  # a CV is never kept by a browser or a cache
    return resp


# Where each form lives, to show a "too large" message on the right page.
FORM_PAGES = {
    "candidate.consent": "candidate.consents",
    "candidate.send_update": "candidate.keep_in_touch",
    "candidate.refer": "candidate.keep_in_touch",
    "candidate.save_preferences": "candidate.settings",
    "candidate.save_language": "candidate.settings",
    "candidate.delete_account": "candidate.settings",
}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """A body over MAX_CONTENT_LENGTH: a clear message on the form, not a bare error page."""
    if not current_user.is_authenticated or not getattr(current_user, "is_candidate", False):
        return render_error(413)
    me = g.get("candidate") or portal.candidate_for_user(current_user)
    if me is None:
        return render_error(413)
    g.candidate = me
    limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    message = _(
        "That file is too large to upload (the limit is %(mb)d MB for a CV). Please choose a smaller PDF or Word "
        "document.",
        mb=cv_service.MAX_CV_BYTES // (1024 * 1024),
    )
    if request.endpoint in ("candidate.cv", "candidate.profile"):
        cv_form = CVForm(formdata=None)
        cv_form.cv.errors = [message]
        return _render_profile(_profile_form_from(me), cv_form, status=413)
    flash(
        _(
            "What you sent was too large (over %(mb)d MB), so nothing was saved. Please shorten it and try again.",
            mb=limit_mb,
        ),
        "error",
    )
    return redirect(url_for(FORM_PAGES.get(request.endpoint, "candidate.home")), 303)
