"""The candidate's debrief after an interview (`/me/interviews/<id>/debrief`): the form while the
interview is over and no debrief was sent, then the debrief read-only with a thank-you. Thin:
the rules are services/debriefs.py (which 404s another candidate's interview)."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, url_for
from werkzeug.exceptions import HTTPException

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate
from portal.candidate.debrief_form import DebriefForm
from portal.i18n import gettext as _
from portal.services import debriefs
from portal.web.actions import found, status, submit


@bp.app_template_global()
def preparation_path(interview_id: int) -> str | None:
    """The interview's preparation page (/me/interviews/<id>, built by the scheduling feature)
    when this installation has it, else None: the pages link to it by path, never to a 404."""
    path = f"/me/interviews/{interview_id}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return path


@bp.route("/interviews/<int:interview_id>/debrief", methods=["GET", "POST"])
def interview_debrief(interview_id: int):
    me = current_candidate()
    page = found(lambda: debriefs.page(g.firm, me, interview_id))
    form = DebriefForm()
    if page.debrief is None and page.held:
        data = form.how_it_went, form.interest, form.questions
        out = submit(form, lambda: debriefs.submit(g.firm, me, interview_id, *(f.data for f in data)))
        if out:
            flash(_("Thank you! Your recruiter will read your debrief."), "success")
            return redirect(url_for("candidate.interview_debrief", interview_id=interview_id), code=303)
    return render_template("candidate/debrief.html", page=page, form=form, words=debriefs.INTEREST_WORDS), status(form)
