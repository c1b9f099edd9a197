"""Careers site forms: applying to a role and joining the talent pool. Every text field has a
server-side length limit and control characters (a NUL byte breaks PostgreSQL) are stripped.
`website` is a honeypot: hidden from people, filled by bots. Forms never read or write the
database: portal.services.applications checks everything again."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional

from portal.candidate.forms import CandidateForm, _max, choices
from portal.models import RemotePreference
from portal.services.applications import MAX_NOTE, MAX_PREFERENCE, ApplicantInput


class ApplyForm(CandidateForm):
    name = StringField("Your name", validators=[DataRequired("Please give your name."), _max(120)])
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Please give your email address."),
            _max(254),
            Email("Please give a valid email address.", check_deliverability=False),
        ],
    )
    phone = StringField("Phone (optional)", validators=[Optional(), _max(40)])
    location = StringField("Where you live (optional)", validators=[Optional(), _max(120)])
    cv = FileField("Your CV (PDF or Word .docx, up to 5 MB)")
    note = TextAreaField("A short note (optional)", validators=[Optional(), _max(MAX_NOTE)])
    accept_privacy = BooleanField("I have read the privacy notice above and accept it")
    website = StringField("Leave this empty", validators=[Optional(), _max(200)])
    ref = HiddenField(validators=[Optional(), _max(200)])

    def applicant(self) -> ApplicantInput:
        return ApplicantInput(
            name=self.name.data or "",
            email=self.email.data or "",
            accepted_privacy=bool(self.accept_privacy.data),
            phone=self.phone.data,
            location=self.location.data,
            note=self.note.data,
        )


class JoinForm(ApplyForm):
    cv = FileField("Your CV (optional; PDF or Word .docx, up to 5 MB)")
    skills = StringField("Your skills (comma-separated, optional)", validators=[Optional(), _max(1000)])
    desired_roles = StringField("Roles you would like (optional)", validators=[Optional(), _max(MAX_PREFERENCE)])
    desired_locations = StringField(
        "Where you would like to work (optional)", validators=[Optional(), _max(MAX_PREFERENCE)]
    )
    remote = SelectField(
        "Remote work", choices=choices((r.value, r.label) for r in RemotePreference), default=RemotePreference.ANY.value
    )

    def applicant(self) -> ApplicantInput:
        data = super().applicant()
        data.skills = self.skills.data
        data.desired_roles = self.desired_roles.data
        data.desired_locations = self.desired_locations.data
        data.remote = RemotePreference(self.remote.data) if self.remote.data else None
        return data
