"""API: candidates (profile, skills, tags, availability), their CV and their internal notes.
Thin views: arguments validated by the schemas, one service call through common.write."""

from __future__ import annotations

import io

from flask import abort, g, request, send_file
from flask.views import MethodView

from portal.api import schemas as s
from portal.api.blueprint import bp
from portal.api.common import can, json_response, listing, one, page, requires, write
from portal.models import Candidate
from portal.services import DomainError, api_candidates, cv, notes, talent_pool
from portal.web.problems import problem

CANDIDATE = s.Candidate()
NOTE = s.Note()


def _filters(args: dict) -> talent_pool.PoolFilters:
    try:
        return talent_pool.PoolFilters(
            text=args.get("q"),
            tags=talent_pool.parse_list(args.get("tag")),
            skills=talent_pool.parse_list(args.get("skill")),
            job_seeking=args.get("job_seeking"),
            owner_id=args.get("owner_id"),
        )
    except DomainError as exc:
        abort(422, description=str(exc))


def _note_allowed(data: dict) -> str | None:
    if data.get("note") and not can("notes", write=True):
        abort(403, description="Adding a note needs the notes:write scope.")
    return data.get("note")


@bp.route("/candidates")
class Candidates(MethodView):
    @requires("candidates")
    @bp.arguments(s.CandidateListArgs, location="query")
    @bp.response(200, s.CandidatePage)
    def get(self, args):
        """List candidates (the talent pool's filters), oldest change first, for incremental sync."""
        stmt = talent_pool.build_query(g.firm, _filters(args))
        if stmt is None:
            return json_response({"data": [], "next_cursor": None})
        rows, cursor = page(stmt, args, Candidate.id, Candidate.updated_at)
        names = talent_pool.skill_and_tag_names([c.id for c in rows])
        return json_response(listing(([(c, *names[c.id]) for c in rows], cursor), CANDIDATE))

    @requires("candidates", write=True)
    @bp.arguments(s.CandidateIn)
    @bp.response(201, s.Candidate)
    def post(self, data):
        """Add a candidate to the talent pool."""
        note = _note_allowed(data)
        return write(
            lambda: api_candidates.create(g.firm, g.api_actor, data, note), CANDIDATE, "candidate.created", 201
        )


@bp.route("/candidates/<int:candidate_id>")
class CandidateItem(MethodView):
    @requires("candidates")
    @bp.response(200, s.Candidate)
    def get(self, candidate_id):
        """One candidate."""
        return json_response(CANDIDATE.dump(one(Candidate, candidate_id)))

    @requires("candidates", write=True)
    @bp.arguments(s.CandidatePatch)
    @bp.response(200, s.Candidate)
    def patch(self, data, candidate_id):
        """Change a candidate: only the fields sent (availability too)."""
        candidate, note = one(Candidate, candidate_id), _note_allowed(data)
        return write(
            lambda: api_candidates.update(g.firm, g.api_actor, candidate, data, note), CANDIDATE, "candidate.updated"
        )


@bp.route("/candidates/<int:candidate_id>/cv")
class CandidateCV(MethodView):
    @requires("cvs")
    @bp.response(200, content_type="application/octet-stream", description="The CV file (PDF or DOCX)")
    def get(self, candidate_id):
        """Download the candidate's CV."""
        stored = cv.stored_cv(one(Candidate, candidate_id))
        if stored is None:
            return problem(404, "This candidate has no CV.")
        return send_file(
            io.BytesIO(stored.data), mimetype=stored.mimetype, as_attachment=True, download_name=stored.download_name
        )

    @requires("cvs", write=True)
    @bp.arguments(s.CVUpload, location="files")
    @bp.response(200, s.Candidate)
    def put(self, files, candidate_id):
        """Upload (or replace) the candidate's CV: multipart/form-data, field `file`, PDF or DOCX."""
        candidate = one(Candidate, candidate_id)
        return write(lambda: _store(candidate), CANDIDATE, "candidate.cv_uploaded")


def _store(candidate: Candidate) -> Candidate:
    cv.store_cv(candidate, request.files.get("file"))
    return candidate


@bp.route("/candidates/<int:candidate_id>/notes")
class CandidateNotes(MethodView):
    @requires("notes")
    @bp.response(200, s.Note(many=True))
    def get(self, candidate_id):
        """The candidate's internal notes (never shown to the candidate), newest first."""
        return json_response(NOTE.dump(notes.for_candidate(one(Candidate, candidate_id)), many=True))

    @requires("notes", write=True)
    @bp.arguments(s.BodyIn)
    @bp.response(201, s.Note)
    def post(self, data, candidate_id):
        """Add an internal note about the candidate."""
        candidate = one(Candidate, candidate_id)
        return write(lambda: notes.add_note(g.firm, g.api_actor, candidate, data["body_md"]), NOTE, "note.added", 201)
