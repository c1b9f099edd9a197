"""Logging for an operator: every line says which request or job it belongs to (request id,
firm, user, job id), as text in development or as JSON lines (PORTAL_LOG_FORMAT=json) for a log
collector; errors go to Sentry when PORTAL_SENTRY_DSN is set, with personal data scrubbed.

The request id is taken from the proxy's `X-Request-ID` when it is a plain token, else made
here, and is sent back on the response so a user's report can be matched to the logs."""

from __future__ import annotations

import logging
import os
import re
import time

from flask import Flask, Response, current_app, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CONTEXT_FIELDS = ("request_id", "firm", "user_id", "job_id")
TEXT_FORMAT = "%(asctime)s %(levelname)-5s [%(name)s] %(message)s%(context)s"
# Keys whose values never leave this process in an error report (passwords, links, addresses).
SCRUBBED = re.compile(r"pass|secret|token|key|auth|cookie|session|csrf|email|phone|name|body|note|cv", re.I)


class ContextFilter(logging.Filter):
    """Adds the request's and job's identity to every record (never the person's data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        values: dict[str, str | int | None] = dict.fromkeys(CONTEXT_FIELDS)
        if has_request_context():
            values["request_id"] = g.get("request_id")
            firm = g.get("firm")
            values["firm"] = firm.slug if firm is not None else None
            user = g.get("_login_user")  # only if already loaded: logging never queries
            values["user_id"] = getattr(user, "id", None)
        try:
            from rq import get_current_job

            job = get_current_job()
            values["job_id"] = job.id if job is not None else None
        except Exception:  # noqa: BLE001 - outside a worker there is no job
            pass
        for key, value in values.items():
            setattr(record, key, value)
        shown = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
        record.context = f" ({shown})" if shown else ""
        return True


def _formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "context", "taskName"],
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(kind: str, level: int) -> None:
    """One handler on the root logger, replaced (not added) when the app is built again."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "portal", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.portal = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    handler.setFormatter(_formatter(kind))
    root.addHandler(handler)
    root.setLevel(level)


def _begin() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else os.urandom(16).hex()  # 32 hex digits, as uuid4().hex
    g.log_started = time.perf_counter()
    g.log_requests = current_app.config["LOG_FORMAT"] == "json"  # one line per request in JSON mode


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if g.get("log_requests"):
        started = g.get("log_started") or time.perf_counter()
        logging.getLogger("portal.request").info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={"status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
        )
    return response


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's before_send: keep the stack and the request's shape, drop what identifies a person."""

    def clean(value):
        if isinstance(value, dict):
            return {k: ("[scrubbed]" if SCRUBBED.search(str(k)) else clean(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    event.pop("user", None)
    req = event.get("request") or {}
    for part in ("cookies", "data", "query_string", "env"):
        req.pop(part, None)
    if "headers" in req:
        req["headers"] = clean(req["headers"])
    for exc in (event.get("exception") or {}).get("values", []):
        for frame in (exc.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)  # local variables hold the very data we must not send
    return event


def init_app(app: Flask) -> None:
    kind = app.config["LOG_FORMAT"]
    configure_logging(kind, logging.WARNING if app.config["PORTAL_ENV"] == "testing" else logging.INFO)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_finish)
    dsn = app.config.get("SENTRY_DSN")
    if dsn:
        import sentry_sdk

        sentry_sdk.init(
            dsn=dsn,
            environment=app.config["PORTAL_ENV"],
            # No user, no bodies (our own scrubber below removes the rest, on any SDK version).
            data_collection={"user_info": False, "http_bodies": []},
            include_local_variables=False,
            before_send=scrub_event,
            traces_sample_rate=0,
        )
