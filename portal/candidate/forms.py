"""Candidate portal forms. Every text field has a server-side length limit; control
characters (a NUL byte breaks PostgreSQL) are stripped from every value. Forms never read or
write the database: the services check again. Labels, choices and messages are lazy
translations (portal/i18n.py): read in the language of the page that shows them."""

from __future__ import annotations

import re

from flask_babel import lazy_ngettext
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

from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import EmploymentStatus, JobSeeking, RemotePreference, SuggestionFrequency
from portal.models.candidate import EMPLOYMENT_LABELS, JOB_SEEKING_LABELS, REMOTE_LABELS, SUGGESTION_LABELS
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
    return Length(
        max=n,
        message=lazy_ngettext("Please use at most %(num)d character.", "Please use at most %(num)d characters.", n),
    )


class CandidateForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [*unbound_field.kwargs.get("filters", ()), _clean]
            return unbound_field.bind(form=form, filters=filters, **options)


VALID_EMAIL = _l("Please give a valid email address.")
CHOOSE_ONE = _l("Please choose one.")


class ProfileForm(CandidateForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please give your name.")), _max(120)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please give your email address.")),
            _max(254),
            Email(VALID_EMAIL, check_deliverability=False),
        ],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), _max(40)])
    # Translators: a profile field: the candidate's current job title.
    headline = StringField(_l("Current role"), validators=[Optional(), _max(200)])
    # Translators: a profile field: the city or region the candidate lives in.
    location = StringField(_l("Where you live"), validators=[Optional(), _max(120)])
    job_seeking = RadioField(
        _l("Are you looking for a new job?"),
        choices=choices((j.value, JOB_SEEKING_LABELS[j.value]) for j in JobSeeking),
        validators=[InputRequired(CHOOSE_ONE)],
    )
    available_from = DateField(_l("Available from"), validators=[Optional()])
    notice_weeks = IntegerField(
        _l("Notice period (weeks)"),
        validators=[Optional(), NumberRange(0, 52, _l("Please give a number of weeks between 0 and 52."))],
    )
    employment_status = SelectField(
        _l("Current situation"),
        choices=choices(
            [("", _l("Prefer not to say"))] + [(e.value, EMPLOYMENT_LABELS[e.value]) for e in EmploymentStatus]
        ),
    )
    desired_roles = StringField(_l("Roles you want"), validators=[Optional(), _max(300)])
    desired_locations = StringField(_l("Where you would work"), validators=[Optional(), _max(300)])
    remote_preference = SelectField(
        _l("Remote work"), choices=choices((r.value, REMOTE_LABELS[r.value]) for r in RemotePreference)
    )
    pay_expectation = IntegerField(
        _l("Pay expectation (yearly)"),
        validators=[Optional(), NumberRange(0, MAX_PAY, _l("Please give a yearly amount as a whole number."))],
    )
    pay_currency = SelectField(_l("Currency"), choices=choices((c, c) for c in CURRENCIES))
    summary = TextAreaField(_l("About you"), validators=[Optional(), _max(2000)])
    skills = StringField(_l("Skills"), validators=[Optional(), _max(1000)])

    def skill_list(self) -> list[str]:
        return [s for s in (self.skills.data or "").split(",") if s.strip()]


class CVForm(CandidateForm):
    # Its own id: "cv" is the id of the page section the form sits in (profile.html).
    cv = FileField(_l("Your CV (PDF or Word .docx, up to 5 MB)"), id="cv-file")


class ConfirmForm(CandidateForm):
    """A button only (CSRF)."""


class ConsentForm(CandidateForm):
    comment = TextAreaField(_l("Comment for your recruiter (optional)"), validators=[Optional(), _max(2000)])
    # Translators: a button: the candidate agrees that their profile (CV) goes to the client.
    approve = SubmitField(_l("Yes, send my profile"))
    # Translators: a button: the candidate refuses that their profile (CV) goes to the client.
    decline = SubmitField(_l("No, do not send it"))


class UpdateForm(CandidateForm):
    choice = RadioField(
        _l("What would you like to tell us?"),
        choices=choices(UPDATE_CHOICES.items()),
        validators=[InputRequired(CHOOSE_ONE)],
    )
    text = TextAreaField(_l("Message (optional)"), validators=[Optional(), _max(1000)])


def _optional_id(value):
    """'' -> None; digits -> int; anything else -> -1 (refused by the form's own check)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 12 else -1


class ReferralForm(CandidateForm):
    # Translators: a referral form: the name of the person the candidate recommends.
    name = StringField(_l("Their name"), validators=[DataRequired(_l("Please give their name.")), _max(120)])
    email = EmailField(
        # Translators: a referral form: the email address of the person the candidate recommends.
        _l("Their email"),
        validators=[
            DataRequired(_l("Please give their email address.")),
            _max(254),
            Email(VALID_EMAIL, check_deliverability=False),
        ],
    )
    note = TextAreaField(_l("Why they would be good (optional)"), validators=[Optional(), _max(1000)])
    search_id = SelectField(_l("For a role (optional)"), coerce=_optional_id, validate_choice=False)

    def validate_search_id(self, field):
        allowed = {c.value if hasattr(c, "value") else c[0] for c in field.choices}
        if field.data is not None and field.data not in allowed:
            raise ValidationError(_("Please choose one of the roles listed."))


class PreferencesForm(CandidateForm):
    suggestion_frequency = RadioField(
        _l("Roles that may fit you"),
        choices=choices((f.value, SUGGESTION_LABELS[f.value]) for f in SuggestionFrequency),
        validators=[InputRequired(CHOOSE_ONE)],
    )
    allow_availability_prompts = BooleanField(_l("Ask me now and then whether my availability is still right"))
    unsubscribed_all = BooleanField(_l("Unsubscribe me from all optional emails"))
    checkin_emails = BooleanField(_l("Email me the regular check-ins on my searches"))
    survey_emails = BooleanField(_l("Ask me now and then how well you kept me informed"))


class LanguageForm(CandidateForm):
    """The language of the candidate's pages and emails, among the firm's (choices set by the view)."""

    # Its own id: the footer's language switcher has one too (portal/templates/_language_switcher.html).
    language = SelectField(_l("Language"), id="language-setting", validators=[InputRequired(CHOOSE_ONE)])


class DeleteAccountForm(CandidateForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Please enter your password.")), _max(200)]
    )
    confirm = BooleanField(
        _l("I understand that this deletes my account and cannot be undone"),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )


def _plain_text(form, field) -> None:
    if isinstance(field.data, str) and has_html(field.data):
        raise ValidationError(_("Please write plain text, without HTML tags such as <script> or <b>."))


class ConversationForm(CandidateForm):
    """A message to the firm (the conversation's write box), with up to five files."""

    body = TextAreaField(
        _l("Your message"), id="write-body", validators=[_max(10_000), _plain_text], render_kw={"rows": 5}
    )
    files = MultipleFileField(_l("Attach files (optional)"), id="write-files")
    in_reply_to = IntegerField(widget=HiddenInput(), validators=[Optional()])
    candidacy_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    next = StringField(widget=HiddenInput(), validators=[Optional(), _max(500)])
