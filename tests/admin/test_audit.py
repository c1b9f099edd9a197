"""The audit log page: newest first, paginated, one firm's entries only, no N+1."""

from datetime import timedelta

from portal.models import AuditEntry, utcnow
from portal.services import audit
from tests.factories import firm_context
from tests.support.admin import admin_client


def add_entries(app, ns, count, start=0):
    now = utcnow()
    with firm_context(app, ns.firm) as s:
        for i in range(start, start + count):
            s.add(
                AuditEntry(
                    firm_id=ns.firm.id,
                    actor_id=ns.admin.id,
                    action="domain.added",
                    target=f"d{i}.{ns.firm.slug}.example",
                    created_at=now + timedelta(seconds=i),
                )
            )


def test_audit_log_lists_newest_first_and_paginates(app, firms, client_for):
    add_entries(app, firms.a, audit.PER_PAGE + 5)
    add_entries(app, firms.b, 3)
    c = admin_client(client_for, firms.a)
    first = c.get("/admin/audit").get_data(as_text=True)
    assert first.index(f"d{audit.PER_PAGE + 4}.alpha.example") < first.index(f"d{audit.PER_PAGE + 3}.alpha.example")
    assert "d0.alpha.example" not in first and "Page 1 of 2" in first
    assert "beta" not in first
    second = c.get("/admin/audit?page=2").get_data(as_text=True)
    assert "d0.alpha.example" in second and f"d{audit.PER_PAGE + 4}.alpha.example" not in second
    assert "by Admin" in second or firms.a.admin.email in second
    # Out-of-range or junk page numbers fall back to a real page.
    assert c.get("/admin/audit?page=999").status_code == 200
    assert c.get("/admin/audit?page=abc").status_code == 200
    assert c.get("/admin/audit?page=" + "9" * 5000).status_code == 200


def test_actions_show_who_and_what(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    c.post("/admin/settings", data={"name": "Alpha Talent", "primary_color": "#123456", "accent_color": "#b5461a"})
    page = c.get("/admin/audit").get_data(as_text=True)
    assert "Changed settings" in page and firms.a.admin.email in page
    assert "Alpha Search" in page and "Alpha Talent" in page and "#123456" in page


def test_operator_actions_are_marked(app, firms, client_for):
    with firm_context(app, firms.a.firm):
        audit.record(firms.a.firm, None, "firm.enabled", target="alpha")
    page = admin_client(client_for, firms.a).get("/admin/audit").get_data(as_text=True)
    assert "Enabled the firm" in page and "by the operator" in page


def _queries(count_queries, client) -> int:
    with count_queries() as n:
        assert client.get("/admin/audit").status_code == 200
    return n.count


def test_audit_page_query_count_does_not_grow(app, firms, client_for, count_queries):
    c = admin_client(client_for, firms.a)
    add_entries(app, firms.a, 1)
    one = _queries(count_queries, c)
    add_entries(app, firms.a, 49, start=1)
    assert _queries(count_queries, c) == one
