"""The API's blueprint and its guard: every request under /api/v1/ (but the OpenAPI document
and its reference page) carries `Authorization: Bearer <key>` of the host's firm, within the
key's rate limit; a POST with an `Idempotency-Key` seen before gets its first answer again.
No cookies, no CSRF (the key is the credential). Views live in the route modules."""

from __future__ import annotations

import http
import logging
import time

from flask import Response, current_app, g, request
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from flask_smorest.utils import prepare_response
from limits import parse

from portal.api.schemas import Problem
from portal.extensions import csrf, db, limiter
from portal.models import Application, Candidacy, Candidate, Client, Consent, Interview, Message, Search
from portal.services import DomainError, api_keys, idempotency
from portal.transaction import rollback, separate
from portal.web.problems import PROBLEM, problem

log = logging.getLogger(__name__)
PUBLIC_ENDPOINTS: set[str] = set()
# Ids in API paths and their models: looked up (in the host's firm) before anything else is read.
PATH_IDS = {
    "candidate_id": Candidate,
    "candidacy_id": Candidacy,
    "search_id": Search,
    "client_id": Client,
    "consent_id": Consent,
    "message_id": Message,
    "interview_id": Interview,
    "application_id": Application,
}

bp = Blueprint(
    "api", __name__, url_prefix="/api/v1", description="Portal's REST API (JSON; keys per firm; RFC 9457 errors)"
)
csrf.exempt(bp)


class Api(SmorestApi):
    """flask-smorest, with Portal's problem details as the documented error body and the
    app's own error handlers (portal/web/errors.py answers problems under /api/)."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        return None

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _rate_limited(key_id: int) -> Response | None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    try:
        item = parse(current_app.config["RATELIMIT_API"])
        strategy = limiter.limiter
        if strategy.hit(item, "api-key", str(key_id)):
            return None
        reset, _remaining = strategy.get_window_stats(item, "api-key", str(key_id))
    except Exception:  # the limit's storage is down: serve rather than fail (as the login limits do)
        log.warning("API rate limit storage unavailable", exc_info=True)
        return None
    wait = max(1, int(reset - time.time()) + 1)
    return problem(
        429, "Too many requests for this API key; wait before trying again.", headers={"Retry-After": str(wait)}
    )


@bp.before_request
def _guard():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    key = api_keys.authenticate(_bearer())
    actor = api_keys.acting_user(key) if key is not None else None
    if key is None or actor is None:
        return problem(
            401,
            "Send a valid API key of this firm: Authorization: Bearer <key>.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    g.api_key, g.api_actor = key, actor
    limited = _rate_limited(key.id)
    if limited is not None:
        return limited
    if api_keys.needs_touch(key):
        with separate(key.firm_id) as own:
            api_keys.touch(own, key.id)
    for name, ident in (request.view_args or {}).items():
        model = PATH_IDS.get(name)
        if model is not None and db.session.get(model, ident) is None:
            return problem(404, "No such resource here.")  # before the body is read: another firm's id is a 404
    if request.method == "POST" and request.headers.get("Idempotency-Key") is not None:
        return _replay()
    return None


def _replay() -> Response | None:
    """The first answer to this Idempotency-Key, or None to go on (g.idempotency is then set)."""
    fingerprint = idempotency.fingerprint(
        request.method, request.path, request.query_string, request.get_data(), request.content_type or ""
    )
    try:
        attempt = idempotency.attempt(request.headers["Idempotency-Key"], fingerprint)
    except DomainError as exc:
        return problem(422, str(exc), {"Idempotency-Key": [str(exc)]})
    earlier = idempotency.earlier(g.api_key.id, attempt)
    rollback()  # a read: hold no lock while the view runs
    if earlier is None:
        g.idempotency = attempt
        return None
    if earlier.request_hash != attempt.request_hash:
        detail = "This Idempotency-Key was used with a different request; use a new key for a new request."
        return problem(422, detail, {"Idempotency-Key": [detail]}, kind="idempotency-key-reused")
    resp = Response(earlier.body, status=earlier.status, mimetype="application/json")
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
