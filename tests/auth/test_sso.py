"""Single sign-on for staff against a REAL OpenID provider on loopback (oidc-provider, run by
Node): the portal is driven with the test client, the provider through its own login and
consent forms over HTTP. Sign-in, state, nonce, audience, firms kept apart, SSO required,
first sign-in accounts, unverified addresses, the admin form and the account page."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from portal.models import AuditEntry, Firm, Role, User
from portal.models.sso import SsoLink
from portal.services import sso
from tests.factories import firm_context
from tests.support.fixtures.clients import login_as


@pytest.fixture(autouse=True)
def _loopback_issuer(app):
    app.config["SSO_ALLOW_HTTP"] = True  # the provider is http://127.0.0.1:<port>
    sso._discovery.clear()
    sso._keys.clear()


def configure(client_for, site, provider, *, slug=None, **extra):
    """Set up the firm's provider through the real admin form (as its admin)."""
    admin = client_for(site.firm)
    login_as(admin, site.admin)
    client_id, secret = provider.clients[slug or site.firm.slug]
    data = {"provider_name": "Acme ID", "issuer": provider.issuer, "client_id": client_id, "client_secret": secret}
    resp = admin.post("/admin/sso", data={**data, **extra})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return admin


def at_provider(url: str, issuer: str, login: str) -> str:
    """Follow the provider's pages (its login form, then consent) as `login`; returns the
    address it finally sends the browser to (the portal's callback)."""
    browser = requests.Session()
    resp = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if resp.is_redirect:
            target = urljoin(resp.url, resp.headers["Location"])
            if not target.startswith(issuer):
                return target
            resp = browser.get(target, allow_redirects=False, timeout=10)
            continue
        assert resp.status_code == 200, resp.text[:500]
        action = unescape(re.search(r'<form[^>]*action="([^"]+)"', resp.text).group(1))
        data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', resp.text))
        if 'name="login"' in resp.text:
            data |= {"login": login, "password": "anything"}
        resp = browser.post(urljoin(resp.url, action), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def start(client):
    resp = client.get("/sso/start")
    assert resp.status_code == 302
    return resp.headers["Location"]


def callback(client, target: str):
    parts = urlsplit(target)
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client, provider, login: str):
    return callback(client, at_provider(start(client), provider.issuer, login))


def test_a_staff_member_signs_in_with_the_provider(app, firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider)
    client = client_for(firms.a.firm)
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Acme ID" in page

    url = start(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(oidc_provider.issuer)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    assert query["client_id"] == ["alpha-portal"]
    resp = callback(client, at_provider(url, oidc_provider.issuer, "recruiter@alpha.example"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/recruiter/")
    assert client.get("/recruiter/").status_code == 200

    account = client.get("/account").get_data(as_text=True)
    assert "Linked to Acme ID" in account and "Last signed in through it" in account
    with firm_context(app, firms.a.firm) as s:
        link = s.query(SsoLink).one()
        assert link.user_id == firms.a.recruiter.id and link.issuer == oidc_provider.issuer


def test_the_client_secret_is_never_shown_back(firms, client_for, oidc_provider):
    admin = configure(client_for, firms.a, oidc_provider)
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert oidc_provider.clients["alpha"][1] not in page
    assert "alpha-portal" in page and "http://alpha.localhost/sso/callback" in page
    # Saving again without a secret keeps the stored one.
    resp = admin.post(
        "/admin/sso", data={"provider_name": "Acme", "issuer": oidc_provider.issuer, "client_id": "alpha-portal"}
    )
    assert resp.status_code == 302


def test_a_wrong_issuer_is_an_error_on_the_form_not_a_500(firms, client_for):
    admin = client_for(firms.a.firm)
    login_as(admin, firms.a.admin)
    data = {"provider_name": "X", "issuer": "http://127.0.0.1:9/", "client_id": "x", "client_secret": "y"}
    resp = admin.post("/admin/sso", data=data)
    assert resp.status_code == 400 and "did not answer" in resp.get_data(as_text=True)
    resp = admin.post("/admin/sso", data={**data, "issuer": "http://example.com"})
    assert resp.status_code == 400 and "https://" in resp.get_data(as_text=True)


def test_a_wrong_state_is_refused(firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider)
    client = client_for(firms.a.firm)
    target = at_provider(start(client), oidc_provider.issuer, "recruiter@alpha.example")
    forged = re.sub(r"state=[^&]+", "state=forged", target)
    resp = callback(client, forged)
    assert resp.status_code == 303 and client.get("/recruiter/").status_code == 302
    assert "not started here" in client.get("/login").get_data(as_text=True)


def test_a_wrong_nonce_is_refused(firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider)
    client = client_for(firms.a.firm)
    target = at_provider(start(client), oidc_provider.issuer, "recruiter@alpha.example")
    with client.session_transaction(base_url=f"http://{client.host}") as stored:
        stored["sso_pending"] = {**stored["sso_pending"], "nonce": "tampered"}
    resp = callback(client, target)
    assert resp.status_code == 303 and client.get("/recruiter/").status_code == 302
    assert "could not be verified" in client.get("/login").get_data(as_text=True)


def test_a_user_of_firm_b_cannot_sign_in_to_firm_a(firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider)
    client = client_for(firms.a.firm)
    resp = sso_sign_in(client, oidc_provider, "recruiter@beta.example")
    assert resp.status_code == 303 and client.get("/recruiter/").status_code == 302
    assert "has no account at Alpha Search" in client.get("/login").get_data(as_text=True)


def test_a_token_for_another_firms_client_is_refused(app, firms, client_for, oidc_provider):
    """An ID token the provider really issued to firm B's client fails firm A's audience check."""
    configure(client_for, firms.a, oidc_provider)
    client_b = client_for(firms.b.firm)
    configure(client_for, firms.b, oidc_provider)
    target = at_provider(start(client_b), oidc_provider.issuer, "recruiter@alpha.example")
    with client_b.session_transaction(base_url=f"http://{client_b.host}") as stored:
        pending = dict(stored["sso_pending"])
    cid, secret = oidc_provider.clients["beta"]
    token = requests.post(
        f"{oidc_provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(target).query)["code"][0],
            "redirect_uri": "http://beta.localhost/sso/callback",
            "code_verifier": pending["verifier"],
        },
        auth=(cid, secret),
        timeout=10,
    ).json()
    with firm_context(app, firms.a.firm):
        row_a = sso.settings(firms.a.firm)
        with pytest.raises(sso.SsoRefused, match="could not be verified"):
            sso.check_id_token(row_a, token["id_token"], pending["nonce"])
    with firm_context(app, firms.b.firm):  # the same token is good for the client it was issued to
        assert sso.check_id_token(sso.settings(firms.b.firm), token["id_token"], pending["nonce"])["aud"]
    # And firm B's code at firm A's callback does not sign anybody in.
    client_a = client_for(firms.a.firm)
    start(client_a)
    with client_a.session_transaction(base_url=f"http://{client_a.host}") as stored:
        state = stored["sso_pending"]["state"]
    resp = client_a.get(f"/sso/callback?code=anything&state={state}")
    assert resp.status_code == 303 and client_a.get("/recruiter/").status_code == 302


def test_sso_required_refuses_staff_passwords_not_candidates(firms, client_for, auth, oidc_provider):
    configure(client_for, firms.a, oidc_provider, required="y")
    client = client_for(firms.a.firm)
    resp = auth(client).login(firms.a.recruiter.email)
    assert resp.status_code == 400 and "sign in with Acme ID" in resp.get_data(as_text=True)
    assert auth(client).login(firms.a.admin.email).status_code == 400
    assert auth(client).login(firms.a.candidate_user.email).status_code == 302
    # Firm B does not require it.
    assert auth(client_for(firms.b.firm)).login(firms.b.recruiter.email).status_code == 302
    # The provider still lets the recruiter in.
    assert sso_sign_in(client_for(firms.a.firm), oidc_provider, firms.a.recruiter.email).status_code == 302


def test_first_sign_in_creates_a_recruiter_only_for_allowed_domains(app, firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider, auto_create="y", allowed_domains="alpha.example")
    client = client_for(firms.a.firm)
    assert sso_sign_in(client, oidc_provider, "new.person@alpha.example").status_code == 302
    assert client.get("/recruiter/").status_code == 200
    other = client_for(firms.a.firm)
    assert sso_sign_in(other, oidc_provider, "stranger@elsewhere.example").status_code == 303
    with firm_context(app, firms.a.firm) as s:
        created = s.query(User).filter_by(email="new.person@alpha.example").one()
        assert created.role == Role.RECRUITER and created.password_hash is None
        assert s.query(User).filter_by(email="stranger@elsewhere.example").count() == 0
        assert s.query(AuditEntry).filter_by(action="sso.user_created").count() == 1


def test_an_unverified_email_is_refused(app, firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider, auto_create="y", allowed_domains="alpha.example")
    client = client_for(firms.a.firm)
    resp = sso_sign_in(client, oidc_provider, "unverified.recruiter@alpha.example")
    assert resp.status_code == 303 and client.get("/recruiter/").status_code == 302
    assert "has not verified" in client.get("/login").get_data(as_text=True)


def test_a_candidate_cannot_use_staff_sign_in(firms, client_for, oidc_provider):
    configure(client_for, firms.a, oidc_provider)
    client = client_for(firms.a.firm)
    assert sso_sign_in(client, oidc_provider, firms.a.candidate_user.email).status_code == 303
    assert client.get("/account").status_code == 302  # not signed in


def test_no_button_and_no_flow_without_a_provider(app, firms, client_for):
    client = client_for(firms.a.firm)
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/sso/start").headers["Location"].endswith("/login")
    assert client.get("/sso/callback?code=x&state=y").status_code == 303


def test_a_firm_that_requires_two_factor_asks_for_it_after_single_sign_on_too(app, firms, client_for, oidc_provider):
    """The firm's second factor applies however staff sign in: no session before it."""
    configure(client_for, firms.a, oidc_provider)
    with firm_context(app, firms.a.firm) as s:
        s.get(Firm, firms.a.firm.id).require_two_factor = True
    client = client_for(firms.a.firm)
    resp = callback(client, at_provider(start(client), oidc_provider.issuer, "recruiter@alpha.example"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login/two-factor/setup")
    assert client.get("/recruiter/").status_code == 302  # signed out: to the sign-in page
