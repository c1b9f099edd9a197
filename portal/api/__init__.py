"""The REST API under /api/v1/ (JSON, API keys per firm, OpenAPI 3.1 generated from the code by
flask-smorest). Wiring only: `init_app` binds the spec and registers the blueprint and its
reference page; no view or rule lives here."""

from __future__ import annotations

from flask import Flask

from portal.api import candidacies, candidates, messages, searches  # noqa: F401  (routes on bp)
from portal.api.blueprint import Api, bp
from portal.api.docs import docs_bp

SPEC_OPTIONS = {
    "info": {
        "description": "Portal's REST API: candidates, clients, searches, the pipeline, feedback, notes, "
        "consents, messages and interviews of one firm. Authenticate with `Authorization: Bearer <key>`."
    },
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
}


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Portal API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS=SPEC_OPTIONS,
    )
    api = Api(app)
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)
