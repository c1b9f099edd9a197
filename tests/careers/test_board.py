"""The public job board: what it lists (and what disappears at once), its filters, paging,
hostile input, tenancy, no cookie, ETag caching and a bounded number of statements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import RemotePreference, SearchState, Seniority, utcnow
from tests.careers.support import advertise, change
from tests.factories import firm_context


def _titles(resp) -> str:
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def test_lists_advertised_open_and_expected_roles_only(app, firms, client_for):
    f = firms.a.firm
    advertise(app, f, title="Open Role")
    advertise(app, f, title="Future Role", anticipated=True)
    advertise(app, f, title="Held Future Role", anticipated=True, state=SearchState.ON_HOLD)
    advertise(app, f, title="Not Advertised Role", advertised=False, advertised_at=None)
    advertise(app, f, title="Filled Role", state=SearchState.FILLED)
    advertise(app, f, title="Cancelled Role", state=SearchState.CANCELLED)
    advertise(app, f, title="Held Role", state=SearchState.ON_HOLD)
    advertise(app, f, title="Expired Role", advertise_until=utcnow() - timedelta(minutes=1))
    advertise(app, f, title="Until Later Role", advertise_until=utcnow() + timedelta(days=3))
    body = _titles(client_for(f).get("/careers/"))
    for title in ("Open Role", "Future Role", "Held Future Role", "Until Later Role"):
        assert title in body
    for title in ("Not Advertised", "Filled Role", "Cancelled Role", ">Held Role", "Expired Role"):
        assert title not in body
    assert body.count("Expected</span>") == 2


def test_a_role_disappears_at_once_when_closed_or_unadvertised(app, firms, client_for):
    f = firms.a.firm
    s = advertise(app, f, title="Vanishing Role")
    c = client_for(f)
    assert "Vanishing Role" in _titles(c.get("/careers/"))
    change(app, f, s.id, state=SearchState.FILLED)
    assert "Vanishing Role" not in _titles(c.get("/careers/"))
    change(app, f, s.id, state=SearchState.OPEN, advertised=False)
    assert "Vanishing Role" not in _titles(c.get("/careers/"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "platform"}, {"Platform Lead"}),
        ({"q": "Initech"}, {"Data Analyst"}),  # a client the site names is found by its name
        ({"q": "kubernetes"}, {"Platform Lead"}),  # words of the description
        ({"location": "berlin"}, {"Platform Lead"}),
        ({"remote": "remote"}, {"Data Analyst"}),
        ({"seniority": "lead"}, {"Platform Lead"}),
        ({"skill": "python"}, {"Platform Lead", "Data Analyst"}),
        ({"skill": "Go"}, {"Platform Lead"}),
        ({"pay_from": "100000"}, {"Data Analyst"}),  # only where the pay is published
        ({"pay_from": "100,000", "remote": "remote"}, {"Data Analyst"}),
        ({"q": "nothing-like-this"}, set()),
    ],
)
def test_filters(app, firms, client_for, query, expected):
    f = firms.a.firm
    advertise(
        app, f, title="Platform Lead", client="Hooli", location="Berlin, Germany", seniority=Seniority.LEAD,
        skills=["Python", "Go"], description="Run our **Kubernetes** clusters.", pay_min=150000, pay_max=180000,
        publish_pay=False,
    )  # fmt: skip
    advertise(
        app, f, title="Data Analyst", client="Initech", location="Anywhere", remote_policy=RemotePreference.REMOTE,
        seniority=Seniority.MID, skills=["Python", "SQL"], pay_min=90000, pay_max=110000, publish_pay=True,
    )  # fmt: skip
    body = _titles(client_for(f).get("/careers/", query_string=query))
    found = {t for t in ("Platform Lead", "Data Analyst") if f">{t}</a>" in body}
    assert found == expected
    if not expected:
        assert "No open role matches these filters" in body


def test_pages_of_twenty(app, firms, client_for):
    f = firms.a.firm
    for i in range(25):
        advertise(app, f, title=f"Role number {i:02d}")
    c = client_for(f)
    first = _titles(c.get("/careers/"))
    assert first.count('class="job-title"') == 20 and "Role number 24" in first and "Role number 04" not in first
    nxt = first.split('aria-label="More jobs"><a class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    second = _titles(c.get(nxt))
    assert second.count('class="job-title"') == 5 and "Role number 00" in second
    assert 'aria-label="More jobs"' not in second


HOSTILE = [
    "x" * 20_000,
    "<script>alert(1)</script>",
    "a\x00b",
    "%_\\",
    "\x01\x1b[31m",
    "é" * 5000,
    "-1",
    "9" * 40,
    "²³",
    "2147483648",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filters_never_fail(app, firms, client_for, value):
    advertise(app, firms.a.firm, title="Safe Role")
    c = client_for(firms.a.firm)
    for name in ("q", "location", "remote", "seniority", "skill", "pay_from", "after"):
        resp = c.get("/careers/", query_string={name: value})
        assert resp.status_code == 200, (name, resp.status_code)
        assert "<script>alert" not in resp.get_data(as_text=True)


def test_another_firms_jobs_are_never_listed_nor_served(app, firms, client_for):
    a_job = advertise(app, firms.a.firm, title="Alpha Only Role")
    advertise(app, firms.b.firm, title="Beta Only Role")
    b = client_for(firms.b.firm)
    body = _titles(b.get("/careers/"))
    assert "Beta Only Role" in body and "Alpha Only Role" not in body
    assert b.get(f"/careers/jobs/{a_job.id}").status_code == 404
    for path in ("/careers/feed.xml", "/careers/jobs.xml", "/sitemap.xml"):
        assert "Alpha Only Role" not in b.get(path).get_data(as_text=True)
        assert f"/careers/jobs/{a_job.id}<" not in b.get(path).get_data(as_text=True)


def test_unknown_host_disabled_firm_and_careers_off_are_plain_404s(app, firms, client_for):
    advertise(app, firms.a.firm, title="Some Role")
    paths = ("/careers/", "/careers/feed.xml", "/careers/jobs.xml", "/sitemap.xml", "/robots.txt")
    for path in paths:
        assert client_for(host="nosuch.localhost").get(path).status_code == 404
    with firm_context(app) as s:
        from portal.models import Firm

        s.get(Firm, firms.a.firm.id).careers_enabled = False
    for path in paths:
        assert client_for(firms.a.firm).get(path).status_code == 404
    with firm_context(app) as s:
        firm = s.get(Firm, firms.a.firm.id)
        firm.careers_enabled, firm.disabled = True, True
    for path in paths:
        assert client_for(firms.a.firm).get(path).status_code == 404


def test_no_cookie_and_304_on_a_repeat(app, firms, client_for):
    s = advertise(app, firms.a.firm, title="Cached Role")
    c = client_for(firms.a.firm)
    for path in ("/careers/", f"/careers/jobs/{s.id}", "/careers/feed.xml", "/careers/jobs.xml", "/sitemap.xml"):
        first = c.get(path)
        assert first.status_code == 200
        assert "Set-Cookie" not in first.headers, path
        etag = first.headers["ETag"]
        assert "no-store" not in first.headers["Cache-Control"]
        again = c.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"" and "Set-Cookie" not in again.headers
    assert not list(c._cookies) if hasattr(c, "_cookies") else True


def test_the_etag_changes_when_a_job_closes_or_expires(app, firms, client_for):
    f = firms.a.firm
    s = advertise(app, f, title="Tagged Role")
    other = advertise(app, f, title="Other Role")
    c = client_for(f)
    etag = c.get("/careers/").headers["ETag"]
    change(app, f, s.id, state=SearchState.CANCELLED)
    resp = c.get("/careers/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "Tagged Role" not in resp.get_data(as_text=True)
    etag = resp.headers["ETag"]
    change(app, f, other.id, advertise_until=utcnow() + timedelta(seconds=1))
    etag = c.get("/careers/").headers["ETag"]
    change(app, f, other.id, advertise_until=utcnow() - timedelta(seconds=1), updated_at=other.updated_at)
    resp = c.get("/careers/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "Other Role" not in resp.get_data(as_text=True)


def test_the_board_and_a_job_page_send_the_same_statements_for_1_and_50_jobs(app, firms, client_for, count_queries):
    f = firms.a.firm
    c = client_for(f)

    def counts(job_id):
        with count_queries() as board:
            assert c.get("/careers/?skill=python").status_code == 200
        with count_queries() as page:
            assert c.get(f"/careers/jobs/{job_id}").status_code == 200
        with count_queries() as feed:
            assert c.get("/careers/jobs.xml").status_code == 200
        return board.count, page.count, feed.count

    first = advertise(app, f, title="Role 0", skills=["Python", "SQL"], client="Client 0")
    c.get("/careers/")  # the process's first request to this host also looks its firm up (then cached)
    one = counts(first.id)
    for i in range(1, 50):
        advertise(app, f, title=f"Role {i}", skills=["Python", "SQL"], client=f"Client {i}", confidential=i % 3 == 0,
                  public_summary="A company")  # fmt: skip
    assert counts(first.id) == one
    assert max(one) <= 8, one
