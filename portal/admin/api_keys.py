"""Firm administration: the API keys (create with scopes, rotate, revoke, see last use). Thin
views over portal.services.api_keys. A new secret is shown once, in the answer to the POST that
made it (never flashed: a flash travels in the session cookie), and never again."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for

from portal.admin.blueprint import bp
from portal.admin.forms import ApiKeyForm, EmptyForm
from portal.i18n import gettext as _
from portal.services import DomainError, api_keys
from portal.web.actions import act, actor, found, run, status, submit


def _page(form: ApiKeyForm, issued: api_keys.IssuedKey | None = None, code: int = 200):
    return render_template(
        "admin/api_keys.html",
        form=form,
        keys=api_keys.keys(g.firm),
        resources=api_keys.RESOURCES,
        read_only=api_keys.READ_ONLY,
        issued=issued,
        button=EmptyForm(),
    ), code


@bp.route("/api-keys", methods=["GET", "POST"])
def api_keys_page():
    form = ApiKeyForm()
    out = submit(form, lambda: api_keys.create(g.firm, actor(), form.name.data, form.scopes.data), field=form.name)
    if out:
        return _page(ApiKeyForm(formdata=None), out.value)
    return _page(form, code=status(form))


@bp.route("/api-keys/<int:key_id>/rotate", methods=["POST"])
def api_key_rotate(key_id: int):
    key = found(lambda: api_keys.get(key_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        issued = run(lambda: api_keys.rotate(g.firm, actor(), key))
    except DomainError as exc:
        flash(_("Not rotated: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("admin.api_keys_page"), code=303)
    return _page(ApiKeyForm(formdata=None), issued)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
def api_key_revoke(key_id: int):
    key = found(lambda: api_keys.get(key_id))
    return act(
        lambda: api_keys.revoke(g.firm, actor(), key),
        form=EmptyForm(),
        back_to=url_for("admin.api_keys_page"),
        refused=_("Not revoked"),
        done=_("The key “%(name)s” is revoked: it no longer works.", name=key.name),
    )
