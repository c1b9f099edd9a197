"""Custom domains: validated, proved by a DNS TXT record before they serve the firm's portal,
and never blocked by another firm's claim (a real DNS server on loopback answers)."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.models import FirmDomain, utcnow
from portal.services import branding
from tests.factories import firm_context
from tests.support.admin import admin_client, audit_entries
from tests.support.dns_server import publish_proof, verified_domain


def domains_of(app, firm):
    with firm_context(app, firm) as s:
        return [d.domain for d in s.scalars(select(FirmDomain).order_by(FirmDomain.domain))]


def row_of(app, firm, domain):
    with firm_context(app, firm) as s:
        return s.scalar(select(FirmDomain).where(FirmDomain.domain == domain))


def test_a_domain_serves_the_portal_only_once_dns_proves_it(app, firms, client_for, dns_zone):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/domains", data={"domain": " Careers.Alpha-Search.COM. "})
    assert resp.status_code == 302
    assert domains_of(app, firms.a.firm) == ["careers.alpha-search.com"]
    # Pending: it serves nothing yet, and the page says which record to publish.
    assert client_for(host="careers.alpha-search.com").get("/login").status_code == 404
    row = row_of(app, firms.a.firm, "careers.alpha-search.com")
    assert row.verified_at is None and len(row.verification_token) >= 24
    listing = c.get("/admin/domains").get_data(as_text=True)
    assert "Pending" in listing
    assert "_portal-verification.careers.alpha-search.com" in listing
    assert f"portal-verification={row.verification_token}" in listing
    # Checked before the record exists: still pending, with a reason the admin can act on.
    resp = c.post(f"/admin/domains/{row.id}/verify", follow_redirects=True)
    assert "not verified yet" in resp.get_data(as_text=True)
    assert "_portal-verification.careers.alpha-search.com" in dns_zone.queries
    row = row_of(app, firms.a.firm, "careers.alpha-search.com")
    assert row.verified_at is None and row.last_checked_at is not None and "No TXT record" in row.last_check_error
    assert client_for(host="careers.alpha-search.com").get("/login").status_code == 404
    # A wrong value does not count either.
    dns_zone.publish("_portal-verification.careers.alpha-search.com", "portal-verification=someone-else")
    c.post(f"/admin/domains/{row.id}/verify")
    assert row_of(app, firms.a.firm, "careers.alpha-search.com").verified_at is None
    # The right record (among others at the same name): verified, and now it serves firm A.
    dns_zone.publish(
        "_portal-verification.careers.alpha-search.com", "v=spf1 -all", f"portal-verification={row.verification_token}"
    )
    resp = c.post(f"/admin/domains/{row.id}/verify", follow_redirects=True)
    assert "is verified and now serves your portal" in resp.get_data(as_text=True)
    page = client_for(host="careers.alpha-search.com").get("/login")
    assert page.status_code == 200 and "Sign in to Alpha Search" in page.get_data(as_text=True)
    assert "Verified" in c.get("/admin/domains").get_data(as_text=True)
    assert c.post(f"/admin/domains/{row.id}/remove").status_code == 302
    assert domains_of(app, firms.a.firm) == []
    assert client_for(host="careers.alpha-search.com").get("/login").status_code == 404
    assert [(e.action, e.target) for e in audit_entries(app, firms.a.firm)] == [
        ("domain.added", "careers.alpha-search.com"),
        ("domain.verified", "careers.alpha-search.com"),
        ("domain.removed", "careers.alpha-search.com"),
    ]


def test_a_claim_made_first_does_not_block_the_domains_owner(app, firms, client_for, dns_zone):
    """Firm B claims firm A's domain before A does: A can still add it, prove it and be served on it."""
    with firm_context(app, firms.b.firm):
        branding.add_domain(firms.b.firm, None, "careers.alpha-search.com")
    c = admin_client(client_for, firms.a)
    assert c.post("/admin/domains", data={"domain": "careers.alpha-search.com"}).status_code == 302
    assert domains_of(app, firms.a.firm) == ["careers.alpha-search.com"]
    publish_proof(app, dns_zone, firms.a.firm, "careers.alpha-search.com")
    row = row_of(app, firms.a.firm, "careers.alpha-search.com")
    c.post(f"/admin/domains/{row.id}/verify")
    page = client_for(host="careers.alpha-search.com").get("/login")
    assert page.status_code == 200 and "Alpha Search" in page.get_data(as_text=True)
    # B's claim stays pending: A's record proves nothing for B.
    b_row = row_of(app, firms.b.firm, "careers.alpha-search.com")
    b = admin_client(client_for, firms.b)
    b.post(f"/admin/domains/{b_row.id}/verify")
    assert row_of(app, firms.b.firm, "careers.alpha-search.com").verified_at is None
    # Neither firm's page shows the other's claim.
    assert "beta" not in c.get("/admin/domains").get_data(as_text=True).lower().replace("beta search", "")
    assert b.get("/admin/domains").get_data(as_text=True).count("careers.alpha-search.com") >= 1
    assert row.verification_token not in b.get("/admin/domains").get_data(as_text=True)


def test_a_verified_domain_belongs_to_one_firm_only(app, firms, client_for, dns_zone):
    verified_domain(app, dns_zone, firms.b.firm, "jobs.beta-search.com")
    c = admin_client(client_for, firms.a)
    assert c.post("/admin/domains", data={"domain": "jobs.beta-search.com"}).status_code == 302
    row = row_of(app, firms.a.firm, "jobs.beta-search.com")
    # A publishes its record too, but B's is still there: B keeps the domain.
    b_record = dns_zone.txt["_portal-verification.jobs.beta-search.com"]
    dns_zone.publish(
        "_portal-verification.jobs.beta-search.com", *b_record, f"portal-verification={row.verification_token}"
    )
    resp = c.post(f"/admin/domains/{row.id}/verify", follow_redirects=True)
    assert "verified by another portal" in resp.get_data(as_text=True)
    page = client_for(host="jobs.beta-search.com").get("/login")
    assert page.status_code == 200 and "Beta Search" in page.get_data(as_text=True)
    home = c.get("/admin/").get_data(as_text=True)
    assert 'jobs.beta-search.com <span class="badge warn">Pending</span>' in home


def test_a_domain_moves_to_the_firm_that_proves_it_now(app, firms, client_for, dns_zone):
    """B verified the domain once, then the domain changed hands: B's record is gone and A's is there."""
    verified_domain(app, dns_zone, firms.b.firm, "careers.shared.example")
    dns_zone.clear()
    with firm_context(app, firms.a.firm):
        row_id = branding.add_domain(firms.a.firm, None, "careers.shared.example").id
    publish_proof(app, dns_zone, firms.a.firm, "careers.shared.example")
    admin_client(client_for, firms.a).post(f"/admin/domains/{row_id}/verify")
    assert "Alpha Search" in client_for(host="careers.shared.example").get("/login").get_data(as_text=True)
    b_row = row_of(app, firms.b.firm, "careers.shared.example")
    assert b_row.verified_at is None and "Another portal proved control" in b_row.last_check_error
    assert [e.action for e in audit_entries(app, firms.b.firm)][-1] == "domain.lost"


def test_only_one_verified_claim_per_domain_in_the_database(app, firms):
    """Two firms verifying one name at the same instant: the partial unique index decides."""
    with firm_context(app) as s:
        for ns in (firms.a, firms.b):
            s.add(
                FirmDomain(
                    firm_id=ns.firm.id,
                    domain="race.example.com",
                    verification_token=f"t{ns.firm.id}",
                    verified_at=utcnow(),
                )
            )
        with pytest.raises(IntegrityError):
            s.flush()
        s.rollback()


def test_a_silent_dns_server_leaves_the_domain_pending_with_a_reason(app, firms, client_for, dns_zone):
    dns_zone.silent.add("_portal-verification.slow.alpha-search.com")
    with firm_context(app, firms.a.firm):
        row_id = branding.add_domain(firms.a.firm, None, "slow.alpha-search.com").id
    resp = admin_client(client_for, firms.a).post(f"/admin/domains/{row_id}/verify", follow_redirects=True)
    assert resp.status_code == 200 and "did not answer in time" in resp.get_data(as_text=True)
    assert row_of(app, firms.a.firm, "slow.alpha-search.com").verified_at is None


def test_the_worker_checks_pending_domains_every_hour_for_a_week(app, firms, client_for, dns_zone, run_jobs):
    from datetime import timedelta

    from worker import jobs

    with firm_context(app, firms.a.firm):
        fresh = branding.add_domain(firms.a.firm, None, "fresh.alpha-search.com").id
        old = branding.add_domain(firms.a.firm, None, "old.alpha-search.com").id
    with firm_context(app, firms.a.firm) as s:
        s.get(FirmDomain, old).created_at = utcnow() - timedelta(days=8)
    for name in ("fresh.alpha-search.com", "old.alpha-search.com"):
        publish_proof(app, dns_zone, firms.a.firm, name)
    with app.app_context():
        jobs.tick()
    run_jobs()
    with firm_context(app, firms.a.firm) as s:
        assert s.get(FirmDomain, fresh).verified_at is not None
        assert s.get(FirmDomain, old).verified_at is None  # past the week: the admin checks by hand
    assert client_for(host="fresh.alpha-search.com").get("/login").status_code == 200


def test_email_links_use_only_a_verified_domain(app, firms, dns_zone):
    from portal.models import Firm
    from portal.web.templating import external_url

    with firm_context(app, firms.a.firm):
        branding.add_domain(firms.a.firm, None, "pending.alpha-search.com")
    with firm_context(app, firms.a.firm) as s:
        assert external_url(s.get(Firm, firms.a.firm.id), "auth.login").startswith("http://alpha.localhost")
    verified_domain(app, dns_zone, firms.a.firm, "careers.alpha-search.com")
    with firm_context(app, firms.a.firm) as s:
        assert external_url(s.get(Firm, firms.a.firm.id), "auth.login") == "http://careers.alpha-search.com/login"


def test_the_same_firm_cannot_add_a_domain_twice(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    assert c.post("/admin/domains", data={"domain": "careers.alpha-search.com"}).status_code == 302
    resp = c.post("/admin/domains", data={"domain": "Careers.Alpha-Search.com"})
    assert resp.status_code == 400 and "already on this firm" in resp.get_data(as_text=True)
    assert domains_of(app, firms.a.firm) == ["careers.alpha-search.com"]


def test_firm_b_domain_cannot_be_verified_from_firm_a(app, firms, client_for, dns_zone):
    with firm_context(app, firms.b.firm):
        row = branding.add_domain(firms.b.firm, None, "jobs.beta-search.com")
    publish_proof(app, dns_zone, firms.b.firm, "jobs.beta-search.com")
    assert admin_client(client_for, firms.a).post(f"/admin/domains/{row.id}/verify").status_code == 404
    assert row_of(app, firms.b.firm, "jobs.beta-search.com").verified_at is None
    assert dns_zone.queries == []


@pytest.mark.parametrize(
    "value",
    [
        "http://careers.example.com",
        "careers.example.com/jobs",
        "localhost",
        "127.0.0.1",
        "example",
        "exa mple.com",
        "-bad.example.com",
        "a..b.com",
        "alpha.localhost",
        "localhost.",
        "x" * 20_000,
        "<script>.com",
        "",
        "*.example.com",
        "careers.example.com:8080",
    ],
)
def test_bad_domains_are_refused(app, firms, client_for, value):
    resp = admin_client(client_for, firms.a).post("/admin/domains", data={"domain": value})
    assert resp.status_code == 400
    assert domains_of(app, firms.a.firm) == []


def test_at_most_ten_domains(app, firms, client_for):
    with firm_context(app, firms.a.firm):
        for i in range(branding.MAX_DOMAINS):
            branding.add_domain(firms.a.firm, None, f"d{i}.alpha-search.com")
    resp = admin_client(client_for, firms.a).post("/admin/domains", data={"domain": "more.alpha-search.com"})
    assert resp.status_code == 400 and "at most 10" in resp.get_data(as_text=True)


def test_firm_b_domain_cannot_be_removed_from_firm_a(app, firms, client_for):
    with firm_context(app, firms.b.firm):
        row = branding.add_domain(firms.b.firm, None, "jobs.beta-search.com")
    c = admin_client(client_for, firms.a)
    assert c.post(f"/admin/domains/{row.id}/remove").status_code == 404
    assert domains_of(app, firms.b.firm) == ["jobs.beta-search.com"]
    with firm_context(app, firms.a.firm):
        with pytest.raises(branding.NotFound):
            branding.remove_domain(firms.a.firm, None, row.id)


@pytest.mark.browser
def test_the_domains_page_on_a_phone(app, browser, firms, live_server, dns_zone):
    """A pending domain's DNS record reads on a 375 px phone without sideways scrolling."""
    from tests.factories import PASSWORD
    from tests.support.fixtures.browser import screenshot

    with firm_context(app, firms.a.firm):
        branding.add_domain(firms.a.firm, None, "careers.alpha-search-partners-international.com")
    verified_domain(app, dns_zone, firms.a.firm, "jobs.alpha-search.com")
    phone = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    try:
        page = phone.new_page()
        page.goto(live_server.url(firms.a.firm, "/login"))
        page.fill("#email", firms.a.admin.email)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/admin/**")
        page.goto(live_server.url(firms.a.firm, "/admin/domains"))
        text = page.locator("main").inner_text()
        assert "Pending" in text and "Verified" in text
        assert "_portal-verification.careers.alpha-search-partners-international.com" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, "admin-domains-phone")
    finally:
        phone.close()
