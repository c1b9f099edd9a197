"""Fixtures for the worker's tests: test-only email templates, a private Redis per test
(safe to stop and flush), and the app pointed at it."""
from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader

from tests.services import RedisProcess

TEST_TEMPLATES = {
    # Stand-ins for the event messages the recruiter services write (stage moved, feedback ...)
    "email/stage_moved.txt": "{% set subject %}Update: {{ change }}{% endset %}Hello {{ to_name }},\n\n{{ change }}.\n",
    "email/stage_moved.html": '{% extends "email/layout.html" %}{% block body %}<p>Hello {{ to_name }},</p>'
                              "<p>{{ change }}.</p>{% endblock %}",
    "email/feedback.txt": "{% set subject %}Feedback: {{ change }}{% endset %}Hello {{ to_name }},\n\n{{ change }}.\n",
    "email/test_event.txt": "{% set subject %}Event: {{ change }}{% endset %}Hello {{ to_name }},\n\n{{ change }}.\n",
}


@pytest.fixture(scope="session", autouse=True)
def _test_templates(app):
    loader = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEST_TEMPLATES), loader])
    yield
    app.jinja_env.loader = loader


@pytest.fixture
def private_redis(app):
    """A Redis of this test's own, and the app using it (restored afterwards)."""
    proc = RedisProcess().start()
    saved_url = app.config["REDIS_URL"]
    saved_conn = app.extensions.pop("portal_redis", None)
    app.config["REDIS_URL"] = proc.url
    yield proc
    app.extensions.pop("portal_redis", None)
    if saved_conn is not None:
        app.extensions["portal_redis"] = saved_conn
    app.config["REDIS_URL"] = saved_url
    proc.stop()


@pytest.fixture
def run_jobs(app):
    """Like tests/conftest.py's run_jobs (queued jobs run in-process by a real RQ
    SimpleWorker in burst mode), without the pub/sub listener thread whose shutdown costs
    a second per call."""
    from rq import Queue, SimpleWorker

    from portal.extensions import DEFAULT, MESSAGES, get_redis, queue_name

    class QuietWorker(SimpleWorker):
        def subscribe(self):  # worker commands over pub/sub are not used in tests
            self.pubsub_thread = None

    def run(queues=(DEFAULT, MESSAGES)) -> int:
        conn = get_redis(app)
        qs = [Queue(queue_name(q, app), connection=conn) for q in queues]
        before = sum(q.count for q in qs)
        QuietWorker(qs, connection=conn).work(burst=True, logging_level="WARNING")
        return before

    return run
