"""Candidate pages. Thin: validate a form, call one service, commit, flash, redirect.

`g.candidate` is the signed-in candidate's talent-pool record (set by the blueprint guard);
every lookup by id goes through a service that also checks it is theirs (else 404), so a
candidate never reaches another candidate's data."""
from __future__ import annotations

from flask import (
    Response, abort, current_app, flash, g, redirect, render_template, request, send_file, session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.candidate.blueprint import bp
from portal.candidate.forms import (
    ConfirmForm, ConsentForm, CVForm, DeleteAccountForm, PreferencesForm, ProfileForm, ReferralForm,
    UpdateForm, choices,
)
from portal.web.errors import render_error
from portal.extensions import db
from portal.models import ConsentState, User
from portal.services import DomainError, NotFound
from portal.services import availability, data_rights, interest, keep_in_touch, matching, preferences
from portal.services import candidate_portal as portal
from portal.services import consent as consent_service
from portal.services import cv as cv_service


def _me():
    return g.candidate


def _user() -> User | None:
    return db.session.get(User, current_user.id)


def _fail(form, exc: DomainError, field=None) -> None:
    """A rule refused the change: undo anything half-done and show why on the form."""
    db.session.rollback()
    target = field if field is not None else None
    if target is not None:
        target.errors = [*target.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


# ---------------------------------------------------------------- my searches

@bp.route("/")
def home():
    me = _me()
    view = portal.home(g.firm, me)
    return render_template(
        "candidate/home.html", me=me, cards=view.cards,
        open_consents=[c for c in view.cards if c.open_consent_id],
        recruiter=view.recruiter,
    )


@bp.route("/searches/<int:candidacy_id>")
def candidacy(candidacy_id: int):
    me = _me()
    try:
        card = portal.search_card(g.firm, me, candidacy_id)
    except NotFound:
        abort(404)
    return render_template("candidate/candidacy.html", me=me, card=card,
                           feedback=portal.feedback_items(g.firm, me, candidacy_id))


# ---------------------------------------------------------------- feedback

@bp.route("/feedback")
def feedback():
    return render_template("candidate/feedback.html", items=portal.feedback_items(g.firm, _me()))


# ---------------------------------------------------------------- consent

@bp.route("/consents")
def consents():
    rows = portal.consents(_me())
    open_rows = [c for c in rows if c.state == ConsentState.REQUESTED and c.candidacy.stage.is_open]
    return render_template("candidate/consents.html", open_rows=open_rows, rows=rows,
                           sent=[c for c in rows if c.cv_sent_at is not None])


@bp.route("/consents/<int:consent_id>", methods=["GET", "POST"])
def consent(consent_id: int):
    me = _me()
    try:
        row = portal.consent_for(me, consent_id)
    except NotFound:
        abort(404)
    form = ConsentForm()
    if form.validate_on_submit():
        if not (form.approve.data or form.decline.data):
            form.form_errors.append("Please choose yes or no.")
        else:
            try:
                consent_service.answer_consent(g.firm, me, consent_id, approve=bool(form.approve.data),
                                               comment=form.comment.data)
            except NotFound:
                db.session.rollback()
                abort(404)
            except DomainError as exc:
                db.session.rollback()
                flash(str(exc), "warning")
                return redirect(url_for("candidate.consent", consent_id=consent_id), 303)
            db.session.commit()
            if form.approve.data:
                flash("Thank you. We will send your profile to the client and tell you what happens next.", "success")
            else:
                flash("Thank you. We will not send your profile for this role.", "success")
            return redirect(url_for("candidate.consent", consent_id=consent_id), 303)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("candidate/consent.html", row=row, search=row.candidacy.search, form=form), status


# ---------------------------------------------------------------- roles that may fit

@bp.route("/roles")
def roles():
    me = _me()
    matches = matching.roles_for_candidate(g.firm, me, limit=10, include_anticipated=True)
    return render_template("candidate/roles.html", matches=matches, form=ConfirmForm(),
                           interested=interest.interested_search_ids(me))


@bp.route("/roles/<int:search_id>/interest", methods=["POST"])
def express_interest(search_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _row, created = interest.express_interest(g.firm, _me(), search_id)
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("candidate.roles"), 303)
    db.session.commit()
    if created:
        flash("Thank you. We told your recruiter you are interested; they will be in touch.", "success")
    else:
        flash("You already told us you are interested in this role.", "info")
    return redirect(url_for("candidate.roles"), 303)


# ---------------------------------------------------------------- profile and availability

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
    me = _me()
    return render_template(
        "candidate/profile.html", me=me, form=form, cv_form=cv_form or CVForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None), today=availability.firm_today(g.firm),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    me = _me()
    if request.method == "GET":
        return _render_profile(_profile_form_from(me))
    form = _profile_form(me)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in availability.FIELDS}
        values["employment_status"] = values["employment_status"] or None
        try:
            changed = availability.update_profile(g.firm, me, _user(), values, skills=form.skill_list())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            if changed is None:
                flash("Nothing changed: we noted that your profile is still accurate.", "success")
            else:
                flash("Saved. Your recruiter can see the change now.", "success")
            return redirect(url_for("candidate.profile"), 303)
    return _render_profile(form, status=400)


@bp.route("/profile/confirm", methods=["POST"])
def confirm_profile():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    availability.confirm_profile(g.firm, _me())
    db.session.commit()
    flash("Thank you. We noted that your profile is still accurate.", "success")
    return redirect(url_for("candidate.profile"), 303)


@bp.route("/profile/cv", methods=["GET", "POST"])
def cv():
    me = _me()
    if request.method == "GET":
        stored = cv_service.stored_cv(me)
        if stored is None:
            abort(404)
        resp = send_file(stored.path, mimetype=stored.mimetype, as_attachment=True,
                         download_name=stored.download_name)
        resp.headers["Cache-Control"] = "no-store"  # a CV is never kept by a browser or a cache
        return resp
    cv_form = CVForm()
    if cv_form.validate_on_submit():
        try:
            availability.upload_cv(g.firm, me, cv_form.cv.data)
        except DomainError as exc:
            _fail(cv_form, exc, cv_form.cv)
        else:
            db.session.commit()
            flash("Your CV is uploaded. Your recruiter can see it now.", "success")
            return redirect(url_for("candidate.profile"), 303)
    return _render_profile(_profile_form_from(_me()), cv_form, status=400)


# Where each form lives, to show a "too large" message on the right page.
FORM_PAGES = {
    "candidate.consent": "candidate.consents",
    "candidate.send_update": "candidate.keep_in_touch",
    "candidate.refer": "candidate.keep_in_touch",
    "candidate.save_preferences": "candidate.settings",
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
    message = (f"That file is too large to upload (the limit is {cv_service.MAX_CV_BYTES // (1024 * 1024)} MB "
               f"for a CV). Please choose a smaller PDF or Word document.")
    if request.endpoint in ("candidate.cv", "candidate.profile"):
        cv_form = CVForm(formdata=None)
        cv_form.cv.errors = [message]
        return _render_profile(_profile_form_from(me), cv_form, status=413)
    flash(f"What you sent was too large (over {limit_mb} MB), so nothing was saved. Please shorten it and try again.",
          "error")
    return redirect(url_for(FORM_PAGES.get(request.endpoint, "candidate.home")), 303)


# ---------------------------------------------------------------- keep in touch

def _referral_form(blank: bool = False) -> ReferralForm:
    form = ReferralForm(formdata=None) if blank else ReferralForm()
    form.search_id.choices = choices([("", "No particular role")] + portal.referral_roles(g.firm))
    return form


def _render_keep_in_touch(update_form=None, referral_form=None, status=200):
    return render_template(
        "candidate/keep_in_touch.html",
        update_form=update_form or UpdateForm(formdata=None),
        referral_form=referral_form or _referral_form(blank=True),
        recruiter=portal.own_recruiter(_me()),
    ), status


@bp.route("/keep-in-touch", endpoint="keep_in_touch")
def keep_in_touch_page():
    return _render_keep_in_touch()


@bp.route("/keep-in-touch/update", methods=["POST"])
def send_update():
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            keep_in_touch.send_update(g.firm, _me(), form.choice.data, form.text.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash("Thank you. Your recruiter has your update.", "success")
            return redirect(url_for("candidate.keep_in_touch"), 303)
    return _render_keep_in_touch(update_form=form, status=400)


@bp.route("/keep-in-touch/referral", methods=["POST"])
def refer():
    form = _referral_form()
    if form.validate_on_submit():
        try:
            keep_in_touch.refer(g.firm, _me(), form.name.data, form.email.data, form.note.data, form.search_id.data)
        except NotFound:
            db.session.rollback()
            form.search_id.errors = ["That role is not open any more."]
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash("Thank you for the referral. Your recruiter will take it from here.", "success")
            return redirect(url_for("candidate.keep_in_touch"), 303)
    return _render_keep_in_touch(referral_form=form, status=400)


# ---------------------------------------------------------------- messages

@bp.route("/messages")
def messages():
    page = request.args.get("page", 1, type=int) or 1
    rows, more = portal.messages(_me(), page=page)
    return render_template("candidate/messages.html", rows=rows, page=max(page, 1), more=more)


@bp.route("/messages/<int:message_id>")
def message(message_id: int):
    try:
        row = portal.message_for(_me(), message_id)
    except NotFound:
        abort(404)
    return render_template("candidate/message.html", row=row)


# ---------------------------------------------------------------- settings and my data

def _render_settings(pref_form=None, delete_form=None, status=200):
    me = _me()
    if pref_form is None:
        pref_form = PreferencesForm(formdata=None, obj=me)
        pref_form.suggestion_frequency.data = me.suggestion_frequency.value
    return render_template("candidate/settings.html", me=me, pref_form=pref_form,
                           delete_form=delete_form or DeleteAccountForm(formdata=None)), status


@bp.route("/settings")
def settings():
    return _render_settings()


@bp.route("/settings/preferences", methods=["POST"])
def save_preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        try:
            preferences.update_preferences(g.firm, _me(), form.suggestion_frequency.data,
                                           form.allow_availability_prompts.data, form.unsubscribed_all.data,
                                           checkin_emails=form.checkin_emails.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash("Your preferences are saved.", "success")
            return redirect(url_for("candidate.settings"), 303)
    return _render_settings(pref_form=form, status=400)


@bp.route("/settings/my-data.json")
def export_json():
    body = data_rights.export_json(g.firm, _me())
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-data.json"',
                             "Cache-Control": "no-store"})


@bp.route("/settings/my-data.zip")
def export_zip():
    body = data_rights.export_zip(g.firm, _me())
    return Response(body, mimetype="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="my-data.zip"',
                             "Cache-Control": "no-store"})


@bp.route("/settings/delete", methods=["POST"])
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            data_rights.delete_account(g.firm, _me(), _user(), password=form.password.data)
        except data_rights.WrongPassword as exc:
            _fail(form, exc, form.password)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            return render_template("candidate/deleted.html"), 200
    return _render_settings(delete_form=form, status=400)
