"""`portal demo` loads two firms whose fixed logins work on their hosts."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.models import Candidate, Firm, Role, User
from tests.factories import firm_context
from tests.support.fixtures.clients import AuthActions

DEMO_LOGINS = {
    "demo": [
        ("admin@demo.example", "/admin/"),
        ("recruiter@demo.example", "/recruiter/"),
        ("recruiter2@demo.example", "/recruiter/"),
        ("candidate@demo.example", "/me/"),
        ("candidate2@demo.example", "/me/"),
        ("candidate12@demo.example", "/me/"),
    ],
    "globex": [
        ("admin@globex.example", "/admin/"),
        ("recruiter@globex.example", "/recruiter/"),
        ("candidate@globex.example", "/me/"),
    ],
}


def _load(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _login(client, email, password):
    return AuthActions(client).login(email, password)


def test_demo_loads_and_every_listed_login_works(app, client_for):
    out = _load(app)
    password = app.config["DEMO_PASSWORD"]
    assert f"Password for every demo login: {password}" in out
    with firm_context(app) as s:
        firms = {f.slug: f for f in s.scalars(select(Firm))}
        assert set(firms) == {"demo", "globex"}
        demo_people = dict(
            s.execute(select(User.role, func.count()).where(User.firm_id == firms["demo"].id).group_by(User.role)).all()
        )
        candidates = s.scalar(select(func.count()).select_from(Candidate).where(Candidate.firm_id == firms["demo"].id))
    # Twelve demo candidates, and Priya who applied through the careers site (a portal account, no password).
    assert demo_people == {Role.ADMIN: 1, Role.RECRUITER: 2, Role.CANDIDATE: 13}
    assert candidates == 13
    for slug, logins in DEMO_LOGINS.items():
        for email, home in logins:
            c = client_for(host=f"{slug}.localhost")
            resp = _login(c, email, password)
            assert resp.status_code == 302 and resp.headers["Location"] == home, (slug, email)
            assert c.get(home).status_code == 200
    # A firm's login does not work on the other firm's host.
    assert _login(client_for(host="globex.localhost"), "candidate@demo.example", password).status_code == 400
    assert _login(client_for(host="demo.localhost"), "candidate@globex.example", password).status_code == 400


def test_demo_on_a_bare_host_with_default_firm(app, client_for):
    _load(app)
    app.config["DEFAULT_FIRM"] = "demo"
    c = client_for(host="127.0.0.1")
    page = c.get("/login")
    assert page.status_code == 200 and b"Northwind Search" in page.data
    resp = _login(c, "candidate@demo.example", app.config["DEMO_PASSWORD"])
    assert resp.status_code == 302 and resp.headers["Location"] == "/me/"
    assert b"Hello, Alex" in c.get("/me/").data
    # globex stays on its own host.
    assert b"Globex Talent" in client_for(host="globex.localhost").get("/login").data


def test_demo_can_be_loaded_again(app, client_for):
    _load(app)
    _load(app)
    with firm_context(app) as s:
        assert s.scalar(select(func.count()).select_from(Firm)) == 2
        assert s.scalar(select(func.count()).select_from(User)) == 15 + 5 + 1  # and the demo firm's applicant, once
    assert (
        _login(client_for(host="demo.localhost"), "admin@demo.example", app.config["DEMO_PASSWORD"]).status_code == 302
    )


def test_demo_password_comes_from_the_setting(app, client_for):
    app.config["DEMO_PASSWORD"] = "another-demo-pass"
    _load(app)
    c = client_for(host="demo.localhost")
    assert _login(c, "candidate@demo.example", "portal-demo").status_code == 400
    assert _login(c, "candidate@demo.example", "another-demo-pass").status_code == 302


def test_demo_leaves_other_firms_alone(app, firms):
    _load(app)
    with firm_context(app) as s:
        slugs = set(s.scalars(select(Firm.slug)))
    assert slugs == {"alpha", "beta", "demo", "globex"}
