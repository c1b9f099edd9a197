"""Test fixtures: real SQLite/PostgreSQL, real Redis, a real SMTP sink, firm-A/firm-B pairs.

The fixtures live in tests/support/fixtures/, one module per domain (indico style)."""

pytest_plugins = [
    "tests.support.fixtures.app",
    "tests.support.fixtures.clients",
    "tests.support.fixtures.queries",
    "tests.support.fixtures.redis",
    "tests.support.fixtures.worker",
    "tests.support.fixtures.browser",
    "tests.support.fixtures.dns",
    "tests.support.fixtures.candidate",
    "tests.support.fixtures.recruiter",
    "tests.support.fixtures.oidc",
    "tests.support.fixtures.s3",
    "tests.support.fixtures.api",
]
