"""Forms of the recruiter's interview follow-up (outcome, feedback for one interview). Server-side
limits like every recruiter form; they never read or write the database."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import InterviewOutcome
from portal.recruiter.forms import no_html, opt
from portal.services.feedback import MAX_FEEDBACK
from portal.services.interview_feedback import OUTCOME_LABELS
from portal.web.forms import FlaskForm


def _outcome(value):
    if value in (None, "") or isinstance(value, InterviewOutcome):
        return value or None
    try:
        return InterviewOutcome(value)
    except ValueError:
        return None


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("Outcome"),
        coerce=_outcome,
        choices=[opt("", _l("Choose…"))] + [opt(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validators=[InputRequired(_l("Choose an outcome."))],
    )
    next = HiddenField(validators=[Length(max=500)])

    def validate_outcome(self, field) -> None:
        if not isinstance(field.data, InterviewOutcome):
            raise ValidationError(_("Choose an outcome."))


class InterviewFeedbackForm(FlaskForm):
    body = TextAreaField(
        _l("Feedback for the candidate about this interview (Markdown)"),
        id="interview-feedback-body",
        validators=[DataRequired(_l("Write the feedback first.")), Length(max=MAX_FEEDBACK), no_html],
    )
