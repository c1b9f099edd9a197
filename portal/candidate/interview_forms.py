"""The candidate's interview forms: pick a proposed time, say none suits (and when they could),
ask to reschedule, decline (each with a reason), and choose the time zone they read times in.
Length limits only: the rules are services/interviews.py's. No database access."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.candidate.forms import choices
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
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
    slot = RadioField(
        _l("Choose a time"), coerce=int, validators=[InputRequired(_l("Please choose one of the times."))]
    )


class NoneSuitsForm(_Answer):
    availability = TextAreaField(
        _l("When could you? (days, times, dates)"),
        validators=[DataRequired(_l("Please tell us when you could.")), Length(max=MAX_ANSWER)],
    )


class RescheduleForm(_Answer):
    reason = TextAreaField(
        _l("Why do you need another time?"),
        validators=[DataRequired(_l("Please give a reason.")), Length(max=MAX_ANSWER)],
    )
    availability = TextAreaField(
        _l("When could you instead? (optional)"), validators=[Optional(), Length(max=MAX_ANSWER)]
    )


class DeclineForm(_Answer):
    decline_reason = TextAreaField(
        _l("Why are you declining?"), validators=[DataRequired(_l("Please give a reason.")), Length(max=MAX_ANSWER)]
    )


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("Your time zone"), validators=[Optional()])

    def __init__(self, *args, firm_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        firm_default = _("The firm's time zone (%(zone)s)", zone=firm_zone)
        self.timezone.choices = choices([("", firm_default), *((z, z) for z in zone_names())])
