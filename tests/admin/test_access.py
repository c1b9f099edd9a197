"""Who may open firm administration, and that another firm's ids are a 404."""

import re

import pytest
from sqlalchemy import select

from portal.models import FirmDomain, User, WebhookDelivery, WebhookEndpoint
from portal.services import branding
from tests.factories import firm_context
from tests.support.admin import admin_client
from tests.support.fixtures.clients import login_as
from tests.support.webhooks import make_endpoint, new_candidate


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def build(rule, ids: dict[str, int]) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def requests_for(app, ids):
    """(method, url) for every admin route and method: new routes are covered by default."""
    out = []
    for rule in admin_rules(app):
        url = build(rule, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def test_every_admin_route_is_covered(app):
    endpoints = {r.endpoint for r in admin_rules(app)}
    assert {
        "admin.home",
        "admin.settings",
        "admin.logo",
        "admin.domains",
        "admin.staff_list",
        "admin.deactivate",
        "admin.audit_log",
    } <= endpoints


@pytest.mark.parametrize("who", ["recruiter", "candidate_user"])
def test_admin_pages_refused_to_recruiters_and_candidates(app, firms, client_for, who):
    ns = firms.a
    with firm_context(app, ns.firm):
        domain = branding.add_domain(ns.firm, None, "careers.alpha-search.com")
    c = client_for(ns.firm)
    login_as(c, getattr(ns, who))
    endpoint = make_endpoint(app, ns, "http://127.0.0.1:9/hook")
    ids = {
        "user_id": ns.recruiter.id,
        "domain_id": domain.id,
        "endpoint_id": endpoint.id,
        "delivery_id": 1,
        "key_id": 1,
        "lang": "de",
    }
    for method, url in requests_for(app, ids):
        resp = c.open(url, method=method, data={"role": "admin", "domain": "x.example.com", "name": "X"})
        assert resp.status_code == 403, (method, url, resp.status_code)
    with firm_context(app, ns.firm) as s:
        assert s.get(User, ns.recruiter.id).role.value == "recruiter"
        assert s.get(FirmDomain, domain.id) is not None
        assert s.get(WebhookEndpoint, endpoint.id).enabled


def test_admin_pages_send_anonymous_visitors_to_sign_in(app, firms, client_for):
    c = client_for(firms.a.firm)
    ids = {
        "user_id": firms.a.recruiter.id,
        "domain_id": 1,
        "endpoint_id": 1,
        "delivery_id": 1,
        "key_id": 1,
        "lang": "de",
    }
    for method, url in requests_for(app, ids):
        resp = c.open(url, method=method)
        assert resp.status_code == 302, (method, url)
        assert "/login" in resp.headers["Location"]


def test_firm_b_ids_are_404_for_a_firm_a_admin(app, firms, client_for):
    with firm_context(app, firms.b.firm):
        b_domain = branding.add_domain(firms.b.firm, None, "jobs.beta-search.com")
    b_endpoint = make_endpoint(app, firms.b, "http://127.0.0.1:9/hook")
    new_candidate(app, firms.b)  # a delivery to firm B's endpoint
    with firm_context(app, firms.b.firm) as s:
        b_delivery = s.scalar(select(WebhookDelivery.id))
    c = admin_client(client_for, firms.a)
    ids = {
        "user_id": firms.b.recruiter.id,
        "domain_id": b_domain.id,
        "endpoint_id": b_endpoint.id,
        "delivery_id": b_delivery,
        "key_id": 2**31 - 1,
        "lang": "de",
    }
    id_routes = [(m, u) for m, u in requests_for(app, ids) if str(b_domain.id) in u or str(firms.b.recruiter.id) in u]
    assert len(id_routes) >= 6
    for method, url in id_routes:
        if f"/staff/{firms.b.recruiter.id}" not in url and "/domains/" not in url and "/webhooks/" not in url:
            continue
        resp = c.open(url, method=method, data={"role": "admin", "reassign_to": firms.a.recruiter.id})
        assert resp.status_code == 404, (method, url, resp.status_code)
    with firm_context(app, firms.b.firm) as s:
        rec = s.get(User, firms.b.recruiter.id)
        assert rec.active and rec.role.value == "recruiter"
        assert s.scalar(select(FirmDomain).where(FirmDomain.id == b_domain.id)) is not None
        endpoint = s.get(WebhookEndpoint, b_endpoint.id)
        assert endpoint.enabled and endpoint.secret == b_endpoint.secret


def test_a_candidate_account_is_not_staff(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.get(f"/admin/staff/{firms.a.candidate_user.id}").status_code == 404
    assert (
        c.post(
            f"/admin/staff/{firms.a.candidate_user.id}/deactivate", data={"reassign_to": firms.a.recruiter.id}
        ).status_code
        == 404
    )


def test_firm_a_session_is_not_valid_on_firm_b(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    cookie = c.get_cookie("session", domain="alpha.localhost")
    assert cookie is not None
    c.set_cookie("session", cookie.value, domain="beta.localhost")
    c.host = "beta.localhost"
    resp = c.get("/admin/settings")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    resp = c.post("/admin/settings", data={"name": "Hijacked", "primary_color": "#000000", "accent_color": "#000000"})
    assert resp.status_code == 302
    with firm_context(app) as s:
        from portal.models import Firm

        assert s.get(Firm, firms.b.firm.id).name == "Beta Search"


def test_settings_of_one_firm_never_show_on_another(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post(
        "/admin/settings",
        data={
            "name": "Alpha Talent",
            "primary_color": "#112233",
            "accent_color": "#445566",
            "support_email": "help@alpha.example",
            "welcome_md": "Hello from **Alpha**",
        },
    )
    assert resp.status_code == 302
    b = client_for(firms.b.firm)
    css = b.get("/brand.css").get_data(as_text=True)
    assert "#112233" not in css and "#445566" not in css
    page = b.get("/login").get_data(as_text=True)
    assert "Alpha" not in page and "help@alpha.example" not in page
    a_page = client_for(firms.a.firm).get("/login").get_data(as_text=True)
    assert "Alpha Talent" in a_page and "<strong>Alpha</strong>" in a_page


def test_admin_forms_need_the_csrf_token(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    app.config["WTF_CSRF_ENABLED"] = True
    resp = c.post("/admin/settings", data={"name": "No Token", "primary_color": "#000000", "accent_color": "#000000"})
    assert resp.status_code == 400
    assert (
        c.post(f"/admin/staff/{firms.a.recruiter.id}/deactivate", data={"reassign_to": firms.a.admin.id}).status_code
        == 400
    )
    assert c.post("/admin/domains", data={"domain": "careers.alpha-search.com"}).status_code == 400
    with firm_context(app) as s:
        from portal.models import Firm

        assert s.get(Firm, firms.a.firm.id).name == "Alpha Search"
        assert s.get(User, firms.a.recruiter.id).active
    # With the token from the page, the same form goes through.
    page = c.get("/admin/settings").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = c.post(
        "/admin/settings",
        data={"csrf_token": token, "name": "With Token", "primary_color": "#000000", "accent_color": "#000000"},
    )
    assert resp.status_code == 302


@pytest.mark.parametrize(
    "url,data",
    [
        ("/admin/staff/{rid}", {"role": "x" * 20_000}),
        ("/admin/staff/{rid}/deactivate", {"reassign_to": "x" * 20_000}),
        ("/admin/staff/{rid}/deactivate", {"reassign_to": "9" * 20_000}),
    ],
)
def test_huge_values_in_staff_forms_give_a_form_error(app, firms, client_for, url, data):
    c = admin_client(client_for, firms.a)
    resp = c.post(url.format(rid=firms.a.recruiter.id), data=data)
    assert resp.status_code == 400
    assert "Please correct the highlighted" in resp.get_data(as_text=True)
    with firm_context(app, firms.a.firm) as s:
        rec = s.get(User, firms.a.recruiter.id)
        assert rec.active and rec.role.value == "recruiter"
