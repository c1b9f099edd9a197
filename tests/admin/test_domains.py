"""Custom domains: validated, unique across firms, and they serve the firm's portal."""
import pytest
from sqlalchemy import select

from portal.models import FirmDomain
from portal.services import branding
from tests.admin.helpers import admin_client, audit_entries
from tests.factories import firm_context


def domains_of(app, firm):
    with firm_context(app, firm) as s:
        return [d.domain for d in s.scalars(select(FirmDomain).order_by(FirmDomain.domain))]


def test_add_and_remove_a_domain(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/domains", data={"domain": " Careers.Alpha-Search.COM. "})
    assert resp.status_code == 302
    assert domains_of(app, firms.a.firm) == ["careers.alpha-search.com"]
    page = client_for(firms.a.firm, host="careers.alpha-search.com").get("/login")
    assert page.status_code == 200 and "Sign in to Alpha Search" in page.get_data(as_text=True)
    listing = c.get("/admin/domains").get_data(as_text=True)
    assert "careers.alpha-search.com" in listing
    with firm_context(app, firms.a.firm) as s:
        domain_id = s.scalar(select(FirmDomain.id))
    assert c.post(f"/admin/domains/{domain_id}/remove").status_code == 302
    assert domains_of(app, firms.a.firm) == []
    assert client_for(firms.a.firm, host="careers.alpha-search.com").get("/login").status_code == 404
    assert [(e.action, e.target) for e in audit_entries(app, firms.a.firm)] == [
        ("domain.added", "careers.alpha-search.com"), ("domain.removed", "careers.alpha-search.com")]


def test_a_domain_belongs_to_one_firm_only(app, firms, client_for):
    with firm_context(app, firms.b.firm):
        branding.add_domain(firms.b.firm, None, "jobs.beta-search.com")
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/domains", data={"domain": "jobs.beta-search.com"})
    assert resp.status_code == 400
    assert "already in use" in resp.get_data(as_text=True)
    assert domains_of(app, firms.a.firm) == []
    # The page of firm A lists none of firm B's domains.
    assert "beta-search" not in c.get("/admin/domains").get_data(as_text=True)
    assert "beta-search" not in c.get("/admin/").get_data(as_text=True)


def test_two_firms_adding_one_domain_at_the_same_instant(app, firms, client_for, monkeypatch):
    """The second insert meets the unique constraint (the check ran before the first commit):
    a form error, not a 500, and the firm can go on."""
    from portal.services import firms as firm_service

    with firm_context(app, firms.b.firm):
        branding.add_domain(firms.b.firm, None, "jobs.beta-search.com")
    monkeypatch.setattr(firm_service, "_in_use", lambda domain: False)  # the race window
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/domains", data={"domain": "jobs.beta-search.com"})
    assert resp.status_code == 400
    assert "already in use" in resp.get_data(as_text=True)
    assert domains_of(app, firms.a.firm) == []
    assert domains_of(app, firms.b.firm) == ["jobs.beta-search.com"]
    assert c.post("/admin/domains", data={"domain": "careers.alpha-search.com"}).status_code == 302
    assert domains_of(app, firms.a.firm) == ["careers.alpha-search.com"]


@pytest.mark.parametrize("value", [
    "http://careers.example.com", "careers.example.com/jobs", "localhost", "127.0.0.1", "example",
    "exa mple.com", "-bad.example.com", "a..b.com", "alpha.localhost", "localhost.", "x" * 20_000,
    "<script>.com", "", "*.example.com", "careers.example.com:8080",
])
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
