"""The recruiter's advertise switch on the search form and the admin's careers on/off: off by
default, advertised_at set when switched on, the last day, published pay, the public summary a
confidential search needs (never naming its client), hostile input, and the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.models import Search
from tests.factories import firm_context
from tests.support.admin import admin_client, audit_entries, load_firm

FORM = {
    "title": "Head of Data",
    "client_name": "Globex",
    "description_md": "We build **data** products.",
    "requirements_md": "SQL",
    "seniority": "senior",
    "location": "Berlin",
    "remote_policy": "hybrid",
    "pay_min": "90000",
    "pay_max": "120000",
    "pay_currency": "EUR",
    "engagement": "retained",
    "owner_id": "",
    "state": "open",
}


def _search(app, f, title="Head of Data") -> Search:
    with firm_context(app, f.firm) as s:
        return s.scalar(select(Search).where(Search.title == title))


def test_a_new_search_is_not_advertised_by_default(app, rec, client_for):
    assert rec.client.post("/recruiter/searches/new", data=FORM).status_code == 303
    s = _search(app, rec.f)
    assert not s.advertised and s.advertised_at is None and not s.publish_pay
    assert "Head of Data" not in client_for(rec.f.firm).get("/careers/").get_data(as_text=True)


def test_switching_it_on_lists_the_role_with_its_pay_and_last_day(app, rec, client_for):
    until = date.today() + timedelta(days=10)
    data = {**FORM, "advertised": "y", "publish_pay": "y", "advertise_until": until.isoformat()}
    assert rec.client.post("/recruiter/searches/new", data=data).status_code == 303
    s = _search(app, rec.f)
    assert s.advertised and s.advertised_at is not None and s.publish_pay
    assert s.advertise_until.date() in (until, until + timedelta(days=1))  # the end of that day where the firm is
    public = client_for(rec.f.firm).get(f"/careers/jobs/{s.id}").get_data(as_text=True)
    assert "90,000 – 120,000 EUR a year" in public
    edit = rec.client.get(f"/recruiter/searches/{s.id}/edit").get_data(as_text=True)
    assert f'value="{until.isoformat()}"' in edit and "Public page" in edit
    detail = rec.client.get(f"/recruiter/searches/{s.id}").get_data(as_text=True)
    assert "Advertised" in detail and f"/careers/jobs/{s.id}" in detail

    first = s.advertised_at
    data = {**FORM, "advertised": "", "advertise_until": ""}
    assert rec.client.post(f"/recruiter/searches/{s.id}/edit", data=data).status_code == 303
    assert client_for(rec.f.firm).get(f"/careers/jobs/{s.id}").status_code == 410
    assert rec.client.post(f"/recruiter/searches/{s.id}/edit", data={**FORM, "advertised": "y"}).status_code == 303
    assert _search(app, rec.f).advertised_at > first


def test_a_confidential_search_needs_a_summary_that_does_not_name_the_client(app, rec):
    data = {**FORM, "confidential": "y", "advertised": "y"}
    resp = rec.client.post("/recruiter/searches/new", data=data)
    assert resp.status_code == 400 and "Public summary" in resp.get_data(as_text=True)
    resp = rec.client.post("/recruiter/searches/new", data={**data, "public_summary": "The GLOBEX group"})
    assert resp.status_code == 400 and "names the confidential client" in resp.get_data(as_text=True)
    assert _search(app, rec.f) is None
    resp = rec.client.post("/recruiter/searches/new", data={**data, "public_summary": "A retail group"})
    assert resp.status_code == 303
    assert _search(app, rec.f).public_summary == "A retail group"


def test_a_last_day_in_the_past_is_refused(app, rec):
    data = {**FORM, "advertised": "y", "advertise_until": (date.today() - timedelta(days=2)).isoformat()}
    resp = rec.client.post("/recruiter/searches/new", data=data)
    assert resp.status_code == 400 and "Advertise until" in resp.get_data(as_text=True)


@pytest.mark.parametrize("value", ["x" * 20_000, "<script>alert(1)</script>", "a\x00b", "2026-13-45"])
def test_hostile_advertising_fields_give_form_errors(app, rec, value):
    for name in ("public_summary", "advertise_until", "advertised", "publish_pay"):
        resp = rec.client.post("/recruiter/searches/new", data={**FORM, "advertised": "y", name: value})
        assert resp.status_code in (303, 400), (name, resp.status_code)
        assert "<script>alert(1)" not in resp.get_data(as_text=True)


def test_the_admin_turns_the_careers_site_off_and_on_and_it_is_audited(app, firms, client_for):
    from tests.admin.test_settings import GOOD

    c = admin_client(client_for, firms.a)
    assert "Careers site on" in c.get("/admin/settings").get_data(as_text=True)
    assert c.post("/admin/settings", data={**GOOD, "careers_enabled": ""}).status_code == 302
    assert load_firm(app, firms.a.firm).careers_enabled is False
    [entry] = audit_entries(app, firms.a.firm)
    assert entry.details["changes"]["careers_enabled"] == {"old": True, "new": False}
    assert client_for(firms.a.firm).get("/careers/").status_code == 404
    assert c.post("/admin/settings", data=GOOD).status_code == 302
    assert client_for(firms.a.firm).get("/careers/").status_code == 200
