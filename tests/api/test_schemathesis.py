"""Schemathesis against the live OpenAPI document (/api/v1/openapi.json, loaded from the WSGI app),
with a key of each scope (read-only, write): for every operation, generated valid and invalid
requests never get a 5xx, and every answer matches its documented status, content type and schema.
Then the stateful chain by hand (create a candidate, a search, a candidacy; read, move, close it),
each answer checked by Schemathesis the same way. About 20 examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.fixtures.api import READ, WRITE

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {"read-only": 10, "write": 20}  # a read-only key's writes are all a quick 403


def _schema(app, ns):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, base_url=f"http://{ns.firm.slug}.localhost")


def _run(operation, base_url: str, headers: dict, mode: GenerationMode, failures: list, examples: int) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    try:
        check()
    except Exception as exc:  # collect every operation's failure, then report them all
        failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")


@pytest.mark.parametrize("kind", ["read-only", "write"])
def test_every_operation_conforms_and_never_fails(app, api_key, firms, kind):
    scopes = READ if kind == "read-only" else WRITE
    app.config["RATELIMIT_API"] = "100000 per minute"
    schema = _schema(app, firms.a)
    headers = {"Authorization": f"Bearer {api_key(firms.a, scopes)}"}
    base_url = f"http://{firms.a.firm.slug}.localhost"
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, base_url, headers, mode, failures, EXAMPLES[kind])
    assert not failures, "\n\n".join(failures)


def test_the_stateful_chain_create_read_move_close(app, api_key, firms):
    """Create, then read, move and close, with the ids and versions each answer gives."""
    schema = _schema(app, firms.a)
    headers = {"Authorization": f"Bearer {api_key(firms.a)}"}
    base_url = f"http://{firms.a.firm.slug}.localhost"

    def call(method: str, path: str, body=None, **path_parameters):
        extra = {"body": body} if body is not None else {}
        case = schema[path][method].Case(path_parameters=path_parameters or None, **extra)
        resp = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        assert resp.status_code < 300, (method, path, resp.status_code, resp.text[:500])
        return resp.json()

    cand = call("POST", "/api/v1/candidates", {"name": "Chain Candidate", "email": "chain@example.com"})
    search = call("POST", "/api/v1/searches", {"title": "Chain role", "client_name": "Chain Co"})
    cy = call("POST", "/api/v1/candidacies", {"search_id": search["id"], "candidate_id": cand["id"]})
    read = call("GET", "/api/v1/candidacies/{candidacy_id}", candidacy_id=cy["id"])
    assert read == cy
    moved = call(
        "POST",
        "/api/v1/candidacies/{candidacy_id}/move",
        {"stage": "contacted", "version": read["version"]},
        candidacy_id=cy["id"],
    )
    assert moved["stage"] == "contacted"
    closed = call(
        "POST",
        "/api/v1/candidacies/{candidacy_id}/close",
        {"reason": "not_a_fit", "explanation": "The role needs more SQL.", "version": moved["version"]},
        candidacy_id=cy["id"],
    )
    assert closed["stage"] == "closed" and closed["close_reason"] == "not_a_fit"
    listed = call("GET", "/api/v1/candidacies", None)
    assert cy["id"] in [row["id"] for row in listed["data"]]
