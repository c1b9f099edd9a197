"""The API's shapes of what is only read: messages (with their delivery state), interviews and
applications.
Kept beside portal/api/schemas.py (which has the shared pieces); nothing here reads the database."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from portal.api.schemas import ListArgs, Page, enum
from portal.models import InterviewState, MessageState


class Message(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    candidate_id = fields.Integer(allow_none=True)
    candidacy_id = fields.Integer(allow_none=True)
    subject = fields.String(required=True)
    body_text = fields.String(required=True)
    state = enum(MessageState, required=True, metadata={"description": "Delivery state of the email."})
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    due_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True)
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class MessagePage(Page):
    data = fields.List(fields.Nested(Message), required=True)


class MessageListArgs(ListArgs):
    candidate_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    candidacy_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    state = enum(MessageState)


# ---------------------------------------------------------------- interviews (read-only)


class Interview(Schema):
    id = fields.Integer(required=True)
    candidacy_id = fields.Integer(allow_none=True)
    candidate_id = fields.Integer(required=True)
    recruiter_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True)
    round = fields.Integer(required=True)
    format = fields.String(required=True)
    location = fields.String(allow_none=True)
    duration_minutes = fields.Integer(required=True)
    timezone = fields.String(required=True)
    starts_at = fields.DateTime(allow_none=True)
    state = fields.String(required=True)
    outcome = fields.String(allow_none=True)
    candidate_notes_md = fields.String(required=True)
    internal_notes = fields.String(
        allow_none=True, metadata={"description": "Only with the notes:read scope (left out otherwise)."}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    cancelled_at = fields.DateTime(allow_none=True)

    @pre_dump
    def _flatten(self, interview, **kwargs):
        values = {name: getattr(interview, name) for name in self.fields if hasattr(interview, name)}
        for name in ("kind", "format", "state", "outcome"):
            values[name] = values[name].value if values[name] is not None else None
        return values


class InterviewPage(Page):
    data = fields.List(fields.Nested(Interview), required=True)


class InterviewListArgs(ListArgs):
    candidacy_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    candidate_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    state = enum(InterviewState)


# ---------------------------------------------------------------- applications (read-only)


class Application(Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    search_id = fields.Integer(allow_none=True, metadata={"description": "None: joined the talent pool."})
    source = fields.String(required=True, metadata={"description": "careers or referral"})
    referred_by_candidate_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)

    @pre_dump
    def _flatten(self, application, **kwargs):
        values = {name: getattr(application, name) for name in self.fields}
        values["source"] = application.source.value
        return values


class ApplicationPage(Page):
    data = fields.List(fields.Nested(Application), required=True)


class ApplicationListArgs(ListArgs):
    search_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    candidate_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
