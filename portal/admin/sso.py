"""Firm administration of single sign-on: the provider's issuer, client id and secret, first
sign-in accounts and the staff requirement. Thin: portal.services.sso checks and saves.
Never shows the stored client secret back (the field is write-only); a provider that cannot
be reached is an error on the form, never a 500."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for

from portal.admin.blueprint import bp
from portal.admin.forms import EmptyForm, SsoForm
from portal.i18n import gettext as _
from portal.services import sso
from portal.web.actions import actor, run, status, submit
from portal.web.templating import external_url

FIELDS = ("provider_name", "issuer", "client_id", "client_secret", "auto_create", "allowed_domains", "required")


@bp.route("/sso", methods=["GET", "POST"])
def sso_settings():
    firm, row = g.firm, sso.settings(g.firm)
    form = SsoForm(obj=row)
    form.client_secret.data = form.client_secret.data if form.is_submitted() else ""  # write-only
    out = submit(form, lambda: sso.save_settings(firm, actor(), **{name: form[name].data for name in FIELDS}))
    if out:
        flash(_("Single sign-on with %(provider)s is saved.", provider=out.value.provider_name), "success")
        return redirect(url_for("admin.sso_settings"))
    return render_template(
        "admin/sso.html",
        form=form,
        row=row,
        remove_form=EmptyForm(),
        redirect_uri=external_url(firm, "auth.sso_callback"),
    ), status(form)


@bp.route("/sso/remove", methods=["POST"])
def sso_remove():
    if not EmptyForm().validate_on_submit():
        abort(400)
    run(lambda: sso.remove_settings(g.firm, actor()))
    flash(_("Single sign-on is removed: staff sign in with their passwords."), "success")
    return redirect(url_for("admin.sso_settings"))
