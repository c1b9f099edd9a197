"""The benchmark's ceiling page: only with BENCH_CEILING, login required, the firm's 20
newest messages, one query beyond the firm and the user."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import Audience, Message, MessageState
from tests.factories import firm_context
from tests.support.apps import extra_app
from tests.support.fixtures.clients import FirmClient, login_as


@pytest.fixture
def ceiling_app(app):
    """A second app on the same database and services, with the ceiling page registered."""
    overrides = {
        k: app.config[k]
        for k in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "UPLOAD_DIR", "MAIL_CATCHER_DIR", "BASE_DOMAIN")
    }
    with extra_app(
        app,
        {
            **overrides,
            "PORTAL_ENV": "testing",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "DEFAULT_FIRM": None,
            "BENCH_CEILING": True,
        },
    ) as capp:
        capp.test_client_class = FirmClient
        yield capp


def _messages(app, firm, n, prefix):
    with firm_context(app, firm) as session:
        for i in range(n):
            session.add(
                Message(
                    firm_id=firm.id,
                    kind="generic",
                    audience=Audience.CANDIDATE,
                    to_email="x@example.com",
                    to_name=f"{prefix} person {i}",
                    subject=f"{prefix} subject {i:02d}",
                    body_text="t",
                    body_html="<p>t</p>",
                    dedupe_key=f"{prefix}:{i}",
                    state=MessageState.SENT,
                )
            )


def test_not_registered_unless_configured(app, firms, client_for):
    assert "bench_ceiling.ceiling" not in app.view_functions
    client = client_for(firms.a.firm)
    login_as(client, firms.a.recruiter)
    assert client.get("/bench/ceiling").status_code == 404


def test_ceiling_needs_login_and_shows_only_the_firms_20_newest(app, ceiling_app, firms):
    _messages(app, firms.a.firm, 25, "alpha")
    _messages(app, firms.b.firm, 3, "beta")
    client = ceiling_app.test_client()
    client.host = f"{firms.a.firm.slug}.localhost"
    anonymous = client.get("/bench/ceiling")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as(client, firms.a.candidate_user)
    statements = []
    with ceiling_app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        resp = client.get("/bench/ceiling")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "alpha subject 24" in html and "alpha subject 05" in html
    assert "alpha subject 04" not in html  # only the 20 newest
    assert "beta subject" not in html  # never another firm's
    assert len(statements) == 2  # the user, the 20 rows (the firm: the per-host cache, warm after the login)
    assert 3_000 < len(resp.data) < 12_000  # about 5 KB of HTML
