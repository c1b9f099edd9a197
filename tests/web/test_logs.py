"""Logs an operator can follow: JSON lines carrying the request id (taken from X-Request-ID or
made), the firm and the job id in the worker; errors reach Sentry with personal data removed."""

from __future__ import annotations

import gzip
import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.logs import ContextFilter, _formatter, scrub_event


@pytest.fixture
def json_lines():
    """The JSON handler Portal installs, writing into a buffer; returns a reader of its lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(ContextFilter())
    handler.setFormatter(_formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_id_is_kept_or_made_and_returned(client_for, firms):
    c = client_for(firms.a.firm)
    assert c.get("/login", headers={"X-Request-ID": "lb-4f2a.9"}).headers["X-Request-ID"] == "lb-4f2a.9"
    made = c.get("/login", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert made and "<" not in made and len(made) == 32
    assert c.get("/login").headers["X-Request-ID"] != made


def test_json_lines_carry_the_request_id_and_firm(app, client_for, firms, json_lines):
    app.config["LOG_FORMAT"] = "json"
    try:
        c = client_for(firms.a.firm)
        assert c.get("/login", headers={"X-Request-ID": "req-123"}).status_code == 200
        # Anything a view logs while it runs carries the same identity.
        host = f"http://{firms.a.firm.slug}.localhost"
        with app.test_request_context("/login", base_url=host, headers={"X-Request-ID": "req-456"}):
            app.preprocess_request()
            logging.getLogger("portal.probe").warning("something to look at")
    finally:
        app.config["LOG_FORMAT"] = "text"
    lines = json_lines()
    request_line = next(line for line in lines if line["logger"] == "portal.request")
    assert request_line["request_id"] == "req-123" and request_line["status"] == 200
    assert request_line["firm"] == firms.a.firm.slug and request_line["message"] == "GET /login 200"
    probe_line = next(line for line in lines if line["message"] == "something to look at")
    assert probe_line["request_id"] == "req-456" and probe_line["firm"] == firms.a.firm.slug
    assert probe_line["level"] == "WARNING" and probe_line["logger"] == "portal.probe"


def _log_in_a_job(marker: str) -> None:
    logging.getLogger("portal.job-probe").warning(marker)


def test_the_worker_logs_carry_the_job_id(app, json_lines):
    from rq import Queue, SimpleWorker

    from portal.extensions import get_redis

    queue = Queue("log-probe-test", connection=get_redis(app))
    job = queue.enqueue(_log_in_a_job, "job-marker")
    SimpleWorker([queue], connection=get_redis(app)).work(burst=True)
    line = next(line for line in json_lines() if line["message"] == "job-marker")
    assert line["job_id"] == job.id


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        _Receiver.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_reaches_sentry_without_personal_data(app, make_app, firms, client_for):
    import sentry_sdk

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received.clear()
    try:
        built = make_app(
            {
                "PORTAL_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SQLALCHEMY_ENGINE_OPTIONS": app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                "SENTRY_DSN": f"http://public@127.0.0.1:{server.server_port}/1",
            }
        )

        @built.route("/__boom")
        def boom():
            secret = "-".join(("candidate", "secret@example.com"))  # noqa: F841 - a value the report must not carry
            raise RuntimeError("boom in a view")

        built.test_client_class = type(client_for(firms.a.firm))
        c = built.test_client()
        c.host = f"{firms.a.firm.slug}.localhost"
        built.config["PROPAGATE_EXCEPTIONS"] = False
        resp = c.get("/__boom?email=person@example.com&password=hunter2", headers={"Cookie": "s=abc"})
        assert resp.status_code == 500
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.init(dsn=None)  # later tests report nowhere
        server.shutdown()
    raw = b"".join(_Receiver.received)
    assert b"boom in a view" in raw, raw[:3000]
    for personal in (b"person@example.com", b"hunter2", b"candidate-secret@example.com", b"s=abc"):
        assert personal not in raw


def test_scrub_keeps_the_shape_and_drops_the_person():
    event = {
        "user": {"email": "a@b.c"},
        "request": {"headers": {"Authorization": "Bearer x", "User-Agent": "ua"}, "data": {"note": "n"}, "cookies": {}},
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"email": "a@b.c"}}]}}]},
    }
    cleaned = scrub_event(event)
    assert "user" not in cleaned and "data" not in cleaned["request"] and "cookies" not in cleaned["request"]
    assert cleaned["request"]["headers"] == {"Authorization": "[scrubbed]", "User-Agent": "ua"}
    assert cleaned["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "f"}]


def test_an_unknown_log_format_is_a_start_up_error(tmp_path):
    from portal.config import ConfigError, load_config

    base = {"PORTAL_ENV": "development", "PORTAL_INSTANCE_DIR": str(tmp_path)}
    assert load_config(env={**base, "PORTAL_LOG_FORMAT": " JSON "})["LOG_FORMAT"] == "json"
    with pytest.raises(ConfigError, match="PORTAL_LOG_FORMAT"):
        load_config(env={**base, "PORTAL_LOG_FORMAT": "xml"})
