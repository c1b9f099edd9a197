"""The office-hours form of the recruiter's office-hours page (portal/recruiter/office_hours.py):
times are picked from lists (every 15 minutes), so a hostile value can only be refused, never
parsed into something odd; the rules themselves are portal/services/office_hours.py's."""

from __future__ import annotations

import calendar
from zoneinfo import available_timezones

from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.models.interview import InterviewFormat
from portal.services import office_hours
from portal.services.interview_words import FORMAT_WORDS
from portal.web.forms import FlaskForm

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _SelectChoice

    def choice(value, label):
        return _SelectChoice(value, label)
except ImportError:  # pragma: no cover - older WTForms

    def choice(value, label):
        return (value, label)


FORMATS = [choice(f.value, FORMAT_WORDS[f]) for f in InterviewFormat]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class OfficeHoursForm(FlaskForm):
    weekday = SelectField("Day", coerce=int, choices=[choice(i, calendar.day_name[i]) for i in range(7)])
    start_minute = SelectField("From", coerce=int, choices=[choice(m, _clock(m)) for m in range(0, 24 * 60, 15)])
    end_minute = SelectField("Until", coerce=int, choices=[choice(m, _clock(m)) for m in range(15, 24 * 60 + 1, 15)])
    slot_minutes = SelectField(
        "Each conversation lasts", coerce=int, choices=[choice(m, f"{m} minutes") for m in office_hours.SLOT_LENGTHS]
    )
    timezone = SelectField("Time zone", validators=[InputRequired()])
    format = SelectField("How", choices=FORMATS)
    location = StringField(
        "Video link, phone arrangement or address", validators=[Optional(), Length(max=office_hours.LOCATION_LIMIT)]
    )
    note = StringField("A note for candidates", validators=[Optional(), Length(max=office_hours.NOTE_LIMIT)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
        self.timezone.choices = [choice(z, z.replace("_", " ")) for z in zones]

    def values(self) -> office_hours.Values:
        return office_hours.clean(
            self.weekday.data,
            self.start_minute.data,
            self.end_minute.data,
            self.slot_minutes.data,
            self.timezone.data,
            self.format.data,
            self.location.data,
            self.note.data,
        )
