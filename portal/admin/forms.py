"""Forms of firm administration. Every field has a server-side length limit; the services
validate again (portal.services.branding / staff) and their messages land on the fields.
Forms never read or write the database."""

from __future__ import annotations

import calendar
from zoneinfo import available_timezones

from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ColorInput, ListWidget

from portal.models import Role, Stage
from portal.models.candidacy import CANDIDATE_STAGE_TEXT
from portal.services import api_keys, branding, setting_values
from portal.services.webhooks import EVENT_TYPES
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms import SelectChoice as _SelectChoice

    def choice(value, label):
        return _SelectChoice(value, label)
except ImportError:  # pragma: no cover - older WTForms

    def choice(value, label):
        return (value, label)


COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", message="Use a colour in the form #rrggbb, for example #1f4e79.")


def _email_field(label: str) -> EmailField:
    return EmailField(label, validators=[Optional(), Length(max=254), Email(check_deliverability=False)])


def _checkbox(form, field) -> None:
    """A checkbox sends "y" (or nothing); any other value is a forged request."""
    if field.raw_data and str(field.raw_data[0]).lower() not in ("y", "on", "true", "1", "yes", "false", ""):
        raise ValidationError("Not a valid choice: tick or untick the box.")


class BrandForm(FlaskForm):
    name = StringField("Firm name", validators=[DataRequired(), Length(max=branding.TEXT_LIMITS["name"])])
    primary_color = StringField(
        "Primary colour", widget=ColorInput(), validators=[DataRequired(), Length(max=7), COLOUR]
    )
    accent_color = StringField("Accent colour", widget=ColorInput(), validators=[DataRequired(), Length(max=7), COLOUR])
    welcome_md = TextAreaField("Welcome text", validators=[Optional(), Length(max=branding.WELCOME_LIMIT)])
    support_email = _email_field("Support email")
    postal_address = StringField(
        "Postal address", validators=[Optional(), Length(max=branding.TEXT_LIMITS["postal_address"])]
    )
    sender_name = StringField(
        "Email sender name", validators=[Optional(), Length(max=branding.TEXT_LIMITS["sender_name"])]
    )
    reply_to = _email_field("Reply-to address")
    reply_domain = StringField("Reply domain", validators=[Optional(), Length(max=253)])
    careers_enabled = BooleanField(
        "Careers site on: a public job board of the searches you advertise", validators=[_checkbox]
    )
    public_figures = BooleanField("Show our figures on the careers site and the sign-in page", validators=[_checkbox])
    privacy_notice_md = TextAreaField(
        "Privacy notice for applicants", validators=[Optional(), Length(max=setting_values.PRIVACY_LIMIT)]
    )
    retention_months = IntegerField(
        "Keep applicants' data for (months)",
        validators=[Optional(), NumberRange(min=1, max=120, message="Enter a whole number from 1 to 120.")],
    )


def _timezone_choices() -> list[tuple[str, str]]:
    return [choice(z, z.replace("_", " ")) for z in sorted(available_timezones()) if "/" in z or z == "UTC"]


class ContactRulesForm(FlaskForm):
    timezone = SelectField("Time zone", validators=[DataRequired()])
    cadence_days = IntegerField(
        "Longest silence for an active candidate (days)",
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["cadence_days"])],
    )
    checkin_weekday = SelectField(
        "Check-in day", coerce=int, choices=[choice(i, calendar.day_name[i]) for i in range(7)]
    )
    checkin_hour = SelectField("Check-in hour", coerce=int, choices=[choice(h, f"{h:02d}:00") for h in range(24)])
    nurture_weeks = IntegerField(
        "Talent-pool update every (weeks)",
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["nurture_weeks"])],
    )
    availability_prompt_weeks = IntegerField(
        "Ask candidates to confirm their availability every (weeks)",
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["availability_prompt_weeks"])],
    )
    reminder_first_hours = IntegerField(
        "First interview reminder (hours before)",
        validators=[Optional(), NumberRange(*branding.INT_RANGES["reminder_first_hours"])],
    )
    reminder_second_hours = IntegerField(
        "Second interview reminder (hours before)",
        validators=[Optional(), NumberRange(*branding.INT_RANGES["reminder_second_hours"])],
    )
    feedback_window_days = IntegerField(
        "Feedback after an interview within (business days)",
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["feedback_window_days"])],
    )
    reply_window_days = IntegerField(
        "Answer a candidate's message within (business days)",
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["reply_window_days"])],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _timezone_choices()
        current = self.timezone.data
        if current and current not in {next(iter(c)) for c in choices} and current in available_timezones():
            choices.insert(0, choice(current, current))  # an older setting stays selectable
        self.timezone.choices = choices


class StageTextForm(Form):
    label = StringField("Label", validators=[Optional(), Length(max=branding.STAGE_LABEL_LIMIT)])
    explanation = TextAreaField("Explanation", validators=[Optional(), Length(max=branding.STAGE_EXPLANATION_LIMIT)])


def stage_form_class():
    """A form with one label + explanation pair per stage (field names are the stage values)."""
    attrs = {s.value: FormField(StageTextForm, label=CANDIDATE_STAGE_TEXT[s][0]) for s in Stage}
    return type("StageLabelsForm", (FlaskForm,), attrs)


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo",
        validators=[
            FileRequired("Choose an image file."),
            FileSize(
                max_size=branding.LOGO_MAX_BYTES,
                message=f"The logo may be at most {branding.LOGO_MAX_BYTES // 1024} KB.",
            ),
        ],
    )


class DomainForm(FlaskForm):
    domain = StringField("Domain", validators=[DataRequired(), Length(max=253)])


class InviteForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    role = SelectField(
        "Role",
        choices=[choice(Role.RECRUITER.value, "Recruiter"), choice(Role.ADMIN.value, "Admin")],
        default=Role.RECRUITER.value,
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[choice(Role.RECRUITER.value, "Recruiter"), choice(Role.ADMIN.value, "Admin")])


class DeactivateForm(FlaskForm):
    reassign_to = SelectField("Hand their searches and candidates to", coerce=int, validate_choice=True)


class EmptyForm(FlaskForm):
    """A POST with nothing but the CSRF token (remove, resend, reactivate)."""


class SsoForm(FlaskForm):
    """The firm's OpenID provider. The client secret is write-only: never filled in from the
    stored value (left empty, the stored secret is kept)."""

    provider_name = StringField("Provider name", validators=[DataRequired(), Length(max=60)])
    issuer = StringField("Issuer URL", validators=[DataRequired(), Length(max=300)])
    client_id = StringField("Client ID", validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField("Client secret", validators=[Optional(), Length(max=500)])
    auto_create = BooleanField("Create a recruiter account at a first sign-in from an allowed domain")
    allowed_domains = StringField("Allowed email domains", validators=[Optional(), Length(max=500)])
    required = BooleanField("Staff must sign in with the provider (passwords refused for staff)")


class TwoFactorPolicyForm(FlaskForm):
    require_two_factor = BooleanField("Require two-factor authentication for every recruiter and admin")


class WebhookForm(FlaskForm):
    """A webhook endpoint: where, what for, which events, whether internal notes go with them
    (portal.services.webhook_endpoints checks the URL again and says what to fix)."""

    url = StringField("URL", validators=[DataRequired(), Length(max=2000)])
    description = StringField("Description", validators=[Optional(), Length(max=200)])
    event_types = SelectMultipleField("Events", choices=[choice(k, k) for k in EVENT_TYPES])
    notes_scope = BooleanField("Include internal notes in the events")


class ApiKeyForm(FlaskForm):
    """A new API key: a name and its scopes (checked again by portal.services.api_keys)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    scopes = SelectMultipleField(
        "Scopes",
        choices=[choice(s, s) for s in api_keys.SCOPES],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message="Choose at least one scope.")],
    )
