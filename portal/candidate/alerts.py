"""A signed-in candidate's saved searches (/me/alerts): the job-alert criteria of the careers
site, tied to their record, so no double opt-in (their address is known). Their unsubscribe
and suppression state still holds at every digest (portal/services/job_alert_digest.py).
Thin: the rules live in portal.services.job_alerts; every alert id is checked to be theirs."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for

from portal.candidate.blueprint import bp
from portal.candidate.common import current_candidate
from portal.careers.alert_forms import AlertCriteriaForm
from portal.i18n import gettext as _
from portal.services import job_alerts
from portal.web.actions import act, status, submit
from portal.web.forms import FlaskForm


class DeleteForm(FlaskForm):
    """Only the CSRF token: the saved search is in the URL."""


def _render(form: AlertCriteriaForm):
    me = current_candidate()
    return render_template(
        "candidate/alerts.html",
        form=form,
        alerts=job_alerts.candidate_alerts(g.firm, me),
        delete_form=DeleteForm(),
        unsubscribed=me.unsubscribed_all,
    ), status(form)


@bp.route("/alerts", methods=["GET", "POST"])
def alerts():
    form = AlertCriteriaForm()
    criteria = form.keywords.data, form.location.data, form.remote.data
    if submit(form, lambda: job_alerts.save_for_candidate(g.firm, current_candidate(), *criteria)):
        flash(_("Saved. We will email you new jobs that match, at most once a week."), "success")
        return redirect(url_for("candidate.alerts"), 303)
    return _render(form)


@bp.route("/alerts/<int:alert_id>/delete", methods=["POST"])
def delete_alert(alert_id: int):
    return act(
        lambda: job_alerts.delete_for_candidate(g.firm, current_candidate(), alert_id),
        form=DeleteForm(),
        refused=_("Not deleted"),
        done=_("Saved search deleted."),
        back_to=url_for("candidate.alerts"),
    )
