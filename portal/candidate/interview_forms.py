"""The candidate's interview forms: pick a proposed time, say none suits (and when they could),
ask to reschedule, decline (each with a reason), and choose the time zone they read times in.
Length limits only: the rules are services/interviews.py's. No database access."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.candidate.forms import choices
from portal.services.interview_choices import MAX_ANSWER
from portal.services.interview_times import zone_names
from portal.web.forms import FlaskForm


class _Answer(FlaskForm):
    sequence = HiddenField()

    def expected(self) -> int:
        try:
            return int(self.sequence.data)
        except (TypeError, ValueError):
            return -1  # a forged or missing value never matches: the page is shown again


class PickForm(_Answer):
    slot = RadioField("Choose a time", coerce=int, validators=[InputRequired("Please choose one of the times.")])


class NoneSuitsForm(_Answer):
    availability = TextAreaField(
        "When could you? (days, times, dates)",
        validators=[DataRequired("Please tell us when you could."), Length(max=MAX_ANSWER)],
    )


class RescheduleForm(_Answer):
    reason = TextAreaField(
        "Why do you need another time?", validators=[DataRequired("Please give a reason."), Length(max=MAX_ANSWER)]
    )
    availability = TextAreaField("When could you instead? (optional)", validators=[Optional(), Length(max=MAX_ANSWER)])


class DeclineForm(_Answer):
    decline_reason = TextAreaField(
        "Why are you declining?", validators=[DataRequired("Please give a reason."), Length(max=MAX_ANSWER)]
    )


class TimezoneForm(FlaskForm):
    timezone = SelectField("Your time zone", validators=[Optional()])

    def __init__(self, *args, firm_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices([("", f"The firm's time zone ({firm_zone})"), *((z, z) for z in zone_names())])
