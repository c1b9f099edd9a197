"""Candidate pages: settings (preferences, how they sign in) and my data (the exports,
deleting the account).
Thin: validate a form, call one service through the form-action helper
(portal/web/actions.py), flash, redirect; never commit here."""

from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_login import logout_user

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate, signed_in_user
from portal.candidate.forms import DeleteAccountForm, LanguageForm, PreferencesForm, choices
from portal.extensions import limiter
from portal.i18n import COOKIE, LANGUAGES, current_language, offered
from portal.i18n import gettext as _
from portal.services import accounts, calendar_feeds, data_rights, languages, preferences
from portal.web.actions import on_field, submit
from portal.web.forms import FlaskForm
from portal.web.language import ONE_YEAR


def _language_form(blank: bool = True) -> LanguageForm:
    """The language choice among the firm's languages (each named in its own language)."""
    form = LanguageForm(formdata=None) if blank else LanguageForm()
    form.language.choices = choices((code, LANGUAGES[code].name) for code in offered(g.firm))
    if blank:
        form.language.data = current_language()
    return form


def _render_settings(pref_form=None, delete_form=None, language_form=None, status=200):
    me = current_candidate()
    if pref_form is None:
        pref_form = PreferencesForm(formdata=None, obj=me)
        pref_form.suggestion_frequency.data = me.suggestion_frequency.value
    return render_template(
        "candidate/settings.html",
        me=me,
        pref_form=pref_form,
        language_form=language_form or _language_form(),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        has_password=bool(signed_in_user().password_hash),
        feed=calendar_feeds.urls(g.firm, signed_in_user()),
    ), status


@bp.route("/settings")
def settings():
    return _render_settings()


@bp.route("/settings/preferences", methods=["POST"])
def save_preferences():
    form = PreferencesForm()

    def save():
        return preferences.update_preferences(
            g.firm,
            current_candidate(),
            form.suggestion_frequency.data,
            form.allow_availability_prompts.data,
            form.unsubscribed_all.data,
            checkin_emails=form.checkin_emails.data,
            survey_emails=form.survey_emails.data,
        )

    if submit(form, save):
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("candidate.settings"), 303)
    return _render_settings(pref_form=form, status=400)


@bp.route("/settings/language", methods=["POST"])
def save_language():
    """The language of the candidate's pages and emails (their account and their talent-pool
    record keep the same, portal/services/languages.py); the page comes back in it."""
    form = _language_form(blank=False)
    out = submit(form, lambda: languages.choose(g.firm, signed_in_user(), form.language.data or ""))
    if not out:
        return _render_settings(language_form=form, status=400)
    with force_locale(out.value):  # said in the language just chosen
        flash(_("Saved: your pages and emails are in %(language)s now.", language=LANGUAGES[out.value].name), "success")
    response = redirect(url_for("candidate.settings", _anchor="language"), 303)
    # The switcher's cookie too, so the pages before signing in next time agree (portal/web/language.py).
    response.set_cookie(COOKIE, out.value, max_age=ONE_YEAR, secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@bp.route("/settings/password-link", methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"],
    key_func=lambda: f"password-link:{g.firm.id}:{signed_in_user().id}",
)
def password_link():
    """A candidate who signs in by links asks for a password too: the reset email, to them."""
    if submit(FlaskForm(), lambda: accounts.request_password_reset(g.firm, signed_in_user().email)):
        flash(_("We have emailed you a link to choose a password. It works once."), "success")
    return redirect(url_for("candidate.settings"), 303)


@bp.route("/settings/calendar-link", methods=["POST"])
def calendar_link():
    """Stop the private calendar feed's address and make a new one."""
    if submit(FlaskForm(), lambda: calendar_feeds.new_link(g.firm, signed_in_user())):
        flash(_("Done: the old calendar address no longer works. Add the new one to your calendar."), "success")
    return redirect(url_for("candidate.settings", _anchor="calendar-feed"), 303)


@bp.route("/settings/my-data.json")
def export_json():
    body = data_rights.export_json(g.firm, current_candidate())
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store"},
    )


@bp.route("/settings/my-data.zip")
def export_zip():
    body = data_rights.export_zip(g.firm, current_candidate())
    return Response(
        body,
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="my-data.zip"', "Cache-Control": "no-store"},
    )


@bp.route("/settings/delete", methods=["POST"])
def delete_account():
    form = DeleteAccountForm()
    language = current_language()  # read before the account (and its language) is erased

    def delete():
        return data_rights.delete_account(g.firm, current_candidate(), signed_in_user(), password=form.password.data)

    # A wrong password is shown on the password field; any other refusal above the form.
    if not submit(form, on_field("password", delete, data_rights.WrongPassword)):
        return _render_settings(delete_form=form, status=400)
    logout_user()
    session.clear()
    with force_locale(language):  # the goodbye page speaks theirs, though nobody is signed in any more
        return render_template("candidate/deleted.html"), 200
