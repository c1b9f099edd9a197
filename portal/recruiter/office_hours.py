"""The recruiter's office hours (`/recruiter/office-hours`): publish weekly open time, change or
stop it, and see who booked. Thin: each view validates its form and calls one service of
portal/services/office_hours.py through the form-action helper; never commit here."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from portal.i18n import gettext as _
from portal.models import utcnow
from portal.recruiter.blueprint import bp
from portal.recruiter.forms import ActionForm
from portal.recruiter.office_hours_forms import OfficeHoursForm
from portal.services import interview_words, office_hours
from portal.web.actions import act, actor, found, status, submit


def _new_form() -> OfficeHoursForm:
    """An empty "add" form with a sensible start: Tuesdays 10:00-12:00, 30 minutes, by video."""
    return OfficeHoursForm(
        formdata=None,
        prefix="new",
        timezone=g.firm.timezone or "UTC",
        weekday=1,
        start_minute=10 * 60,
        end_minute=12 * 60,
        slot_minutes=30,
        format="video",
    )


def _page(add_form=None, edit_forms=None, code=200):
    me = actor()
    entries = office_hours.mine(g.firm, me)
    forms = edit_forms or {}
    for h in entries:
        forms.setdefault(h.id, OfficeHoursForm(formdata=None, obj=h, prefix=f"oh{h.id}"))
    return render_template(
        "recruiter/office_hours.html",
        entries=entries,
        edit_forms=forms,
        add_form=add_form or _new_form(),
        toggle_form=ActionForm(formdata=None),
        bookings=office_hours.upcoming_for_recruiter(me, utcnow()),
        words=interview_words,
    ), code


@bp.route("/office-hours", endpoint="office_hours")
def office_hours_list():
    return _page()


@bp.route("/office-hours", methods=["POST"])
def office_hours_add():
    form = OfficeHoursForm(prefix="new")
    if submit(form, lambda: office_hours.add(g.firm, actor(), form.values())):
        flash(_("Published. Candidates can book these times now."), "success")
        return redirect(url_for("recruiter.office_hours"), 303)
    return _page(add_form=form, code=status(form))


@bp.route("/office-hours/<int:office_hours_id>", methods=["POST"])
def office_hours_edit(office_hours_id: int):
    found(lambda: office_hours.own(actor(), office_hours_id))  # another's or another firm's: 404
    form = OfficeHoursForm(prefix=f"oh{office_hours_id}")
    if submit(form, lambda: office_hours.update(g.firm, actor(), office_hours_id, form.values())):
        flash(_("Saved. Bookings already made keep their time."), "success")
        return redirect(url_for("recruiter.office_hours"), 303)
    return _page(edit_forms={office_hours_id: form}, code=status(form))


@bp.route("/office-hours/<int:office_hours_id>/active", methods=["POST"])
def office_hours_active(office_hours_id: int):
    on = request.form.get("active") == "1"
    return act(
        lambda: office_hours.set_active(g.firm, actor(), office_hours_id, on),
        form=ActionForm(),
        back_to=url_for("recruiter.office_hours"),
        refused=_("Not changed"),
        done=_("Offered again.") if on else _("Stopped. Bookings already made stand."),
    )
