"""The worker tests record messages with test-only email templates
(tests/support/fixtures/worker.py): every test here has them."""

from __future__ import annotations

import pytest

from tests.support.fixtures.worker import with_test_templates


@pytest.fixture(scope="session", autouse=True)
def _test_templates(app):
    with with_test_templates(app):
        yield
