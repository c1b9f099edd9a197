"""The candidate's interview pages: the preparation page of one interview (with the pick-a-time,
none-suits, ask-to-reschedule and decline forms), its invitation as a .ics download, and the time
zone they read times in. Thin: a form, one service call through the form-action helper, a
redirect; every lookup goes through services that 404 anything not the candidate's own."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, url_for

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate
from portal.candidate.forms import choices
from portal.candidate.interview_forms import DeclineForm, NoneSuitsForm, PickForm, RescheduleForm, TimezoneForm
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.services import Conflict, interview_choices, interview_messages, interview_pages
from portal.web.actions import found, submit

DONE = {
    "pick": _l("Thank you: your interview is confirmed. The invitation is on its way to your inbox."),
    "none": _l("Thank you. We will find another time with you and write to you soon."),
    "reschedule": _l("Thank you. Your recruiter is told at once and will come back to you with another time."),
    "decline": _l("Thank you for letting us know. Your recruiter is told."),
}
FORMS = {"pick": PickForm, "none": NoneSuitsForm, "reschedule": RescheduleForm, "decline": DeclineForm}


def _page(interview_id: int, forms: dict | None = None, status: int = 200):
    prep = found(lambda: interview_pages.preparation(g.firm, current_candidate(), interview_id))
    made = {k: (forms or {}).get(k) or cls(formdata=None, sequence=prep.interview.sequence) for k, cls in FORMS.items()}
    made["pick"].slot.choices = choices(prep.slots)
    return render_template("candidate/interview.html", prep=prep, forms=made), status


@bp.route("/interviews/<int:interview_id>")
def interview(interview_id: int):
    return _page(interview_id)


def _do(interview_id: int, what: str, call):
    """Validate the `what` form and run its service call; a race lost or a stale page: the page
    as it stands now, with why; a refusal: the form again with its words."""
    me = current_candidate()
    iv = found(lambda: interview_choices.for_candidate(me, interview_id))
    form = FORMS[what]()
    if what == "pick":
        form.slot.choices = choices((s.id, "") for s in iv.slots)
    if form.is_submitted() and form.expected() != iv.sequence:  # a page older than the interview
        flash(str(interview_choices.TAKEN if what == "pick" else interview_choices.CHANGED), "error")
        return redirect(url_for("candidate.interview", interview_id=interview_id), 303)
    out = submit(form, lambda: call(me, iv, form))
    if out:
        flash(str(DONE[what]), "success")
    elif isinstance(out.error, Conflict):
        flash(str(out.error), "error")
    else:
        return _page(interview_id, {what: form}, 400)
    return redirect(url_for("candidate.interview", interview_id=interview_id), 303)


@bp.route("/interviews/<int:interview_id>/pick", methods=["POST"])
def interview_pick(interview_id: int):
    return _do(
        interview_id, "pick", lambda me, iv, f: interview_choices.pick_slot(g.firm, me, iv, f.slot.data, f.expected())
    )


@bp.route("/interviews/<int:interview_id>/none-suits", methods=["POST"])
def interview_none_suits(interview_id: int):
    return _do(
        interview_id,
        "none",
        lambda me, iv, f: interview_choices.none_suits(g.firm, me, iv, f.availability.data, f.expected()),
    )


@bp.route("/interviews/<int:interview_id>/reschedule", methods=["POST"])
def interview_reschedule(interview_id: int):
    return _do(
        interview_id,
        "reschedule",
        lambda me, iv, f: interview_choices.ask_to_reschedule(
            g.firm, me, iv, f.reason.data, f.availability.data or "", f.expected()
        ),
    )


@bp.route("/interviews/<int:interview_id>/decline", methods=["POST"])
def interview_decline(interview_id: int):
    return _do(
        interview_id,
        "decline",
        lambda me, iv, f: interview_choices.decline(g.firm, me, iv, f.decline_reason.data, f.expected()),
    )


@bp.route("/interviews/<int:interview_id>/invite.ics")
def interview_ics(interview_id: int):
    iv = found(lambda: interview_choices.for_candidate(current_candidate(), interview_id))
    text = interview_messages.invitation(g.firm, iv)
    if text is None:  # no time set yet: nothing to add to a calendar
        abort(404)
    resp = Response(text, mimetype="text/calendar")
    resp.headers["Content-Disposition"] = f'attachment; filename="interview-{iv.id}.ics"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/profile/timezone", methods=["POST"])
def set_timezone():
    me = current_candidate()
    form = TimezoneForm(firm_zone=g.firm.timezone or "UTC")
    if submit(form, lambda: interview_choices.set_timezone(g.firm, me, form.timezone.data)):
        flash(_("Saved: we show times in your time zone now."), "success")
    else:
        why = " ".join(str(e) for e in form.timezone.errors) or _("please choose one from the list.")
        flash(_("Your time zone was not saved: %(reason)s", reason=why), "error")
    return redirect(url_for("candidate.profile") + "#time-zone", 303)
