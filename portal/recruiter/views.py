"""The recruiter's home, "Needs attention", and its one-click actions.
Thin: the lists and the actions are the services' (dashboard, dashboard_actions, messages), never computed here."""

from __future__ import annotations

from flask import flash, g, render_template, request, url_for

from portal.i18n import gettext as _
from portal.models import CandidateUpdate, Interest, Message
from portal.recruiter.blueprint import bp
from portal.recruiter.common import get_or_404
from portal.recruiter.forms import ActionForm
from portal.services import dashboard as dashboard_service
from portal.services import dashboard_actions, held_mail
from portal.services import messages as messages_service
from portal.web.actions import actor, back, flash_outcome, submit


@bp.route("/")
def dashboard():
    scope = "firm" if request.args.get("scope") == "firm" else "mine"
    show = request.args.get("show")
    section = show if show in dashboard_service.SECTIONS else None
    attention = dashboard_service.needs_attention(g.firm, actor(), scope, section)
    held = held_mail.open_count(g.firm)
    return render_template(
        "recruiter/dashboard.html", user=actor(), attention=attention, action_form=ActionForm(), held_mail=held
    )


def _one_click(do, done):
    """Run one dashboard action in the transaction scope; flash the outcome (a refusal in its own
    words) and go back to the dashboard."""
    form = ActionForm()
    default = url_for("recruiter.dashboard", scope=request.args.get("scope") or None)
    if not form.validate_on_submit():
        flash(_("That action could not be done: the form was incomplete. Please try again."), "error")
        return back(default)
    flash_outcome(submit(None, do), done)
    return back(default)


@bp.route("/attention/interests/<int:interest_id>/handled", methods=["POST"])
def interest_handled(interest_id: int):
    interest = get_or_404(Interest, interest_id)
    return _one_click(
        lambda: dashboard_actions.mark_interest_handled(g.firm, actor(), interest),
        _("Marked %(name)s's interest as handled.", name=interest.candidate.name),
    )


@bp.route("/attention/interests/<int:interest_id>/add", methods=["POST"])
def interest_add(interest_id: int):
    interest = get_or_404(Interest, interest_id)
    return _one_click(
        lambda: dashboard_actions.add_interested_to_search(g.firm, actor(), interest),
        _("%(name)s is now in the pipeline of %(title)s.", name=interest.candidate.name, title=interest.search.title),
    )


@bp.route("/attention/updates/<int:update_id>/handled", methods=["POST"])
def update_handled(update_id: int):
    update = get_or_404(CandidateUpdate, update_id)
    return _one_click(
        lambda: dashboard_actions.mark_update_handled(g.firm, actor(), update),
        _("Marked %(name)s's update as handled.", name=update.candidate.name),
    )


@bp.route("/attention/failed/<int:message_id>/retry", methods=["POST"])
def retry_message(message_id: int):
    message = get_or_404(Message, message_id)
    return _one_click(
        lambda: messages_service.resend(g.firm, actor(), message),
        lambda m: _("The message will be sent again to %(email)s.", email=m.to_email),
    )
