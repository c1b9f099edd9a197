"""Job alerts on the careers site: subscribe (double opt-in), confirm, one-click unsubscribe.

Thin: the rules live in portal.services.job_alerts. Subscribing is rate-limited per visitor
address and per email address, has a honeypot field and CSRF, and always answers with the same
page (no enumeration; a filled honeypot writes nothing). Only the form page sets a cookie (the
CSRF session): the confirm and unsubscribe pages are reached from an email and their buttons
carry no CSRF token (the unguessable token in the link is the proof; RFC 8058 one-click POSTs
carry none either), and GET never changes anything, so a link scanner confirms nothing."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for

from portal.careers.alert_forms import AlertForm
from portal.careers.blueprint import bp
from portal.extensions import csrf, limiter
from portal.services import NotFound, job_alerts
from portal.services.accounts import normalise_email
from portal.web.actions import run, status


def _ip_limit() -> str:
    return current_app.config["RATELIMIT_ALERTS"]


def _email_limit() -> str:
    return current_app.config["RATELIMIT_ALERTS_EMAIL"]


def _email_key() -> str:
    firm = g.get("firm")
    return f"job-alert:{firm.id if firm else '-'}:{normalise_email(request.form.get('email', ''))[:254]}"


@bp.route("/alerts", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=_email_key)
def alerts():
    """The form; a link may fill in the criteria (`?keywords=...&location=...&remote=...`, e.g.
    "Email me jobs like these" on the job board's filters)."""
    form = AlertForm() if request.method == "POST" else AlertForm(formdata=request.args or None)
    if form.validate_on_submit():
        if not form.website.data:  # the honeypot: a bot gets the same answer and nothing is written
            data = form.email.data, form.keywords.data, form.location.data, form.remote.data
            run(lambda: job_alerts.subscribe(g.firm, *data))
        return redirect(url_for("careers.alerts_sent"), code=303)
    return render_template("careers/alerts.html", form=form), status(form)


@bp.route("/alerts/sent")
def alerts_sent():
    return render_template("careers/alerts_sent.html", days=current_app.config["JOB_ALERT_CONFIRM_DAYS"])


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt
def alert_confirm(token: str):
    """GET shows a button; only the POST confirms (once)."""
    try:
        alert = job_alerts.pending_alert(g.firm, token)
    except NotFound:
        return render_template("careers/alert_link_invalid.html"), 404
    if request.method == "POST":
        alert = run(lambda: job_alerts.confirm(g.firm, token))
        return render_template("careers/alert_confirmed.html", alert=alert)
    return render_template("careers/alert_confirm.html", alert=alert, token=token)


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def alert_unsubscribe(token: str):
    """GET shows a button; the POST (the button, or a mail provider's one-click) unsubscribes."""
    try:
        alert = job_alerts.alert_for_unsubscribe(g.firm, token)
    except NotFound:
        return render_template("careers/alert_link_invalid.html"), 404
    if request.method == "POST":
        alert = run(lambda: job_alerts.unsubscribe(g.firm, token))
        return render_template("careers/alert_unsubscribed.html", alert=alert)
    return render_template("careers/alert_unsubscribe.html", alert=alert, token=token)
