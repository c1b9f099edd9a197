"""Careers site forms: applying to a role and joining the talent pool. Every text field has a
server-side length limit and control characters (a NUL byte breaks PostgreSQL) are stripped.
`website` is a honeypot: hidden from people, filled by bots. Forms never read or write the
database: portal.services.applications checks everything again."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.i18n import lazy as _l
from portal.models import RemotePreference
from portal.models.candidate import REMOTE_LABELS
from portal.services.applications import MAX_NOTE, MAX_PREFERENCE, ApplicantInput


class ApplyForm(CandidateForm):
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Please give your name.")), _max(120)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Please give your email address.")),
            _max(254),
            Email(_l("Please give a valid email address."), check_deliverability=False),
        ],
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), _max(40)])
    location = StringField(_l("Where you live (optional)"), validators=[Optional(), _max(120)])
    cv = FileField(_l("Your CV (PDF or Word .docx, up to 5 MB)"))
    note = TextAreaField(_l("A short note (optional)"), validators=[Optional(), _max(MAX_NOTE)])
    accept_privacy = BooleanField(_l("I have read the privacy notice above and accept it"))
    # The honeypot's label: hidden from people, read by bots.
    website = StringField(_l("Leave this empty"), validators=[Optional(), _max(200)])
    ref = HiddenField(validators=[Optional(), _max(200)])

    def applicant(self, language: str | None = None) -> ApplicantInput:
        """What the applicant gave; `language` is the page's (their language from now on)."""
        return ApplicantInput(
            name=self.name.data or "",
            email=self.email.data or "",
            accepted_privacy=bool(self.accept_privacy.data),
            phone=self.phone.data,
            location=self.location.data,
            note=self.note.data,
            language=language,
        )


class JoinForm(ApplyForm):
    cv = FileField(_l("Your CV (optional; PDF or Word .docx, up to 5 MB)"))
    skills = StringField(_l("Your skills (comma-separated, optional)"), validators=[Optional(), _max(1000)])
    desired_roles = StringField(_l("Roles you would like (optional)"), validators=[Optional(), _max(MAX_PREFERENCE)])
    desired_locations = StringField(
        _l("Where you would like to work (optional)"), validators=[Optional(), _max(MAX_PREFERENCE)]
    )
    remote = SelectField(
        _l("Remote work"),
        choices=choices((r.value, REMOTE_LABELS[r.value]) for r in RemotePreference),  # lazy: the page's language
        default=RemotePreference.ANY.value,
    )

    def applicant(self, language: str | None = None) -> ApplicantInput:
        data = super().applicant(language)
        data.skills = self.skills.data
        data.desired_roles = self.desired_roles.data
        data.desired_locations = self.desired_locations.data
        data.remote = RemotePreference(self.remote.data) if self.remote.data else None
        return data
