"""Following an email's link signed out: the sign-in page says why, keeps the page the visitor
came for (`next`, a path on this site only) through each of its forms, and a password sign-in
lands exactly there. The deep links themselves (one per message kind): tests/worker/test_deep_links.py."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from portal.models import Stage
from tests.factories import PASSWORD
from tests.support import candidate as portal_data

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
NEXT_FIELD = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


@pytest.fixture
def consent_path(app, firms):
    """The page a consent email links to, for firm A's candidate."""
    a = firms.a
    cy = portal_data.add(app, a, portal_data.make_search(app, a), a.candidate, Stage.SCREENING)
    consent = portal_data.request_consent(app, a, cy.id)
    return f"/me/consents/{consent.id}"


def test_a_signed_out_visitor_is_asked_to_sign_in_and_lands_on_the_page(client_for, firms, consent_path):
    c = client_for(firms.a.firm)
    resp = c.get(consent_path)
    assert resp.status_code == 302
    login = resp.headers["Location"]
    assert urlsplit(login).path == "/login" and parse_qs(urlsplit(login).query)["next"] == [consent_path]
    page = c.get(login).get_data(as_text=True)
    assert "Sign in to see this page." in page
    forms = FORM.findall(page)
    assert forms and all(NEXT_FIELD.findall(f) == [consent_path] for f in forms if 'method="post"' in f), (
        "every form of the sign-in page carries next"
    )
    landed = c.post(login, data={"email": firms.a.candidate_user.email, "password": PASSWORD})
    assert landed.status_code == 302 and landed.headers["Location"] == consent_path
    assert c.get(consent_path).status_code == 200


def test_next_in_the_form_alone_is_enough(client_for, firms, consent_path):
    """The hidden field carries next when the form is posted without the query string."""
    c = client_for(firms.a.firm)
    resp = c.post("/login", data={"email": firms.a.candidate_user.email, "password": PASSWORD, "next": consent_path})
    assert resp.status_code == 302 and resp.headers["Location"] == consent_path


def test_a_wrong_password_keeps_next(client_for, firms, consent_path):
    c = client_for(firms.a.firm)
    resp = c.post(f"/login?next={quote(consent_path)}", data={"email": firms.a.candidate_user.email, "password": "no"})
    assert resp.status_code == 400
    assert NEXT_FIELD.findall(resp.get_data(as_text=True)) == [consent_path]
    ok = c.post(
        f"/login?next={quote(consent_path)}", data={"email": firms.a.candidate_user.email, "password": PASSWORD}
    )
    assert ok.headers["Location"] == consent_path


def test_without_next_the_page_says_nothing_and_sign_in_goes_home(client_for, firms):
    c = client_for(firms.a.firm)
    page = c.get("/login").get_data(as_text=True)
    assert "Sign in to see this page" not in page and not NEXT_FIELD.findall(page)
    resp = c.post("/login", data={"email": firms.a.candidate_user.email, "password": PASSWORD})
    assert resp.headers["Location"] == "/me/"


@pytest.mark.parametrize(
    "target", ["//evil.example/me/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "me/consents/1"]
)
def test_a_next_off_this_site_is_dropped(client_for, firms, target):
    """Only a path on this site: anything else is neither shown, nor kept, nor followed."""
    c = client_for(firms.a.firm)
    page = c.get(f"/login?next={quote(target)}").get_data(as_text=True)
    assert "Sign in to see this page" not in page and not NEXT_FIELD.findall(page)
    for data in ({"next": target}, {}):
        url = "/login" if data else f"/login?next={quote(target)}"
        fresh = client_for(firms.a.firm)
        resp = fresh.post(url, data={"email": firms.a.candidate_user.email, "password": PASSWORD, **data})
        assert resp.status_code == 302 and resp.headers["Location"] == "/me/"


def test_another_candidate_who_follows_the_link_gets_a_404(app, client_for, firms, consent_path):
    """A forwarded email: the link carries no credential, so the reader signs in as themselves
    and the other candidate's consent is not theirs."""
    from tests.factories import make_candidate

    other = make_candidate(app, firms.a.firm, email="friend@alpha.example")
    c = client_for(firms.a.firm)
    resp = c.post(f"/login?next={quote(consent_path)}", data={"email": other.email, "password": PASSWORD})
    assert resp.headers["Location"] == consent_path
    assert c.get(consent_path).status_code == 404
