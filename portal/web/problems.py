"""RFC 9457 problem details: every error of the API (a refusal, a bad field, an unknown route,
a wrong method, a rate limit, a bug) is `application/problem+json` with type, title, status,
detail and, for bad input, field-level `errors`. Never a traceback, never an HTML page."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"
TYPES = {409: "conflict", 422: "invalid-request", 401: "unauthorized", 403: "forbidden", 429: "rate-limited"}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    kind: str | None = None,
) -> Response:
    """A problem-details response; `kind` names the problem type (a fragment of the reference page)."""
    kind = kind or TYPES.get(status)
    body: dict = {
        "type": f"{request.host_url.rstrip('/')}/api/v1/docs#problem-{kind}" if kind else "about:blank",
        "title": _title(status),
        "status": status,
        "detail": detail or _title(status),
    }
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def field_errors(messages) -> dict[str, list[str]]:
    """webargs' nested messages ({"json": {"name": ["..."]}}) as {"name": ["..."]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            out.setdefault(prefix or "_", []).extend(value)
        else:
            out.setdefault(prefix or "_", []).append(str(value))

    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            walk("", fields)
        else:
            walk(str(location), fields)
    return out


def from_http_exception(exc: HTTPException) -> Response:
    """An HTTP error raised anywhere under /api/ as a problem."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = field_errors(data.get("messages")) if isinstance(data, dict) else {}
    detail = exc.description if status not in (404, 405, 500) else None
    if status in (400, 422) and errors:
        detail = "Some fields are not valid: " + "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items())
    headers = {}
    allowed = getattr(exc, "valid_methods", None)
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    if status == 429:
        retry = getattr(exc, "retry_after", None)
        headers["Retry-After"] = str(retry or 60)
        detail = "Too many requests for this API key; wait before trying again."
    if status == 404:
        detail = "No such resource here."
    if status == 405:
        detail = f"{request.method} is not allowed here."
    return problem(status, detail, errors or None, headers)
