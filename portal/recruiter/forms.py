"""Forms of the recruiter backend. Every field has a server-side length limit; single-line
text refuses HTML. The services check the same rules again before writing; forms never read or
write the database."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.models import (
    PIPELINE,
    CloseReason,
    ContactKind,
    Engagement,
    JobSeeking,
    RemotePreference,
    SearchState,
    Seniority,
    Stage,
)
from portal.services.advertising import SUMMARY_LIMIT
from portal.services.conversations import NOTIFICATION_CHOICES
from portal.services.recruiter_profile import ABOUT_LIMIT, PHOTO_MAX_BYTES
from portal.services.searches import MAX_MARKDOWN, MAX_PAY
from portal.services.text import NO_HTML_MESSAGE, has_html
from portal.web.forms import FlaskForm  # hidden inputs without ids (portal/web/forms.py)

MAX_LIST_TEXT = 1000
START_STAGES = (Stage.IDENTIFIED, Stage.CONTACTED, Stage.SCREENING)


def no_html(form, field) -> None:
    if isinstance(field.data, str) and has_html(field.data):
        raise ValidationError(NO_HTML_MESSAGE)


def opt(value, label) -> SelectChoice:
    return SelectChoice(str(value), label)


CHECKBOX_VALUES = {"y", "on", "true", "1", "yes", "false", ""}


def checkbox(form, field) -> None:
    """A checkbox sends "y" (or nothing); any other value is a forged request."""
    if field.raw_data and str(field.raw_data[0]).lower() not in CHECKBOX_VALUES:
        raise ValidationError("Not a valid choice: tick or untick the box.")


def _choices(enum_cls, blank: str | None = None, members=None) -> list[SelectChoice]:
    out = [opt("", blank)] if blank is not None else []
    return out + [opt(m.value, m.label) for m in (members or enum_cls)]


def _enum(enum_cls):
    def coerce(value):
        if value in (None, "") or isinstance(value, enum_cls):
            return value or None
        return enum_cls(value)

    return coerce


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class SearchForm(FlaskForm):
    title = StringField("Role title", validators=[DataRequired(), Length(max=200), no_html])
    client_name = StringField("Client", validators=[DataRequired(), Length(max=120), no_html])
    confidential = BooleanField(
        "Confidential: hide the client's name from candidates until we ask for consent", validators=[checkbox]
    )
    description_md = TextAreaField("Description (Markdown)", validators=[Length(max=MAX_MARKDOWN), no_html])
    requirements_md = TextAreaField("Requirements (Markdown)", validators=[Length(max=MAX_MARKDOWN), no_html])
    required_skills = StringField("Required skills", validators=[Length(max=MAX_LIST_TEXT), no_html])
    nice_skills = StringField("Nice-to-have skills", validators=[Length(max=MAX_LIST_TEXT), no_html])
    seniority = SelectField(
        "Seniority", choices=_choices(Seniority, "Any"), coerce=_enum(Seniority), validators=[Optional()]
    )
    location = StringField("Location", validators=[Length(max=120), no_html])
    remote_policy = SelectField(
        "Remote policy",
        coerce=_enum(RemotePreference),
        choices=_choices(
            RemotePreference, members=[RemotePreference.ONSITE, RemotePreference.HYBRID, RemotePreference.REMOTE]
        ),
    )
    pay_min = IntegerField("Pay from", validators=[Optional(), NumberRange(min=0, max=MAX_PAY)])
    pay_max = IntegerField("Pay up to", validators=[Optional(), NumberRange(min=0, max=MAX_PAY)])
    pay_currency = StringField(
        "Currency",
        default="EUR",
        validators=[DataRequired(), Length(min=3, max=3, message="Use a three-letter code such as EUR.")],
    )
    engagement = SelectField(
        "Engagement",
        coerce=_enum(Engagement),
        choices=[opt(Engagement.RETAINED.value, "Retained"), opt(Engagement.CONTINGENCY.value, "Contingency")],
    )
    owner_id = SelectField("Owner", coerce=_int_or_none, validators=[Optional()])
    state = SelectField(
        "State",
        coerce=_enum(SearchState),
        choices=[opt(SearchState.OPEN.value, "Open"), opt(SearchState.ON_HOLD.value, "On hold")],
    )
    anticipated = BooleanField("Anticipated: expected, not yet open", validators=[checkbox])
    client_wording = StringField(
        "Confidential: candidates who were not told read this instead of the client's name",
        validators=[Length(max=120), no_html],
    )
    advertised = BooleanField("Advertise on the careers site", validators=[checkbox])
    advertise_until = DateField("Advertise until (optional)", validators=[Optional()])
    publish_pay = BooleanField("Publish the pay range", validators=[checkbox])
    public_summary = StringField(
        "Public summary (confidential searches: shown instead of the client)",
        validators=[Length(max=SUMMARY_LIMIT), no_html],
    )

    def validate_pay_max(self, field) -> None:
        if field.data is not None and self.pay_min.data is not None and self.pay_min.data > field.data:
            raise ValidationError("The maximum is lower than the minimum.")

    def validate_pay_currency(self, field) -> None:
        value = (field.data or "").strip().upper()
        if not (len(value) == 3 and value.isascii() and value.isalpha()):
            raise ValidationError("Use a three-letter code such as EUR, GBP or USD.")


class CloseSearchForm(FlaskForm):
    state = SelectField(
        "Outcome",
        coerce=_enum(SearchState),
        choices=[opt(SearchState.FILLED.value, "Filled"), opt(SearchState.CANCELLED.value, "Cancelled")],
    )
    reason = SelectField(
        "Reason each open candidate is given",
        coerce=_enum(CloseReason),
        choices=[opt(r.value, r.label) for r in CloseReason],
        default=CloseReason.ROLE_CLOSED.value,
    )
    explanation = TextAreaField("Explanation for the candidates", validators=[Length(max=5000), no_html])
    untold_explanation = TextAreaField(
        "Version for candidates who were not told the client's name", validators=[Optional(), Length(max=5000), no_html]
    )
    confirm = HiddenField(validators=[Length(max=1)])


class ClientForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_html])
    aliases = TextAreaField("Other names (one per line)", validators=[Length(max=3000), no_html])


class CandidateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), no_html])
    email = EmailField("Email", validators=[Optional(), Length(max=254), Email(check_deliverability=False)])
    phone = StringField("Phone", validators=[Length(max=40), no_html])
    headline = StringField("Headline", validators=[Length(max=200), no_html])
    location = StringField("Location", validators=[Length(max=120), no_html])
    seniority = SelectField(
        "Seniority", choices=_choices(Seniority, "Not set"), coerce=_enum(Seniority), validators=[Optional()]
    )
    job_seeking = SelectField(
        "Availability", choices=_choices(JobSeeking), coerce=_enum(JobSeeking), default=JobSeeking.OPEN.value
    )
    summary = TextAreaField("Summary", validators=[Length(max=5000), no_html])
    skills = StringField("Skills", validators=[Length(max=MAX_LIST_TEXT), no_html])
    tags = StringField("Tags", validators=[Length(max=MAX_LIST_TEXT), no_html])
    owner_id = SelectField("Owner", coerce=_int_or_none, validators=[Optional()])
    note = TextAreaField("Internal note (never shown to the candidate)", validators=[Length(max=10_000), no_html])


class CVForm(FlaskForm):
    # Its own id: "cv" is the id of the page section the form sits in (candidates/detail.html).
    cv = FileField(
        "CV (PDF or Word .docx, up to 5 MB)", validators=[FileRequired("Choose a file to upload.")], id="cv-file"
    )


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired(), Length(max=3 * 1024 * 1024)])


class AddCandidateForm(FlaskForm):
    candidate_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    stage = SelectField(
        "Start at", coerce=_enum(Stage), choices=_choices(Stage, members=START_STAGES), default=Stage.IDENTIFIED.value
    )
    next = HiddenField(validators=[Length(max=500)])


class AddToSearchForm(FlaskForm):
    search_id = SelectField("Search", coerce=_int_or_none, validators=[InputRequired()])
    stage = SelectField(
        "Start at", coerce=_enum(Stage), choices=_choices(Stage, members=START_STAGES), default=Stage.IDENTIFIED.value
    )


class MoveForm(FlaskForm):
    stage = SelectField("Move to", coerce=_enum(Stage), choices=_choices(Stage, members=PIPELINE))
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    next = HiddenField(validators=[Length(max=500)])


class CloseForm(FlaskForm):
    reason = SelectField(
        "Reason", coerce=_enum(CloseReason), choices=[opt(r.value, r.internal_label) for r in CloseReason]
    )
    explanation = TextAreaField("Explanation for the candidate", validators=[Length(max=5000), no_html])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    next = HiddenField(validators=[Length(max=500)])


class UndoForm(FlaskForm):
    change_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    next = HiddenField(validators=[Length(max=500)])


class ConsentForm(FlaskForm):
    next = HiddenField(validators=[Length(max=500)])


class FeedbackForm(FlaskForm):
    # Feedback and note share a page (the candidacy): each box has its own id, so each label
    # names its own box and a screen reader never posts a private note as feedback.
    body = TextAreaField(
        "Feedback for the candidate (Markdown)",
        id="feedback-body",
        validators=[DataRequired("Write the feedback first."), Length(max=10_000), no_html],
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Internal note (Markdown; never shown to the candidate)",
        id="note-body",
        validators=[DataRequired("Write the note first."), Length(max=10_000), no_html],
    )
    next = HiddenField(validators=[Length(max=500)])


class ActionForm(FlaskForm):
    """A one-click POST button (CSRF only)."""

    next = HiddenField(validators=[Length(max=500)])


class SearchFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Text", validators=[Optional(), Length(max=100)])
    state = SelectField(
        "State",
        validators=[Optional()],
        choices=[opt("", "Open and on hold")] + [opt(s.value, s.label) for s in SearchState] + [opt("all", "All")],
    )
    owner = SelectField("Owner", validators=[Optional()])
    client = SelectField("Client", validators=[Optional()])


class PoolFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name, email or headline", validators=[Optional(), Length(max=100)])
    tags = StringField("Tags", validators=[Optional(), Length(max=300)])
    skills = StringField("Skills", validators=[Optional(), Length(max=300)])
    seeking = SelectField("Availability", validators=[Optional()], choices=_choices(JobSeeking, "Any"))
    location = StringField("Location", validators=[Optional(), Length(max=100)])
    stage = SelectField("Stage (in any search)", validators=[Optional()], choices=_choices(Stage, "Any"))
    silent = IntegerField("No contact for at least (days)", validators=[Optional(), NumberRange(min=0, max=3650)])
    owner = SelectField("Owner", validators=[Optional()])
    after = HiddenField(validators=[Optional(), Length(max=400)])


class ContactForm(FlaskForm):
    """ "I told them another way": counts as contact (portal.services.contact)."""

    contact_kind = SelectField(
        "How",
        choices=[opt(k.value, k.label) for k in ContactKind],
        validators=[InputRequired("Choose how you were in touch.")],
    )
    contact_on = DateField("Day", validators=[InputRequired("Enter the day you were in touch.")])
    contact_note = TextAreaField(
        "What you told them (optional, internal)", validators=[Optional(), Length(max=500), no_html]
    )


class AboutForm(FlaskForm):
    """The recruiter's short line for their candidates (services/recruiter_profile.py)."""

    about = StringField("A short line about you", validators=[Length(max=ABOUT_LIMIT), no_html])


class PhotoForm(FlaskForm):
    photo = FileField(
        "Your photo",
        validators=[
            FileRequired("Choose an image file."),
            FileSize(
                max_size=PHOTO_MAX_BYTES, message=f"The photo may be at most {PHOTO_MAX_BYTES // (1024 * 1024)} MB."
            ),
        ],
    )


class ConversationReplyForm(FlaskForm):
    """A recruiter's reply in a candidate's conversation (plain text, emailed to them)."""

    body = TextAreaField(
        "Your reply (the candidate sees it and gets it by email)",
        id="reply-body",
        validators=[DataRequired("Write the reply first."), Length(max=10_000), no_html],
    )
    in_reply_to_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    candidacy_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    next = HiddenField(validators=[Length(max=500)])


class NoReplyForm(FlaskForm):
    """ "No reply needed", with the reason (kept with the message and in the audit log)."""

    reason = StringField(
        "Why no reply is needed", validators=[DataRequired("Say why no reply is needed."), Length(max=300), no_html]
    )
    next = HiddenField(validators=[Length(max=500)])


class NotificationsForm(FlaskForm):
    """How the recruiter hears of new candidate messages (services/conversations.py)."""

    message_notifications = RadioField(
        "When a candidate writes to you",
        choices=[SelectChoice(k, v) for k, v in NOTIFICATION_CHOICES.items()],
        validators=[InputRequired("Choose one.")],
    )
