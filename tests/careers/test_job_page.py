"""A job's public page: its JSON-LD JobPosting (parsed, with what Google for Jobs requires),
meta tags, a confidential search shown without its client, and the page of a role that is no
longer open (410, similar roles) or that the public never saw (404)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.models import RemotePreference, SearchState, Seniority, utcnow
from tests.careers.support import advertise, change, postings

REQUIRED = ("title", "description", "datePosted", "hiringOrganization", "identifier", "employmentType", "directApply")


def _jobs(app, f):
    return [
        advertise(app, f, title="Backend Engineer", location="Berlin, Germany", description="Build **APIs**.",
                  requirements="- Python\n- SQL", seniority=Seniority.SENIOR, skills=["Python"],
                  pay_min=80000, pay_max=95000, publish_pay=True,
                  advertise_until=utcnow() + timedelta(days=30)),
        advertise(app, f, title="Remote Designer", location="Portugal", remote_policy=RemotePreference.REMOTE,
                  client="Hooli", pay_min=50000, publish_pay=False),
        advertise(app, f, title="Chief Financial Officer", client="Globex", aliases="GBX\nGlobex Corp",
                  confidential=True, public_summary="A listed consumer-goods group in Munich",
                  location="Munich, Germany", description="Report to the board of Globex.",
                  anticipated=True),
        advertise(app, f, title="Hybrid <PM> & </script> lead", location="London, UK",
                  remote_policy=RemotePreference.HYBRID, client="Initrode"),
    ]  # fmt: skip


def test_every_advertised_job_carries_a_parseable_job_posting(app, firms, client_for):
    f = firms.a.firm
    jobs = _jobs(app, f)
    c = client_for(f)
    for search in jobs:
        html = c.get(f"/careers/jobs/{search.id}").get_data(as_text=True)
        [posting] = postings(html)
        assert posting["@context"].startswith("https://schema.org") and posting["@type"] == "JobPosting"
        for key in REQUIRED:
            assert posting.get(key), (search.title, key)
        assert posting["directApply"] is True
        assert posting["identifier"]["value"] == str(search.id)
        assert posting["url"] == f"http://alpha.localhost/careers/jobs/{search.id}"
        assert "jobLocation" in posting or posting.get("jobLocationType") == "TELECOMMUTE"
        if posting.get("jobLocationType") == "TELECOMMUTE":
            assert posting["applicantLocationRequirements"]["@type"] == "Country"
        assert f'<link rel="canonical" href="http://alpha.localhost/careers/jobs/{search.id}">' in html
        for tag in ('property="og:title"', 'property="og:url"', 'name="twitter:card"', 'property="og:description"'):
            assert tag in html
        assert "Set-Cookie" not in c.get(f"/careers/jobs/{search.id}").headers

    backend, remote, secret, hybrid = (postings(c.get(f"/careers/jobs/{s.id}").get_data(as_text=True))[0] for s in jobs)
    assert backend["jobLocation"]["address"] == {
        "@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE",
    }  # fmt: skip
    assert backend["baseSalary"] == {
        "@type": "MonetaryAmount", "currency": "EUR",
        "value": {"@type": "QuantitativeValue", "minValue": 80000, "maxValue": 95000, "unitText": "YEAR"},
    }  # fmt: skip
    assert backend["validThrough"] and "<strong>APIs</strong>" in backend["description"]
    assert backend["hiringOrganization"]["name"] == "Initech"
    assert remote["jobLocationType"] == "TELECOMMUTE"
    assert remote["applicantLocationRequirements"]["name"] == "PT"
    assert "baseSalary" not in remote  # pay not published
    assert secret["hiringOrganization"]["name"] == "Alpha Search"  # the firm, for a confidential search
    assert "Globex" not in str(secret) and "GBX" not in str(secret)
    assert hybrid["title"] == "Hybrid <PM> & </script> lead"


def test_json_ld_is_escaped_inside_its_script_tag(app, firms, client_for):
    s = advertise(app, firms.a.firm, title="Ops </script><script>alert(1)</script> & more")
    html = client_for(firms.a.firm).get(f"/careers/jobs/{s.id}").get_data(as_text=True)
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script and "&" not in script
    assert postings(html)[0]["title"] == "Ops </script><script>alert(1)</script> & more"
    assert "<script>alert(1)" not in html


def test_a_confidential_job_shows_its_summary_and_never_its_client(app, firms, client_for):
    f = firms.a.firm
    s = advertise(app, f, title="CFO", client="Globex", aliases="GBX", confidential=True,
                  public_summary="A listed consumer-goods group", description="You will lead finance at GBX.")  # fmt: skip
    c = client_for(f)
    html = c.get(f"/careers/jobs/{s.id}").get_data(as_text=True)
    assert "Confidential client" in html and "A listed consumer-goods group" in html
    assert "lead finance at the client" in html
    assert "Globex" not in html and "GBX" not in html
    board = c.get("/careers/", query_string={"q": "Globex"}).get_data(as_text=True)
    assert "CFO" not in board  # searching the client's name finds nothing


def test_a_client_with_a_live_confidential_search_is_never_named(app, firms, client_for):
    f = firms.a.firm
    advertise(app, f, title="CFO", client="Globex", confidential=True, public_summary="A group")
    other = advertise(app, f, title="Analyst", client="Globex")
    c = client_for(f)
    assert "Globex" not in c.get(f"/careers/jobs/{other.id}").get_data(as_text=True)
    assert "Globex" not in c.get("/careers/").get_data(as_text=True)
    assert "Analyst" not in c.get("/careers/", query_string={"q": "globex"}).get_data(as_text=True)


@pytest.mark.parametrize(
    "change_to",
    [
        {"state": SearchState.FILLED},
        {"state": SearchState.CANCELLED},
        {"advertised": False},
        {"advertise_until": utcnow() - timedelta(hours=1)},
    ],
)
def test_a_role_no_longer_open_answers_410_with_similar_roles(app, firms, client_for, change_to):
    f = firms.a.firm
    s = advertise(app, f, title="Gone Role", seniority=Seniority.SENIOR)
    advertise(app, f, title="Similar Senior Role", seniority=Seniority.SENIOR)
    c = client_for(f)
    assert c.get(f"/careers/jobs/{s.id}").status_code == 200
    change(app, f, s.id, **change_to)
    resp = c.get(f"/careers/jobs/{s.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 410
    assert "This role is no longer open" in html and "Similar Senior Role" in html
    assert 'name="robots" content="noindex"' in html and "application/ld+json" not in html
    assert "Set-Cookie" not in resp.headers


def test_a_search_never_advertised_is_a_plain_404(app, firms, client_for):
    s = advertise(app, firms.a.firm, title="Secret Role", advertised=False, advertised_at=None)
    resp = client_for(firms.a.firm).get(f"/careers/jobs/{s.id}")
    assert resp.status_code == 404 and "Secret Role" not in resp.get_data(as_text=True)
    assert client_for(firms.a.firm).get("/careers/jobs/999999").status_code == 404


def test_the_page_links_to_apply_to_alerts_and_to_sign_in(app, firms, client_for):
    s = advertise(app, firms.a.firm, title="Linked Role")
    html = client_for(firms.a.firm).get(f"/careers/jobs/{s.id}").get_data(as_text=True)
    assert f'href="/careers/jobs/{s.id}/apply"' in html
    assert 'href="/careers/alerts"' in html and 'href="/login"' in html
