"""The worker tests' own fixture: test-only email templates (for these tests only, so it
stays here; private_redis and run_jobs are the shared ones in tests/support/fixtures/)."""
from __future__ import annotations

import pytest
from jinja2 import ChoiceLoader, DictLoader


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
