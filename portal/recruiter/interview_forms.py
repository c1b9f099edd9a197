"""The recruiter's interview forms: the details (kind, round, format, where, duration, the zone it
is held in, who the candidate meets, notes) and the time (a fixed time, or 2-10 proposed slots,
typed as wall-clock times in that zone). Length limits and no HTML here; the rules (future times,
a video link, a confidential client's name) are services/interviews.py's. No database access."""

from __future__ import annotations

from flask_babel import LazyString
from wtforms import (
    DateTimeLocalField,
    FieldList,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.i18n import lazy as _l
from portal.models.interview import InterviewFormat
from portal.recruiter.forms import no_html, opt
from portal.services import interviews
from portal.services.interview_messages import KIND_LABELS
from portal.services.interview_times import zone_names
from portal.web.forms import FlaskForm

TIME_FORMAT = "%Y-%m-%dT%H:%M"
FORMAT_CHOICES = [
    opt(InterviewFormat.VIDEO.value, _l("Video call")),
    opt(InterviewFormat.PHONE.value, _l("Phone call")),
    opt(InterviewFormat.ON_SITE.value, _l("On site")),
]
MODE_CHOICES = [opt("fixed", _l("A fixed time")), opt("slots", _l("Proposed times: the candidate picks one"))]
BAD_TIME = _l("Please give a date and a time (e.g. 2026-10-26 09:00).")


def _times_fields(cls):
    cls.mode = RadioField(_l("When"), choices=MODE_CHOICES, default="fixed", validators=[InputRequired()])
    cls.starts_at = DateTimeLocalField(
        _l("Fixed time"), format=TIME_FORMAT, validators=[Optional()], render_kw={"step": 300}
    )
    cls.slots = FieldList(
        DateTimeLocalField(_l("Proposed time"), format=TIME_FORMAT, validators=[Optional()], render_kw={"step": 300}),
        min_entries=interviews.MAX_SLOTS,
        max_entries=interviews.MAX_SLOTS,
    )
    return cls


class DetailsForm(FlaskForm):
    sequence = HiddenField()
    kind = SelectField(
        _l("Kind"),
        choices=[opt(k.value, LazyString(lambda k=k: str(KIND_LABELS[k]))) for k in interviews.CANDIDACY_KINDS],
    )
    round = IntegerField(
        _l("Round"), default=1, validators=[InputRequired(), NumberRange(min=1, max=interviews.MAX_ROUND)]
    )
    format = SelectField(_l("Format"), choices=FORMAT_CHOICES)
    location = StringField(
        _l("Video link, address or phone arrangement"), validators=[Length(max=interviews.MAX_LOCATION), no_html]
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=interviews.MIN_MINUTES, max=interviews.MAX_MINUTES)],
    )
    timezone = SelectField(_l("Held in time zone"))
    attendees = TextAreaField(_l("Who the candidate meets"), validators=[Length(max=3000), no_html])
    candidate_notes = TextAreaField(
        _l("What to prepare (the candidate reads this)"), validators=[Length(max=10_000), no_html]
    )
    internal_notes = TextAreaField(_l("Internal notes"), validators=[Length(max=10_000), no_html])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [opt(z, z) for z in zone_names()]

    def attendee_rows(self) -> list[dict]:
        """One person per line: "Name, Title" (or "Name - Title")."""
        rows = []
        for line in (self.attendees.data or "").splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in (",", " - ", " – ", " — "):
                if sep in line:
                    name, title = line.split(sep, 1)
                    break
            else:
                name, title = line, ""
            rows.append({"name": name.strip(), "title": title.strip()})
        return rows

    def details(self) -> interviews.Details:
        return interviews.Details(
            kind=interviews.InterviewKind(self.kind.data),
            format=InterviewFormat(self.format.data),
            timezone=self.timezone.data,
            round=self.round.data or 0,
            duration_minutes=self.duration_minutes.data or 0,
            location=self.location.data,
            attendees=self.attendee_rows(),
            candidate_notes_md=self.candidate_notes.data or "",
            internal_notes=self.internal_notes.data or "",
        )


@_times_fields
class ScheduleForm(DetailsForm):
    """A new interview: its details and its time."""

    def times(self) -> dict:
        return times_of(self)


@_times_fields
class MoveForm(FlaskForm):
    """A new time (or new proposed slots) for an interview."""

    sequence = HiddenField()

    def times(self) -> dict:
        return times_of(self)


class SequenceForm(FlaskForm):
    """A button on an interview (cancel, handled): the sequence the recruiter saw."""

    sequence = HiddenField()


def times_of(form) -> dict:
    """The service's keyword arguments for the time the form gives."""
    if form.mode.data == "slots":
        return {"slots": [f.data for f in form.slots if f.data is not None]}
    return {"starts_at": form.starts_at.data}


def sequence_of(form) -> int | None:
    try:
        return int(form.sequence.data)
    except (TypeError, ValueError):
        return None
