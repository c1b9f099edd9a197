"""The recruiter's interview pages: schedule an interview on a candidacy (a fixed time or proposed
slots), move it, edit its details, cancel it, and mark the candidate's answer handled. Thin: a
form, one service call (services/interviews.py) through the form-action helper, a redirect."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for

from portal.i18n import gettext as _
from portal.models import Candidacy
from portal.models.interview import Interview
from portal.recruiter.blueprint import bp
from portal.recruiter.common import get_or_404
from portal.recruiter.interview_forms import DetailsForm, MoveForm, ScheduleForm, SequenceForm, sequence_of
from portal.services import interviews
from portal.web.actions import act, actor, status, submit


def _back(interview: Interview) -> str:
    return url_for("recruiter.candidacy", candidacy_id=interview.candidacy_id) + "#interviews"


def _page(form, candidacy: Candidacy, mode: str, interview: Interview | None = None):
    return render_template(
        "recruiter/interview_form.html", form=form, candidacy=candidacy, mode=mode, interview=interview
    ), status(form)


@bp.route("/candidacies/<int:candidacy_id>/interviews/new", methods=["GET", "POST"])
def interview_new(candidacy_id: int):
    candidacy = get_or_404(Candidacy, candidacy_id)
    form = ScheduleForm(timezone=g.firm.timezone or "UTC")
    out = submit(form, lambda: interviews.schedule(g.firm, actor(), candidacy, form.details(), **form.times()))
    if not out:
        return _page(form, candidacy, "new")
    flash(_("Interview saved. %(name)s gets an email with the details.", name=candidacy.candidate.name), "success")
    return redirect(_back(out.value), 303)


def _interview(interview_id: int) -> Interview:
    interview = get_or_404(Interview, interview_id)
    if interview.candidacy_id is None:  # an office-hours booking: not managed here
        return get_or_404(Interview, 0)
    return interview


@bp.route("/interviews/<int:interview_id>/edit", methods=["GET", "POST"])
def interview_edit(interview_id: int):
    interview = _interview(interview_id)
    form = DetailsForm(obj=interview, sequence=interview.sequence)
    if not form.is_submitted():
        form.attendees.data = "\n".join(f"{a['name']}, {a['title']}".rstrip(", ") for a in interview.attendees or [])
        form.candidate_notes.data, form.kind.data = interview.candidate_notes_md, interview.kind.value
        form.format.data = interview.format.value
    out = submit(form, lambda: interviews.edit(g.firm, actor(), interview, form.details(), sequence_of(form)))
    if not out:
        return _page(form, interview.candidacy, "edit", interview)
    flash(_("Interview details saved."), "success")
    return redirect(_back(interview), 303)


@bp.route("/interviews/<int:interview_id>/move", methods=["GET", "POST"])
def interview_move(interview_id: int):
    interview = _interview(interview_id)
    form = MoveForm(sequence=interview.sequence)
    out = submit(
        form,
        lambda: interviews.reschedule(g.firm, actor(), interview, **form.times(), expected_sequence=sequence_of(form)),
    )
    if not out:
        return _page(form, interview.candidacy, "move", interview)
    flash(_("Interview moved. %(name)s gets an email with the new time.", name=interview.candidate.name), "success")
    return redirect(_back(interview), 303)


@bp.route("/interviews/<int:interview_id>/cancel", methods=["POST"])
def interview_cancel(interview_id: int):
    interview, form = _interview(interview_id), SequenceForm()
    return act(
        lambda: interviews.cancel(g.firm, actor(), interview, sequence_of(form)),
        form=form,
        refused=_("Not cancelled"),
        done=_(
            "Interview cancelled. %(name)s is told, and their calendar event is cancelled.",
            name=interview.candidate.name,
        ),
        back_to=_back(interview),
    )


@bp.route("/interviews/<int:interview_id>/seen", methods=["POST"])
def interview_seen(interview_id: int):
    interview, form = get_or_404(Interview, interview_id), SequenceForm()
    return act(
        lambda: interviews.mark_answer_seen(g.firm, actor(), interview),
        form=form,
        refused=_("Not marked"),
        done=_("Marked %(name)s's answer as handled.", name=interview.candidate.name),
        back_to=url_for("recruiter.dashboard"),
    )
