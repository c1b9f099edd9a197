"""The shared test harness: real services (Redis, SMTP sink, PostgreSQL, DNS; the Redis and SMTP
starters are portal/devtools/harness.py's), per-domain builders, and the fixture modules
(tests/support/fixtures/*.py) that tests/conftest.py registers. Never imported by portal/."""
