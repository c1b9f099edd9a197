"""Hostile input on the forms issue 15 and 16 added (sign-in links, two-factor, single sign-on
settings, the recruiter's line about themselves): 20,000 characters, <script>, NUL bytes and
control characters give a clear answer, never a 500, and store nothing they should not."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, User
from portal.models.sso import SingleSignOn
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as

LONG = "x" * 20_000
HOSTILE = [LONG, "<script>alert(1)</script>", "a\x00b@example.com", "\x01\x02\x1b[31m", "é" * 5000]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_sign_in_link_request_answers_every_input_the_same_way(firms, client_for, smtp_sink, value):
    c = client_for(firms.a.firm)
    resp = c.post("/login/link", data={"email": value, "next": value})
    assert resp.status_code in (200, 302, 400), resp.status_code
    assert smtp_sink.messages == []


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_link_token_is_simply_not_found(firms, client_for, value):
    c = client_for(firms.a.firm)
    for method in (c.get, c.post):
        assert method(f"/login/link/{value[:3000]}").status_code in (400, 404)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_first_two_factor_code_is_refused_on_the_form(firms, client_for, value):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    c.get("/account/two-factor")  # the enrolment page: an unconfirmed key in the browser session
    resp = c.post("/account/two-factor", data={"code": value})
    assert resp.status_code == 400
    assert "error" in resp.get_data(as_text=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_single_sign_on_settings_are_refused_and_nothing_is_stored(app, firms, client_for, value):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.admin)
    data = {
        "provider_name": value,
        "issuer": value,
        "client_id": value,
        "client_secret": value,
        "allowed_domains": value,
    }
    resp = c.post("/admin/sso", data=data)
    assert resp.status_code == 400
    with firm_context(app, firms.a.firm) as s:
        assert s.scalar(select(func.count()).select_from(SingleSignOn)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("sso.%"))) == 0


@pytest.mark.parametrize("value", HOSTILE[:2])
def test_a_hostile_line_about_a_recruiter_is_refused_with_words(app, firms, client_for, value):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    resp = c.post("/recruiter/profile/about", data={"about": value}, follow_redirects=True)
    assert resp.status_code in (200, 400)
    assert "error" in resp.get_data(as_text=True)
    with firm_context(app, firms.a.firm) as s:
        assert s.get(User, firms.a.recruiter.id).about in (None, "")


def test_nul_and_control_characters_are_dropped_from_the_line_about_a_recruiter(app, firms, client_for):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    c.post("/recruiter/profile/about", data={"about": "Ten\x00 years\x01 in fintech"})
    with firm_context(app, firms.a.firm) as s:
        assert s.get(User, firms.a.recruiter.id).about == "Ten years in fintech"
