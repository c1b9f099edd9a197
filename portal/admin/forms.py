"""Forms of firm administration. Every field has a server-side length limit; the services
validate again (portal.services.branding / staff) and their messages land on the fields.
Forms never read or write the database."""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

from babel.dates import format_time, get_day_names
from flask_babel import get_locale
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

from portal.i18n import LANGUAGES
from portal.i18n import lazy as _l
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


COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", message=_l("Use a colour in the form #rrggbb, for example #1f4e79."))


def _email_field(label) -> EmailField:
    return EmailField(label, validators=[Optional(), Length(max=254), Email(check_deliverability=False)])


def _checkbox(form, field) -> None:
    """A checkbox sends "y" (or nothing); any other value is a forged request."""
    if field.raw_data and str(field.raw_data[0]).lower() not in ("y", "on", "true", "1", "yes", "false", ""):
        raise ValidationError(_l("Not a valid choice: tick or untick the box."))


class BrandForm(FlaskForm):
    name = StringField(_l("Firm name"), validators=[DataRequired(), Length(max=branding.TEXT_LIMITS["name"])])
    primary_color = StringField(
        _l("Primary colour"), widget=ColorInput(), validators=[DataRequired(), Length(max=7), COLOUR]
    )
    accent_color = StringField(
        _l("Accent colour"), widget=ColorInput(), validators=[DataRequired(), Length(max=7), COLOUR]
    )
    welcome_md = TextAreaField(_l("Welcome text"), validators=[Optional(), Length(max=branding.WELCOME_LIMIT)])
    support_email = _email_field(_l("Support email"))
    postal_address = StringField(
        _l("Postal address"), validators=[Optional(), Length(max=branding.TEXT_LIMITS["postal_address"])]
    )
    sender_name = StringField(
        _l("Email sender name"), validators=[Optional(), Length(max=branding.TEXT_LIMITS["sender_name"])]
    )
    reply_to = _email_field(_l("Reply-to address"))
    reply_domain = StringField(_l("Reply domain"), validators=[Optional(), Length(max=253)])
    careers_enabled = BooleanField(
        _l("Careers site on: a public job board of the searches you advertise"), validators=[_checkbox]
    )
    public_figures = BooleanField(
        _l("Show our figures on the careers site and the sign-in page"), validators=[_checkbox]
    )
    privacy_notice_md = TextAreaField(
        _l("Privacy notice for applicants"), validators=[Optional(), Length(max=setting_values.PRIVACY_LIMIT)]
    )
    retention_months = IntegerField(
        _l("Keep applicants' data for (months)"),
        validators=[Optional(), NumberRange(min=1, max=120, message=_l("Enter a whole number from 1 to 120."))],
    )


def _timezone_choices() -> list[tuple[str, str]]:
    return [choice(z, z.replace("_", " ")) for z in sorted(available_timezones()) if "/" in z or z == "UTC"]


class ContactRulesForm(FlaskForm):
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    cadence_days = IntegerField(
        _l("Longest silence for an active candidate (days)"),
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["cadence_days"])],
    )
    checkin_weekday = SelectField(_l("Check-in day"), coerce=int)
    checkin_hour = SelectField(_l("Check-in hour"), coerce=int)
    nurture_weeks = IntegerField(
        _l("Talent-pool update every (weeks)"),
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["nurture_weeks"])],
    )
    availability_prompt_weeks = IntegerField(
        _l("Ask candidates to confirm their availability every (weeks)"),
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["availability_prompt_weeks"])],
    )
    reminder_first_hours = IntegerField(
        _l("First interview reminder (hours before)"),
        validators=[Optional(), NumberRange(*branding.INT_RANGES["reminder_first_hours"])],
    )
    reminder_second_hours = IntegerField(
        _l("Second interview reminder (hours before)"),
        validators=[Optional(), NumberRange(*branding.INT_RANGES["reminder_second_hours"])],
    )
    feedback_window_days = IntegerField(
        _l("Feedback after an interview within (business days)"),
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["feedback_window_days"])],
    )
    reply_window_days = IntegerField(
        _l("Answer a candidate's message within (business days)"),
        validators=[InputRequired(), NumberRange(*branding.INT_RANGES["reply_window_days"])],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _timezone_choices()
        current = self.timezone.data
        if current and current not in {next(iter(c)) for c in choices} and current in available_timezones():
            choices.insert(0, choice(current, current))  # an older setting stays selectable
        self.timezone.choices = choices
        self.checkin_weekday.choices = [choice(i, name) for i, name in enumerate(weekday_names())]
        self.checkin_hour.choices = [choice(h, hour_name(h)) for h in range(24)]


def weekday_names() -> list[str]:
    """Monday to Sunday in the page's language ("Monday", "Montag")."""
    names = get_day_names("wide", locale=get_locale() or "en")
    return [str(names[i]) for i in range(7)]


def hour_name(hour: int) -> str:
    """A whole hour in the page's language ("2:00 PM", "14:00")."""
    return format_time(time(hour, 0), "short", locale=get_locale() or "en")


class StageTextForm(Form):
    label = StringField(_l("Label"), validators=[Optional(), Length(max=branding.STAGE_LABEL_LIMIT)])
    explanation = TextAreaField(
        _l("Explanation"), validators=[Optional(), Length(max=branding.STAGE_EXPLANATION_LIMIT)]
    )


def stage_form_class():
    """A form with one label + explanation pair per stage (field names are the stage values)."""
    attrs = {s.value: FormField(StageTextForm, label=CANDIDATE_STAGE_TEXT[s][0]) for s in Stage}
    return type("StageLabelsForm", (FlaskForm,), attrs)


class LogoForm(FlaskForm):
    logo = FileField(
        _l("Logo"),
        validators=[
            FileRequired(_l("Choose an image file.")),
            FileSize(
                max_size=branding.LOGO_MAX_BYTES,
                message=_l("The logo may be at most %(kb)d KB.", kb=branding.LOGO_MAX_BYTES // 1024),
            ),
        ],
    )


class DomainForm(FlaskForm):
    domain = StringField(_l("Domain"), validators=[DataRequired(), Length(max=253)])


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    role = SelectField(
        _l("Role"),
        choices=[choice(Role.RECRUITER.value, _l("Recruiter")), choice(Role.ADMIN.value, _l("Admin"))],
        default=Role.RECRUITER.value,
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=[choice(Role.RECRUITER.value, _l("Recruiter")), choice(Role.ADMIN.value, _l("Admin"))]
    )


class DeactivateForm(FlaskForm):
    reassign_to = SelectField(_l("Hand their searches and candidates to"), coerce=int, validate_choice=True)


class EmptyForm(FlaskForm):
    """A POST with nothing but the CSRF token (remove, resend, reactivate)."""


class SsoForm(FlaskForm):
    """The firm's OpenID provider. The client secret is write-only: never filled in from the
    stored value (left empty, the stored secret is kept)."""

    provider_name = StringField(_l("Provider name"), validators=[DataRequired(), Length(max=60)])
    issuer = StringField(_l("Issuer URL"), validators=[DataRequired(), Length(max=300)])
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField(_l("Client secret"), validators=[Optional(), Length(max=500)])
    auto_create = BooleanField(_l("Create a recruiter account at a first sign-in from an allowed domain"))
    allowed_domains = StringField(_l("Allowed email domains"), validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("Staff must sign in with the provider (passwords refused for staff)"))


class TwoFactorPolicyForm(FlaskForm):
    require_two_factor = BooleanField(_l("Require two-factor authentication for every recruiter and admin"))


class WebhookForm(FlaskForm):
    """A webhook endpoint: where, what for, which events, whether internal notes go with them
    (portal.services.webhook_endpoints checks the URL again and says what to fix)."""

    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    event_types = SelectMultipleField(_l("Events"), choices=[choice(k, k) for k in EVENT_TYPES])
    notes_scope = BooleanField(_l("Include internal notes in the events"))


class ApiKeyForm(FlaskForm):
    """A new API key: a name and its scopes (checked again by portal.services.api_keys)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[choice(s, s) for s in api_keys.SCOPES],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Choose at least one scope."))],
    )


class LanguagesForm(FlaskForm):
    """The firm's default language and the ones it offers (portal.services.firm_languages checks
    the codes and says what to fix: a code Portal has no translation for is refused there)."""

    default_language = SelectField(_l("Default language"), validate_choice=False)
    languages = SelectMultipleField(
        _l("Languages offered"),
        validate_choice=False,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [choice(code, lang.name) for code, lang in LANGUAGES.items()]
        self.default_language.choices = names
        self.languages.choices = list(names)


def language_texts_form_class():
    """The firm's texts in one language other than its default: the welcome text, the privacy
    notice and the stage wording (one label + explanation per stage; field names are the stage
    values), with the same limits as the default-language fields."""
    attrs = {
        "welcome_md": TextAreaField(_l("Welcome text"), validators=[Optional(), Length(max=branding.WELCOME_LIMIT)]),
        "privacy_notice_md": TextAreaField(
            _l("Privacy notice for applicants"), validators=[Optional(), Length(max=setting_values.PRIVACY_LIMIT)]
        ),
    }
    attrs.update({s.value: FormField(StageTextForm, label=CANDIDATE_STAGE_TEXT[s][0]) for s in Stage})
    return type("LanguageTextsForm", (FlaskForm,), attrs)
