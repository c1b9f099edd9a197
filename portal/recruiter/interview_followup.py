"""After an interview: the recruiter records its outcome, writes the candidate's feedback for it
(promise 7) and marks the candidate's debrief seen. Thin: the rules are services/
interview_feedback.py and services/debriefs.py; the candidacy page shows the follow-up block
(templates/recruiter/_interview_followup.html)."""

from __future__ import annotations

from flask import abort, flash, g, render_template, url_for

from portal.i18n import gettext as _
from portal.models import Debrief, Interview
from portal.recruiter.blueprint import bp
from portal.recruiter.common import get_or_404
from portal.recruiter.followup_forms import InterviewFeedbackForm, OutcomeForm
from portal.recruiter.forms import ActionForm
from portal.services import debriefs, interview_attention, interview_feedback
from portal.web.actions import act, actor, back, status, submit


@bp.context_processor
def _outcome_labels() -> dict:
    """The outcome words for every recruiter page that shows an interview's follow-up."""
    return {"outcome_labels": interview_feedback.OUTCOME_LABELS}


def _back(interview: Interview) -> str:
    return url_for("recruiter.candidacy", candidacy_id=interview.candidacy_id) + "#interviews-followup"


def _in_a_search(interview_id: int) -> Interview:
    """This firm's interview in a search (an office-hours booking has no feedback page), or 404."""
    interview = get_or_404(Interview, interview_id)
    if interview.candidacy_id is None:
        abort(404)
    return interview


@bp.route("/interviews/<int:interview_id>/feedback", methods=["GET", "POST"], endpoint="interview_feedback")
def interview_feedback_page(interview_id: int):
    interview, form = _in_a_search(interview_id), InterviewFeedbackForm()
    name = interview.candidate.name
    out = submit(
        form, lambda: interview_feedback.write_feedback(g.firm, actor(), interview, form.body.data), field=form.body
    )
    if out:
        flash(_("Feedback posted. %(name)s sees it on their page and gets an email.", name=name), "success")
        return back(_back(interview))
    row = interview_attention.followup_row(g.firm, interview)
    return render_template("recruiter/interview_feedback.html", row=row, form=form), status(form)


@bp.route("/interviews/<int:interview_id>/outcome", methods=["POST"])
def interview_outcome(interview_id: int):
    interview, form = _in_a_search(interview_id), OutcomeForm()
    return act(
        lambda: interview_feedback.record_outcome(g.firm, actor(), interview, form.outcome.data),
        form=form,
        refused=_("Outcome not saved"),
        done=_("Outcome saved."),
        back_to=_back(interview),
    )


@bp.route("/debriefs/<int:debrief_id>/seen", methods=["POST"])
def debrief_seen(debrief_id: int):
    debrief = get_or_404(Debrief, debrief_id)
    return act(
        lambda: debriefs.mark_seen(g.firm, actor(), debrief),
        form=ActionForm(),
        refused=_("Not marked"),
        done=_("Debrief marked as seen."),
        back_to=url_for("recruiter.dashboard"),
    )
