"""Candidate portal forms. Every text field has a server-side length limit; control
characters (a NUL byte breaks PostgreSQL) are stripped from every value. Forms never read or
write the database: the services check again."""

from __future__ import annotations

import re

from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.models import EmploymentStatus, JobSeeking, RemotePreference
from portal.services.availability import CURRENCIES, MAX_PAY
from portal.services.keep_in_touch import UPDATE_CHOICES
from portal.services.text import has_html
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)

try:  # WTForms 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _Choice
except ImportError:  # pragma: no cover - older WTForms

    def _Choice(value, label):  # noqa: N802
        return (value, label)


def choices(pairs) -> list:
    return [_Choice(value, label) for value, label in pairs]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value):
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return value


def _max(n: int) -> Length:
    return Length(max=n, message=f"Please use at most {n} characters.")


class CandidateForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _clean]
            return unbound_field.bind(form=form, filters=filters, **options)


class ProfileForm(CandidateForm):
    name = StringField("Your name", validators=[DataRequired("Please give your name."), _max(120)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Please give your email address."),
            _max(254),
            Email("Please give a valid email address.", check_deliverability=False),
        ],
    )
    phone = StringField("Phone", validators=[Optional(), _max(40)])
    headline = StringField("Current role", validators=[Optional(), _max(200)])
    location = StringField("Where you live", validators=[Optional(), _max(120)])
    job_seeking = RadioField(
        "Are you looking for a new job?",
        choices=choices((j.value, j.label) for j in JobSeeking),
        validators=[InputRequired("Please choose one.")],
    )
    available_from = DateField("Available from", validators=[Optional()])
    notice_weeks = IntegerField(
        "Notice period (weeks)",
        validators=[Optional(), NumberRange(0, 52, "Please give a number of weeks between 0 and 52.")],
    )
    employment_status = SelectField(
        "Current situation",
        choices=choices([("", "Prefer not to say")] + [(e.value, e.label) for e in EmploymentStatus]),
    )
    desired_roles = StringField("Roles you want", validators=[Optional(), _max(300)])
    desired_locations = StringField("Where you would work", validators=[Optional(), _max(300)])
    remote_preference = SelectField("Remote work", choices=choices((r.value, r.label) for r in RemotePreference))
    pay_expectation = IntegerField(
        "Pay expectation (yearly)",
        validators=[Optional(), NumberRange(0, MAX_PAY, "Please give a yearly amount as a whole number.")],
    )
    pay_currency = SelectField("Currency", choices=choices((c, c) for c in CURRENCIES))
    summary = TextAreaField("About you", validators=[Optional(), _max(2000)])
    skills = StringField("Skills", validators=[Optional(), _max(1000)])

    def skill_list(self) -> list[str]:
        return [s for s in (self.skills.data or "").split(",") if s.strip()]


class CVForm(CandidateForm):
    # Its own id: "cv" is the id of the page section the form sits in (profile.html).
    cv = FileField("Your CV (PDF or Word .docx, up to 5 MB)", id="cv-file")


class ConfirmForm(CandidateForm):
    """A button only (CSRF)."""


class ConsentForm(CandidateForm):
    comment = TextAreaField("Comment for your recruiter (optional)", validators=[Optional(), _max(2000)])
    approve = SubmitField("Yes, send my profile")
    decline = SubmitField("No, do not send it")


class UpdateForm(CandidateForm):
    choice = RadioField(
        "What would you like to tell us?",
        choices=choices(UPDATE_CHOICES.items()),
        validators=[InputRequired("Please choose one.")],
    )
    text = TextAreaField("Message (optional)", validators=[Optional(), _max(1000)])


def _optional_id(value):
    """'' -> None; digits -> int; anything else -> -1 (refused by the form's own check)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 12 else -1


class ReferralForm(CandidateForm):
    name = StringField("Their name", validators=[DataRequired("Please give their name."), _max(120)])
    email = EmailField(
        "Their email",
        validators=[
            DataRequired("Please give their email address."),
            _max(254),
            Email("Please give a valid email address.", check_deliverability=False),
        ],
    )
    note = TextAreaField("Why they would be good (optional)", validators=[Optional(), _max(1000)])
    search_id = SelectField("For a role (optional)", coerce=_optional_id, validate_choice=False)

    def validate_search_id(self, field):
        allowed = {c.value if hasattr(c, "value") else c[0] for c in field.choices}
        if field.data is not None and field.data not in allowed:
            raise ValidationError("Please choose one of the roles listed.")


class PreferencesForm(CandidateForm):
    suggestion_frequency = RadioField(
        "Roles that may fit you",
        choices=choices([("weekly", "Weekly"), ("monthly", "Monthly"), ("never", "Never")]),
        validators=[InputRequired("Please choose one.")],
    )
    allow_availability_prompts = BooleanField("Ask me now and then whether my availability is still right")
    unsubscribed_all = BooleanField("Unsubscribe me from all optional emails")
    checkin_emails = BooleanField("Email me the regular check-ins on my searches")
    survey_emails = BooleanField("Ask me now and then how well you kept me informed")


class DeleteAccountForm(CandidateForm):
    password = PasswordField("Your password", validators=[DataRequired("Please enter your password."), _max(200)])
    confirm = BooleanField(
        "I understand that this deletes my account and cannot be undone",
        validators=[DataRequired("Please tick the box to confirm.")],
    )


def _plain_text(form, field) -> None:
    if isinstance(field.data, str) and has_html(field.data):
        raise ValidationError("Please write plain text, without HTML tags such as <script> or <b>.")


class ConversationForm(CandidateForm):
    """A message to the firm (the conversation's write box), with up to five files."""

    body = TextAreaField("Your message", id="write-body", validators=[_max(10_000), _plain_text], render_kw={"rows": 5})
    files = MultipleFileField("Attach files (optional)", id="write-files")
    in_reply_to = IntegerField(widget=HiddenInput(), validators=[Optional()])
    candidacy_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    next = StringField(widget=HiddenInput(), validators=[Optional(), _max(500)])
