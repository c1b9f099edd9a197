"""Firm administration views: thin. Validate a form, call one service in the transaction scope
(portal/web/actions.py), flash, redirect; nothing here commits, and the rules live in the services.
Only the firm's admins get here (the blueprint guard)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.admin.blueprint import bp
from portal.admin.forms import (
    BrandForm,
    ContactRulesForm,
    DeactivateForm,
    DomainForm,
    EmptyForm,
    InviteForm,
    LogoForm,
    RoleForm,
    TwoFactorPolicyForm,
    choice,
    hour_name,
    stage_form_class,
    weekday_names,
)
from portal.i18n import LANGUAGES, ngettext, offered
from portal.i18n import gettext as _
from portal.models import Role, Stage
from portal.models.candidacy import CANDIDATE_STAGE_TEXT
from portal.services import NotFound, audit, branding, public_figures, staff, two_factor
from portal.services import domains as domain_records
from portal.web.actions import actor, flash_outcome, run, status, submit
from portal.web.brand import firm_palette


@bp.route("/")
def home():
    firm = g.firm
    return render_template(
        "admin/home.html",
        palette=firm_palette(firm),
        domains=branding.list_domains(firm),
        user=current_user,
        checkin_day=weekday_names()[firm.checkin_weekday],
        checkin_time=hour_name(firm.checkin_hour),
        language_names=[LANGUAGES[c].name for c in offered(firm)],
    )


# ---------------------------------------------------------------- look and contact


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    firm = g.firm
    form = BrandForm(obj=firm)
    out = submit(
        form,
        lambda: branding.update_settings(firm, actor(), **{name: form[name].data for name in branding.BRAND_FIELDS}),
    )
    if out:
        if "public_figures" in out.value:
            public_figures.forget(firm)
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        for note in firm_palette(firm).notes:
            flash(note, "warning")
        return redirect(url_for("admin.settings"))
    proof, figures = public_figures.preview(firm)
    return render_template(
        "admin/settings.html",
        form=form,
        palette=firm_palette(firm),
        proof=proof,
        figures=figures,
        proof_min=(public_figures.MIN_CANDIDATES, public_figures.MIN_ANSWERS),
    ), status(form)


@bp.route("/contact-rules", methods=["GET", "POST"])
def contact_rules():
    firm = g.firm
    form = ContactRulesForm(obj=firm)
    out = submit(
        form,
        lambda: branding.update_settings(firm, actor(), **{name: form[name].data for name in branding.RULE_FIELDS}),
    )
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.contact_rules"))
    return render_template("admin/contact_rules.html", form=form), status(form)


@bp.route("/stages", methods=["GET", "POST"])
def stages():
    firm = g.firm
    form_class = stage_form_class()
    current = branding.stage_texts(firm)
    form = form_class(data={s.value: current[s] for s in Stage})
    out = submit(
        form, lambda: branding.update_stage_labels(firm, actor(), {s.value: form[s.value].data for s in Stage})
    )
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.stages"))
    return render_template("admin/stages.html", form=form, stages=list(Stage), defaults=CANDIDATE_STAGE_TEXT), status(
        form
    )


# ---------------------------------------------------------------- logo


@bp.route("/logo", methods=["GET", "POST"])
def logo():
    form = LogoForm()
    if submit(
        form,
        lambda: branding.set_logo(g.firm, actor(), form.logo.data.read(branding.LOGO_MAX_BYTES + 1)),
        field=form.logo,
    ):
        flash(_("The new logo is in place."), "success")
        return redirect(url_for("admin.logo"))
    return render_template("admin/logo.html", form=form, remove_form=EmptyForm()), status(form)


@bp.route("/logo/remove", methods=["POST"])
def remove_logo():
    if EmptyForm().validate_on_submit():
        flash_outcome(submit(None, lambda: branding.remove_logo(g.firm, actor())), _("The logo is removed."))
    return redirect(url_for("admin.logo"))


# ---------------------------------------------------------------- domains


@bp.route("/domains", methods=["GET", "POST"])
def domains():
    firm = g.firm
    form = DomainForm()
    out = submit(form, lambda: branding.add_domain(firm, actor(), form.domain.data), field=form.domain)
    if out:
        flash(
            _(
                "%(domain)s added. Publish the TXT record below to prove it is yours; "
                "it serves your portal once verified.",
                domain=out.value.domain,
            ),
            "success",
        )
        return redirect(url_for("admin.domains"))
    return render_template(
        "admin/domains.html",
        form=form,
        remove_form=EmptyForm(),
        domains=branding.list_domains(firm),
        record_for=domain_records.record_for,
    ), status(form)


@bp.route("/domains/<int:domain_id>/verify", methods=["POST"])
def verify_domain(domain_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = run(lambda: branding.verify_domain(g.firm, actor(), domain_id))
    if row.verified_at is not None:
        flash(_("%(domain)s is verified and now serves your portal.", domain=row.domain), "success")
    else:
        flash(
            _("%(domain)s is not verified yet: %(reason)s", domain=row.domain, reason=row.last_check_error), "warning"
        )
    return redirect(url_for("admin.domains"))


@bp.route("/domains/<int:domain_id>/remove", methods=["POST"])
def remove_domain(domain_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = run(lambda: branding.remove_domain(g.firm, actor(), domain_id))
    flash(_("%(domain)s removed.", domain=name), "success")
    return redirect(url_for("admin.domains"))


# ---------------------------------------------------------------- staff


def _staff_or_404(user_id: int):
    try:
        return staff.get_staff(g.firm, user_id)
    except NotFound:
        abort(404)


@bp.route("/staff")
def staff_list():
    return render_template(
        "admin/staff.html",
        rows=staff.list_staff(g.firm),
        form=EmptyForm(),
        roles=[Role.RECRUITER, Role.ADMIN],
        two_factor_ids=two_factor.enrolled_ids(g.firm),
    )


@bp.route("/staff/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    out = submit(
        form,
        lambda: staff.invite(g.firm, actor(), email=form.email.data, name=form.name.data, role=Role(form.role.data)),
        field=form.email,
    )
    if out:
        flash(_("Invitation sent to %(email)s.", email=out.value.email), "success")
        return redirect(url_for("admin.staff_list"))
    return render_template("admin/invite.html", form=form), status(form)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
def staff_member(user_id: int):
    """One member of staff: change their role here."""
    user = _staff_or_404(user_id)
    form = RoleForm(role=user.role.value)
    if submit(form, lambda: staff.change_role(g.firm, actor(), user.id, Role(form.role.data)), field=form.role):
        if user.role == Role.ADMIN:
            flash(_("%(name)s is now an admin.", name=user.name), "success")
        else:
            flash(_("%(name)s is now a recruiter.", name=user.name), "success")
        if user.id == current_user.id and user.role != Role.ADMIN:
            return redirect(url_for("recruiter.dashboard"))
        return redirect(url_for("admin.staff_list"))
    searches, candidates = staff.owned_counts(g.firm, user)
    return render_template(
        "admin/staff_member.html",
        member=user,
        form=form,
        action_form=EmptyForm(),
        searches=searches,
        candidates=candidates,
        has_two_factor=two_factor.is_enrolled(g.firm, user),
    ), status(form)


@bp.route("/staff/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int):
    user = _staff_or_404(user_id)
    searches, candidates = staff.owned_counts(g.firm, user)
    form = DeactivateForm()
    choices = [choice(u.id, f"{u.name} ({u.email})") for u in staff.active_staff(g.firm, exclude=user)]
    if not (searches or candidates):
        choices.insert(0, choice(0, _("Nobody: they own no searches or candidates")))
    form.reassign_to.choices = choices
    out = submit(
        form, lambda: staff.deactivate(g.firm, actor(), user.id, form.reassign_to.data or None), field=form.reassign_to
    )
    if out:
        flash(_deactivated(user, out.value), "success")
        return redirect(url_for("admin.staff_list"))
    return render_template(
        "admin/deactivate.html", member=user, form=form, searches=searches, candidates=candidates
    ), status(form)


def _deactivated(user, handover) -> str:
    msg = _("%(name)s is deactivated and signed out everywhere.", name=user.name)
    if handover.to is not None and (handover.searches or handover.candidates):
        # Translators: "their" are the deactivated person's; %(searches)s is "2 searches", %(candidates)s "1 candidate".
        msg += " " + _(
            "%(name)s now owns their %(searches)s and %(candidates)s.",
            name=handover.to.name,
            searches=ngettext("%(num)d search", "%(num)d searches", handover.searches),
            candidates=ngettext("%(num)d candidate", "%(num)d candidates", handover.candidates),
        )
    return msg


@bp.route("/staff/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    user = _staff_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    flash_outcome(
        submit(None, lambda: staff.reactivate(g.firm, actor(), user.id)),
        lambda _done: _("%(name)s can sign in again.", name=user.name),
    )
    return redirect(url_for("admin.staff_list"))


@bp.route("/staff/<int:user_id>/resend", methods=["POST"])
def resend_invitation(user_id: int):
    user = _staff_or_404(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    flash_outcome(
        submit(None, lambda: staff.resend_invitation(g.firm, actor(), user.id)),
        lambda _done: _("A new invitation is on its way to %(email)s.", email=user.email),
    )
    return redirect(url_for("admin.staff_list"))


# ---------------------------------------------------------------- two-factor authentication


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor_policy():
    """Whether every recruiter and admin must sign in with a second factor."""
    firm = g.firm
    form = TwoFactorPolicyForm(obj=firm)
    out = submit(form, lambda: two_factor.set_policy(firm, actor(), form.require_two_factor.data))
    if out:
        flash(_("Saved.") if out.value else _("Nothing changed."), "success")
        return redirect(url_for("admin.two_factor_policy"))
    rows = staff.list_staff(firm)
    return render_template(
        "admin/two_factor.html", form=form, rows=rows, two_factor_ids=two_factor.enrolled_ids(firm)
    ), status(form)


@bp.route("/staff/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    """Remove someone's second factor (a lost phone); audited, and they are signed out."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    flash_outcome(
        submit(None, lambda: two_factor.reset(g.firm, actor(), user_id)),
        lambda user: _(
            "%(name)s's two-factor authentication is reset and they are signed out everywhere.", name=user.name
        ),
        refused=_("Not reset"),
    )
    return redirect(url_for("admin.staff_member", user_id=user_id))


# ---------------------------------------------------------------- audit log


@bp.route("/audit")
def audit_log():
    page = request.args.get("page", 1, type=int) or 1
    return render_template("admin/audit.html", log=audit.page_of_entries(g.firm, page))
