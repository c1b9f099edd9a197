"""Forms of the recruiter's interview follow-up (outcome, feedback for one interview). Server-side
limits like every recruiter form; they never read or write the database."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

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
        "Outcome",
        coerce=_outcome,
        choices=[opt("", "Choose…")] + [opt(o.value, label) for o, label in OUTCOME_LABELS.items()],
        validators=[InputRequired("Choose an outcome.")],
    )
    next = HiddenField(validators=[Length(max=500)])

    def validate_outcome(self, field) -> None:
        if not isinstance(field.data, InterviewOutcome):
            raise ValidationError("Choose an outcome.")


class InterviewFeedbackForm(FlaskForm):
    body = TextAreaField(
        "Feedback for the candidate about this interview (Markdown)",
        id="interview-feedback-body",
        validators=[DataRequired("Write the feedback first."), Length(max=MAX_FEEDBACK), no_html],
    )
