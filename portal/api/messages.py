"""API (read-only): the messages the firm sent each candidate, with their delivery state, the
interviews (an interview's internal notes only for a key with the notes scope), and the
applications from the careers site (`updated_since` is when they arrived)."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from sqlalchemy import select

from portal.api import schemas_read as s
from portal.api.blueprint import bp
from portal.api.common import can, json_response, listing, one, page, requires
from portal.extensions import db
from portal.models import Application, Audience, Interview, Message

MESSAGE = s.Message()
INTERVIEW = s.Interview()
WITHOUT_NOTES = s.Interview(exclude=("internal_notes",))


def _candidate_messages():
    return select(Message).where(Message.audience == Audience.CANDIDATE)


@bp.route("/messages")
class Messages(MethodView):
    @requires("messages")
    @bp.arguments(s.MessageListArgs, location="query")
    @bp.response(200, s.MessagePage)
    def get(self, args):
        """Messages to candidates (by candidate, candidacy, delivery state); `updated_since` is creation."""
        stmt = _candidate_messages()
        for name in ("candidate_id", "candidacy_id", "state"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(Message, name) == args[name])
        return json_response(listing(page(stmt, args, Message.id, since_col=Message.created_at), MESSAGE))


@bp.route("/messages/<int:message_id>")
@requires("messages")
@bp.response(200, s.Message)
def message_item(message_id):
    """One message to a candidate and its delivery state (`last_error` says why it failed)."""
    message = db.session.scalar(_candidate_messages().where(Message.id == message_id))
    if message is None:
        abort(404)
    return json_response(MESSAGE.dump(message))


@bp.route("/interviews")
class Interviews(MethodView):
    @requires("interviews")
    @bp.arguments(s.InterviewListArgs, location="query")
    @bp.response(200, s.InterviewPage)
    def get(self, args):
        """Interviews (by candidacy, candidate, state), oldest change first."""
        stmt = select(Interview)
        for name in ("candidacy_id", "candidate_id", "state"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(Interview, name) == args[name])
        return json_response(listing(page(stmt, args, Interview.id, Interview.updated_at), _interview_schema()))


@bp.route("/interviews/<int:interview_id>")
@requires("interviews")
@bp.response(200, s.Interview)
def interview_item(interview_id):
    """One interview."""
    return json_response(_interview_schema().dump(one(Interview, interview_id)))


def _interview_schema() -> s.Interview:
    """Never an internal note without the notes scope, not even inside an interview."""
    return INTERVIEW if can("notes") else WITHOUT_NOTES


APPLICATION = s.Application()


@bp.route("/applications")
class Applications(MethodView):
    @requires("applications")
    @bp.arguments(s.ApplicationListArgs, location="query")
    @bp.response(200, s.ApplicationPage)
    def get(self, args):
        """Applications from the careers site (by search, candidate), oldest first."""
        stmt = select(Application)
        for name in ("search_id", "candidate_id"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(Application, name) == args[name])
        return json_response(listing(page(stmt, args, Application.id, since_col=Application.created_at), APPLICATION))


@bp.route("/applications/<int:application_id>")
@requires("applications")
@bp.response(200, s.Application)
def application_item(application_id):
    """One application."""
    return json_response(APPLICATION.dump(one(Application, application_id)))
