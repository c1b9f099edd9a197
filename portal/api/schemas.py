"""The API's shapes (marshmallow): what each resource looks like in JSON, what a request may send,
the list envelope and the problem body. The OpenAPI document is generated from these; nothing here
reads the database or decides a rule (the services do)."""

from __future__ import annotations

from datetime import UTC

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, pre_dump, pre_load, validate

from portal.models import (
    CloseReason,
    ConsentState,
    EmploymentStatus,
    Engagement,
    JobSeeking,
    RemotePreference,
    SearchState,
    Seniority,
    Stage,
)
from portal.web.inputs import clean

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
Line = validate.Length(max=200)


def text(max_len: int, min_len: int | None = None, **kw) -> fields.String:
    return fields.String(validate=validate.Length(min=min_len, max=max_len), **kw)


def enum(cls, **kw) -> fields.Enum:
    return fields.Enum(cls, by_value=True, **kw)


def _cleaned(value):
    """JSON input without NUL and other C0 controls, as the forms get it (portal/web/inputs.py)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


class Input(Schema):
    """A request's arguments: unknown fields ignored, control characters dropped."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _clean(self, data, **kwargs):
        return _cleaned(data) if isinstance(data, (dict, list)) else data


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ListArgs(Input):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))
    cursor = text(500, metadata={"description": "The `next_cursor` of the previous page (opaque)."})
    updated_since = fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "Only what changed at or after this time (ISO 8601)."}
    )


class Page(Schema):
    next_cursor = fields.String(allow_none=True, required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"data": fields.List(fields.Nested(item), required=True)}, name=name)  # type: ignore[return-value]


# ---------------------------------------------------------------- candidates


class Availability(Schema):
    job_seeking = enum(JobSeeking)
    available_from = fields.Date(allow_none=True)
    notice_weeks = fields.Integer(allow_none=True, validate=validate.Range(0, 104))
    employment_status = enum(EmploymentStatus, allow_none=True)
    desired_roles = text(300, allow_none=True)
    desired_locations = text(300, allow_none=True)
    remote_preference = enum(RemotePreference)
    pay_expectation = fields.Integer(allow_none=True, validate=validate.Range(0, 100_000_000))
    pay_currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))


# The candidate's own columns the schema shows (skills and tags come from their rows).
SCALARS = frozenset(
    "id name email phone headline location seniority summary owner_id cv_filename cv_uploaded_at created_at updated_at".split()
)


class Candidate(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    headline = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    seniority = enum(Seniority, allow_none=True)
    summary = fields.String(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    skills = fields.List(fields.String(), required=True)
    tags = fields.List(fields.String(), required=True)
    availability = fields.Nested(Availability, required=True)
    has_cv = fields.Boolean(required=True)
    cv_filename = fields.String(allow_none=True)
    cv_uploaded_at = fields.DateTime(allow_none=True)
    deleted = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)

    @pre_dump
    def _flatten(self, obj, **kwargs):
        # A list passes (candidate, skill names, tags) read as rows (talent_pool.skill_and_tag_names).
        candidate, names = (obj[0], obj[1:]) if isinstance(obj, tuple) else (obj, None)
        values = {name: getattr(candidate, name) for name in self.fields if name in SCALARS}
        if names is None:
            values["skills"] = sorted((cs.skill.name for cs in candidate.skills), key=str.casefold)
            values["tags"] = sorted(t.name for t in candidate.tags)
        else:
            values["skills"] = sorted(names[0], key=str.casefold)
            values["tags"] = sorted(names[1])
        values["availability"] = candidate
        values["has_cv"] = bool(candidate.cv_path)
        values["deleted"] = candidate.deleted_at is not None
        return values


class CVUpload(Input):
    file = Upload(required=True)


class CandidatePage(Page):
    data = fields.List(fields.Nested(Candidate), required=True)


class CandidateListArgs(ListArgs):
    q = text(200, metadata={"description": "Name, email or headline contains this"})
    tag = text(60)
    skill = text(80)
    job_seeking = enum(JobSeeking)
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class CandidateIn(Input):
    name = text(120, required=True)
    email = text(254, allow_none=True)
    phone = text(40, allow_none=True)
    headline = text(200, allow_none=True)
    location = text(120, allow_none=True)
    seniority = enum(Seniority, allow_none=True)
    summary = text(5000, allow_none=True)
    owner_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))
    skills = fields.List(text(80), validate=validate.Length(max=30))
    tags = fields.List(text(60), validate=validate.Length(max=30))
    availability = fields.Nested(Availability)
    note = text(10_000, metadata={"description": "An internal note added on creation (needs notes:write)."})


class CandidatePatch(CandidateIn):
    name = text(120)


# ---------------------------------------------------------------- clients and searches


class Client(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ClientPage(Page):
    data = fields.List(fields.Nested(Client), required=True)


class ClientIn(Input):
    name = text(120, 1, required=True)


class ClientListArgs(ListArgs):
    q = text(120)


class Search(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    client_id = fields.Integer(required=True)
    client_name = fields.String(required=True)
    confidential = fields.Boolean(required=True)
    state = enum(SearchState, required=True)
    anticipated = fields.Boolean(required=True)
    description_md = fields.String(required=True)
    requirements_md = fields.String(required=True)
    required_skills = fields.List(fields.String(), required=True)
    nice_skills = fields.List(fields.String(), required=True)
    seniority = enum(Seniority, allow_none=True)
    location = fields.String(allow_none=True)
    remote_policy = enum(RemotePreference, required=True)
    pay_min = fields.Integer(allow_none=True)
    pay_max = fields.Integer(allow_none=True)
    pay_currency = fields.String(required=True)
    engagement = enum(Engagement, required=True)
    owner_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True)

    @pre_dump
    def _flatten(self, search, **kwargs):
        values = {name: getattr(search, name) for name in self.fields if hasattr(search, name)}
        values["client_name"] = search.client.name
        names = sorted(search.skills, key=lambda ss: ss.skill.name.casefold())
        values["required_skills"] = [ss.skill.name for ss in names if ss.required]
        values["nice_skills"] = [ss.skill.name for ss in names if not ss.required]
        return values


class SearchPage(Page):
    data = fields.List(fields.Nested(Search), required=True)


class SearchListArgs(ListArgs):
    q = text(200, metadata={"description": "Title or client contains this"})
    state = enum(SearchState)
    client_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class SearchIn(Input):
    title = text(200, required=True)
    client_name = text(120, required=True)
    confidential = fields.Boolean(load_default=False)
    description_md = text(10_000, load_default="")
    requirements_md = text(10_000, load_default="")
    required_skills = fields.List(text(80), validate=validate.Length(max=30), load_default=list)
    nice_skills = fields.List(text(80), validate=validate.Length(max=30), load_default=list)
    seniority = enum(Seniority, allow_none=True)
    location = text(120, allow_none=True)
    remote_policy = enum(RemotePreference, load_default=RemotePreference.ONSITE)
    pay_min = fields.Integer(allow_none=True, validate=validate.Range(0, 100_000_000))
    pay_max = fields.Integer(allow_none=True, validate=validate.Range(0, 100_000_000))
    pay_currency = fields.String(load_default="EUR", validate=validate.Regexp(r"^[A-Z]{3}$"))
    engagement = enum(Engagement, load_default=Engagement.RETAINED)
    owner_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))


# ---------------------------------------------------------------- the pipeline


class Candidacy(Schema):
    id = fields.Integer(required=True)
    search_id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    stage = enum(Stage, required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a move or close."})
    close_reason = enum(CloseReason, allow_none=True)
    close_explanation = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    stage_changed_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)


class CandidacyPage(Page):
    data = fields.List(fields.Nested(Candidacy), required=True)


class CandidacyListArgs(ListArgs):
    search_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    candidate_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    stage = enum(Stage)


class CandidacyIn(Input):
    search_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    candidate_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    stage = enum(Stage, load_default=Stage.IDENTIFIED)


class MoveIn(Input):
    stage = enum(Stage, required=True)
    version = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class CloseIn(Input):
    reason = enum(CloseReason, required=True)
    explanation = text(2000, load_default="")
    version = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class StageChange(Schema):
    id = fields.Integer(required=True)
    candidacy_id = fields.Integer(required=True)
    from_stage = enum(Stage, allow_none=True)
    to_stage = enum(Stage, required=True)
    undone_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


class Feedback(Schema):
    id = fields.Integer(required=True)
    candidacy_id = fields.Integer(required=True)
    author_id = fields.Integer(allow_none=True)
    body_md = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class Note(Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    candidacy_id = fields.Integer(allow_none=True)
    author_id = fields.Integer(allow_none=True)
    body_md = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class BodyIn(Input):
    body_md = text(10_000, 1, required=True)


class Consent(Schema):
    id = fields.Integer(required=True)
    candidacy_id = fields.Integer(required=True)
    state = enum(ConsentState, required=True)
    requested_at = fields.DateTime(required=True)
    answered_at = fields.DateTime(allow_none=True)
    comment = fields.String(allow_none=True)
    cv_sent_at = fields.DateTime(allow_none=True)
    client_name = fields.String(required=True)
    role_title = fields.String(required=True)
