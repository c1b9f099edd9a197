"""The office-hours form of the recruiter's office-hours page (portal/recruiter/office_hours.py):
times are picked from lists (every 15 minutes), so a hostile value can only be refused, never
parsed into something odd; the rules themselves are portal/services/office_hours.py's."""

from __future__ import annotations

from zoneinfo import available_timezones

from babel.dates import get_day_names
from flask_babel import LazyString, get_locale
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from portal.i18n import lazy as _l
from portal.i18n import ngettext
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


FORMATS = [choice(f.value, LazyString(lambda f=f: str(FORMAT_WORDS[f]))) for f in InterviewFormat]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class OfficeHoursForm(FlaskForm):
    # The day names and the conversation lengths are the reader's words: set per form (__init__).
    weekday = SelectField(_l("Day"), coerce=int, choices=[choice(i, str(i)) for i in range(7)])
    start_minute = SelectField(_l("From"), coerce=int, choices=[choice(m, _clock(m)) for m in range(0, 24 * 60, 15)])
    end_minute = SelectField(
        _l("Until"), coerce=int, choices=[choice(m, _clock(m)) for m in range(15, 24 * 60 + 1, 15)]
    )
    slot_minutes = SelectField(
        _l("Each conversation lasts"), coerce=int, choices=[choice(m, str(m)) for m in office_hours.SLOT_LENGTHS]
    )
    timezone = SelectField(_l("Time zone"), validators=[InputRequired()])
    format = SelectField(_l("How"), choices=FORMATS)
    location = StringField(
        _l("Video link, phone arrangement or address"), validators=[Optional(), Length(max=office_hours.LOCATION_LIMIT)]
    )
    note = StringField(_l("A note for candidates"), validators=[Optional(), Length(max=office_hours.NOTE_LIMIT)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = get_day_names("wide", context="stand-alone", locale=get_locale() or "en")  # 0 is Monday, as in `weekday`
        self.weekday.choices = [choice(i, days[i]) for i in range(7)]
        self.slot_minutes.choices = [
            choice(m, ngettext("%(num)d minute", "%(num)d minutes", m)) for m in office_hours.SLOT_LENGTHS
        ]
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
