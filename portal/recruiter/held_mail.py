"""Held email: replies by email that were not posted on their own (portal.services.held_mail),
for the firm's staff to post to the right candidate's conversation or to discard."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from wtforms import EmailField
from wtforms.validators import Length, Optional

from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.recruiter.blueprint import bp
from portal.services import held_mail
from portal.tenancy import current_firm
from portal.web.actions import actor, flash_outcome, submit
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)


class PostHeldForm(FlaskForm):
    candidate_email = EmailField(_l("Candidate's email address"), validators=[Optional(), Length(max=254)])


class DiscardHeldForm(FlaskForm):
    """Only the CSRF token: the held email is in the URL."""


@bp.route("/held-mail")
def held_mail_list():
    rows, named = held_mail.open_mail(current_firm)
    return render_template("recruiter/held_mail.html", rows=rows, named=named, reasons=held_mail.REASONS)


@bp.route("/held-mail/<int:held_id>/post", methods=["POST"])
def held_mail_post(held_id: int):
    form = PostHeldForm()
    out = submit(form, lambda: held_mail.post_held(current_firm, actor(), held_id, form.candidate_email.data or ""))
    flash_outcome(out, _("Posted to the candidate's conversation."), _("Not posted"))
    return redirect(url_for("recruiter.held_mail_list"))


@bp.route("/held-mail/<int:held_id>/discard", methods=["POST"])
def held_mail_discard(held_id: int):
    out = submit(DiscardHeldForm(), lambda: held_mail.discard_held(current_firm, actor(), held_id))
    flash_outcome(out, _("The email was discarded."), _("Not discarded"))
    return redirect(url_for("recruiter.held_mail_list"))
