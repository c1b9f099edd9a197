"""The privacy notice applicants accept and the retention period (issue 18, item 3): the admin
edits both on the settings page (Markdown, sanitised; a sensible default when empty); the
application form shows them and each Application records the hash of the notice accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Application
from tests.admin.test_settings import GOOD, HUGE
from tests.careers.helpers import advertised, form, post_apply
from tests.factories import firm_context
from tests.support.admin import admin_client, load_firm


def test_the_admin_writes_the_notice_and_the_retention(app, firms, client_for):
    c = admin_client(client_for, firms.a)
    page = c.get("/admin/settings").get_data(as_text=True)
    assert "Privacy notice for applicants" in page and 'value="24"' in page
    resp = c.post(
        "/admin/settings", data={**GOOD, "privacy_notice_md": "We keep your data **safe**.", "retention_months": "12"}
    )
    assert resp.status_code == 302
    firm = load_firm(app, firms.a.firm)
    assert firm.retention_months == 12 and "<strong>safe</strong>" in firm.privacy_notice_html
    search = advertised(app, firms.a)
    visitor = client_for(firms.a.firm)
    html = visitor.get(f"/careers/jobs/{search.id}/apply").get_data(as_text=True)
    assert "<strong>safe</strong>" in html and "12 months" in html
    assert post_apply(visitor, search.id, form()).status_code == 303
    # A changed notice is another version: the next application records another hash.
    c.post("/admin/settings", data={**GOOD, "privacy_notice_md": "Version two.", "retention_months": "12"})
    assert post_apply(visitor, search.id, form(email="two@example.com")).status_code == 303
    with firm_context(app, firms.a.firm) as s:
        hashes = s.scalars(select(Application.privacy_notice_hash).order_by(Application.id)).all()
    assert len(hashes) == 2 and hashes[0] != hashes[1]


@pytest.mark.parametrize(
    "field, value",
    [
        ("privacy_notice_md", "<script>alert(1)</script>"),
        ("privacy_notice_md", HUGE),
        ("retention_months", "0"),
        ("retention_months", "121"),
        ("retention_months", "many"),
    ],
)
def test_bad_values_are_form_errors(app, firms, client_for, field, value):
    c = admin_client(client_for, firms.a)
    resp = c.post("/admin/settings", data={**GOOD, field: value})
    assert resp.status_code == 400 and "Please correct the highlighted" in resp.get_data(as_text=True)
    firm = load_firm(app, firms.a.firm)
    assert firm.retention_months == 24 and firm.privacy_notice_md is None
