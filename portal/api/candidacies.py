"""API: candidacies (a candidate in a search) and what hangs on them: moves and closes with the
board's own rules (portal.services.pipeline: consent gate, version check, grace-window undo),
feedback the candidate reads, internal notes (their own scope) and presentation consents."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from portal.api import schemas as s
from portal.api.blueprint import bp
from portal.api.common import json_response, listing, one, page, requires, write
from portal.extensions import db
from portal.models import Candidacy, Candidate, Consent, Search
from portal.services import consent, feedback, notes, pipeline

CANDIDACY = s.Candidacy()
CHANGE = s.StageChange()
FEEDBACK = s.Feedback()
NOTE = s.Note()
CONSENT = s.Consent()


@bp.route("/candidacies")
class Candidacies(MethodView):
    @requires("candidacies")
    @bp.arguments(s.CandidacyListArgs, location="query")
    @bp.response(200, s.CandidacyPage)
    def get(self, args):
        """List candidacies (by search, candidate, stage); `updated_since` is the last stage change."""
        stmt = select(Candidacy)
        for name in ("search_id", "candidate_id", "stage"):
            if args.get(name) is not None:
                stmt = stmt.where(getattr(Candidacy, name) == args[name])
        return json_response(listing(page(stmt, args, Candidacy.id, since_col=Candidacy.stage_changed_at), CANDIDACY))

    @requires("candidacies", write=True)
    @bp.arguments(s.CandidacyIn)
    @bp.response(201, s.Candidacy)
    def post(self, data):
        """Add a candidate to a search (at identified, contacted or screening)."""
        search, candidate = one(Search, data["search_id"]), one(Candidate, data["candidate_id"])
        return write(
            lambda: pipeline.add_to_search(g.firm, g.api_actor, search, candidate, data["stage"]),
            CANDIDACY,
            "candidacy.created",
            201,
        )


@bp.route("/candidacies/<int:candidacy_id>")
class CandidacyItem(MethodView):
    @requires("candidacies")
    @bp.response(200, s.Candidacy)
    def get(self, candidacy_id):
        """One candidacy, with the `version` a move or close must send back."""
        return json_response(CANDIDACY.dump(one(Candidacy, candidacy_id)))


@bp.route("/candidacies/<int:candidacy_id>/move", methods=["POST"])
@requires("candidacies", write=True)
@bp.arguments(s.MoveIn)
@bp.response(200, s.Candidacy)
def candidacy_move(data, candidacy_id):
    """Move to another stage as the board does: a stale `version` is a 409; presenting needs the
    candidate's consent (422); the candidate's message waits for the grace window (see undo)."""
    candidacy = one(Candidacy, candidacy_id)

    def move():
        pipeline.move(g.firm, g.api_actor, candidacy, data["stage"], expected_version=data["version"])
        return candidacy

    return write(move, CANDIDACY, "candidacy.moved")


@bp.route("/candidacies/<int:candidacy_id>/close", methods=["POST"])
@requires("candidacies", write=True)
@bp.arguments(s.CloseIn)
@bp.response(200, s.Candidacy)
def candidacy_close(data, candidacy_id):
    """Close with a reason the candidate is told (close the loop); a stale `version` is a 409."""
    candidacy = one(Candidacy, candidacy_id)

    def close():
        pipeline.close(g.firm, g.api_actor, candidacy, data["reason"], data["explanation"], data["version"])
        return candidacy

    return write(close, CANDIDACY, "candidacy.closed")


@bp.route("/candidacies/<int:candidacy_id>/undo", methods=["POST"])
@requires("candidacies", write=True)
@bp.response(200, s.Candidacy)
def candidacy_undo(candidacy_id):
    """Take the last move or close back, within the grace window and while its message waits."""
    candidacy = one(Candidacy, candidacy_id)

    def undo():
        pipeline.undo_last_change(g.firm, g.api_actor, candidacy)
        return candidacy

    return write(undo, CANDIDACY, "candidacy.undone")


@bp.route("/candidacies/<int:candidacy_id>/feedback")
class CandidacyFeedback(MethodView):
    @requires("feedback")
    @bp.response(200, s.Feedback(many=True))
    def get(self, candidacy_id):
        """Feedback the candidate reads, in the order it was written."""
        return json_response(FEEDBACK.dump(feedback.for_candidacy(one(Candidacy, candidacy_id)), many=True))

    @requires("feedback", write=True)
    @bp.arguments(s.BodyIn)
    @bp.response(201, s.Feedback)
    def post(self, data, candidacy_id):
        """Write feedback (Markdown); the candidate is told by email and in the portal."""
        candidacy = one(Candidacy, candidacy_id)
        return write(
            lambda: feedback.post_feedback(g.firm, g.api_actor, candidacy, data["body_md"]),
            FEEDBACK,
            "feedback.posted",
            201,
        )


@bp.route("/candidacies/<int:candidacy_id>/notes")
class CandidacyNotes(MethodView):
    @requires("notes")
    @bp.response(200, s.Note(many=True))
    def get(self, candidacy_id):
        """Internal notes about this candidacy (never shown to the candidate), newest first."""
        return json_response(NOTE.dump(notes.for_candidacy(one(Candidacy, candidacy_id)), many=True))

    @requires("notes", write=True)
    @bp.arguments(s.BodyIn)
    @bp.response(201, s.Note)
    def post(self, data, candidacy_id):
        """Add an internal note about this candidacy."""
        candidacy = one(Candidacy, candidacy_id)
        return write(
            lambda: notes.add_note(g.firm, g.api_actor, candidacy.candidate, data["body_md"], candidacy=candidacy),
            NOTE,
            "note.added",
            201,
        )


@bp.route("/candidacies/<int:candidacy_id>/consents")
class CandidacyConsents(MethodView):
    @requires("consents")
    @bp.response(200, s.Consent(many=True))
    def get(self, candidacy_id):
        """Every consent request of the candidacy and its answer, oldest first."""
        candidacy = one(Candidacy, candidacy_id)
        rows = select(Consent).where(Consent.candidacy_id == candidacy.id).order_by(Consent.id)
        return json_response(CONSENT.dump(db.session.scalars(rows), many=True))

    @requires("consents", write=True)
    @bp.response(201, s.Consent)
    def post(self, candidacy_id):
        """Ask the candidate to approve presenting their profile to the client (by email and portal)."""
        candidacy = one(Candidacy, candidacy_id)
        return write(lambda: consent.request_consent(g.firm, g.api_actor, candidacy), CONSENT, "consent.requested", 201)


@bp.route("/consents/<int:consent_id>")
@requires("consents")
@bp.response(200, s.Consent)
def consent_item(consent_id):
    """One consent request and the candidate's answer."""
    return json_response(CONSENT.dump(one(Consent, consent_id)))
