"""The whole public careers site, crawled as an anonymous visitor: from the board, the sitemap,
robots.txt and both feeds, every same-host link and every URL they list (job pages, the pages
of roles no longer open, og:image, stylesheets, the logo) is fetched. No byte of any response
names a confidential client (nor its aliases), none fails, none sets a cookie; the feeds and
sitemap parse as XML and list exactly the open advertised jobs."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

from portal.models import Firm, RemotePreference, SearchState, utcnow
from tests.careers.support import advertise, change
from tests.factories import firm_context
from tests.support.images import image_bytes
from tests.support.storage import set_stored_logo

HOST = "alpha.localhost"
SECRETS = ("Globex", "GBX", "Globex Corp", "globex.com", "Umbrella", "UCXQ")
ATTR_URL = re.compile(r'(?:href|src|content)="([^"]+)"')
XML_URL = re.compile(r"<(?:loc|link|url|guid|publisherurl)[^>]*>([^<]+)</")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _site(app, f):
    with firm_context(app) as s:
        firm = s.get(Firm, f.id)
        set_stored_logo(firm, image_bytes("PNG", (64, 64)), version=3)
        firm.welcome_md, firm.welcome_html = "Welcome", "<p>Welcome</p>"
    jobs = {
        "open": advertise(app, f, title="Platform Engineer", client="Initech", location="Berlin, Germany",
                          description="Run the platform.", skills=["Go"]),
        "secret": advertise(app, f, title="Chief Financial Officer", client="Globex",
                            aliases="GBX\nGlobex Corp", confidential=True,
                            public_summary="A listed consumer-goods group in Munich", location="Munich, Germany",
                            description="Lead finance at Globex Corp (see [site](https://globex.com)). GBX grows.",
                            requirements="Ten years; Globex experience a plus.", pay_min=200000, pay_max=250000,
                            publish_pay=True, remote_policy=RemotePreference.HYBRID, skills=["Finance"]),
        "secret_expected": advertise(app, f, title="Head of Legal", client="Umbrella", aliases="UCXQ",
                                     confidential=True, anticipated=True, public_summary="A biotech firm",
                                     description="Umbrella's legal team.", remote_policy=RemotePreference.REMOTE),
        "sibling": advertise(app, f, title="Finance Analyst", client="Globex", description="Numbers."),
        "secret_filled": advertise(app, f, title="Treasurer", client="Globex", confidential=True,
                                   public_summary="A group", description="At Globex.", state=SearchState.FILLED),
        "secret_unadvertised": advertise(app, f, title="Controller", client="Globex", confidential=True,
                                         advertised=False, advertised_at=None, public_summary="A group"),
        "expired": advertise(app, f, title="Old Role", client="Initech",
                             advertise_until=utcnow() - timedelta(days=1)),
        "cancelled": advertise(app, f, title="Cancelled Role", client="Initech"),
    }  # fmt: skip
    change(app, f, jobs["cancelled"].id, state=SearchState.CANCELLED)
    return jobs


def _crawl(c, seeds: list[str]) -> dict[str, tuple[int, bytes, dict]]:
    seen: dict[str, tuple[int, bytes, dict]] = {}
    queue = list(seeds)
    while queue:
        url = queue.pop(0).replace("&amp;", "&")
        parts = urlsplit(urljoin(f"http://{HOST}/careers/", url))
        if parts.netloc != HOST or parts.scheme != "http":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen:
            continue
        resp = c.get(path)
        seen[path] = (resp.status_code, resp.data, dict(resp.headers))
        assert resp.status_code < 500, (path, resp.status_code)
        if not (resp.mimetype.startswith("text/") or resp.mimetype.endswith("xml")):
            continue  # an image: checked byte by byte, no links in it
        text = resp.get_data(as_text=True)
        queue += [urljoin(f"http://{HOST}{parts.path}", u) for u in ATTR_URL.findall(text)]
        queue += XML_URL.findall(text)
        queue += re.findall(r"^Sitemap: (\S+)", text, re.M)
    return seen


def test_no_byte_of_the_public_site_names_a_confidential_client(app, firms, client_for):
    f = firms.a.firm
    jobs = _site(app, f)
    c = client_for(f)
    seeds = ["/careers/", "/sitemap.xml", "/robots.txt", "/careers/feed.xml", "/careers/jobs.xml"]
    seeds += [f"/careers/jobs/{s.id}" for s in jobs.values()]  # also the pages of roles no longer open
    seeds += ["/careers/?skill=Finance", "/careers/?remote=remote", "/careers/?q=finance"]
    seen = _crawl(c, seeds)
    assert len(seen) >= 20, sorted(seen)
    for path in ("/brand/logo?v=3", "/static/portal.css", "/static/careers.css"):
        assert seen[path][0] == 200, path  # og:image, the stylesheets were fetched too
    for path, (status, body, headers) in seen.items():
        lowered = body.lower()
        for secret in SECRETS:
            assert secret.lower().encode() not in lowered, f"{secret} in {path} ({status})"
        assert "Set-Cookie" not in headers, path
    assert seen[f"/careers/jobs/{jobs['secret'].id}"][0] == 200
    assert b"A listed consumer-goods group in Munich" in seen[f"/careers/jobs/{jobs['secret'].id}"][1]
    for gone in ("secret_filled", "expired", "cancelled"):
        assert seen[f"/careers/jobs/{jobs[gone].id}"][0] == 410
    assert seen[f"/careers/jobs/{jobs['secret_unadvertised'].id}"][0] == 404


def test_the_feeds_and_sitemap_list_exactly_the_open_advertised_jobs(app, firms, client_for):
    f = firms.a.firm
    jobs = _site(app, f)
    listed = {jobs[k].id for k in ("open", "secret", "secret_expected", "sibling")}
    c = client_for(f)
    url = f"http://{HOST}/careers/jobs/%d"

    rss = ET.fromstring(c.get("/careers/feed.xml").data)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert {i.findtext("link") for i in rss.iter("item")} == {url % i for i in listed}
    assert all(i.findtext("pubDate") and i.findtext("guid") for i in rss.iter("item"))

    source = ET.fromstring(c.get("/careers/jobs.xml").data)
    assert source.tag == "source" and source.findtext("publisher") == "Alpha Search"
    found = {j.findtext("referencenumber"): j for j in source.iter("job")}
    assert set(found) == {str(i) for i in listed}
    secret = found[str(jobs["secret"].id)]
    assert secret.findtext("company") == "Alpha Search" and secret.findtext("city") == "Munich"
    assert secret.findtext("country") == "DE" and secret.findtext("salary")
    assert "consumer-goods" in secret.findtext("description")

    sitemap = ET.fromstring(c.get("/sitemap.xml").data)
    locs = {u.findtext(f"{SITEMAP_NS}loc") for u in sitemap.iter(f"{SITEMAP_NS}url")}
    assert locs == {f"http://{HOST}/careers/"} | {url % i for i in listed}

    robots = c.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: http://{HOST}/sitemap.xml" in robots and "Disallow: /recruiter/" in robots

    change(app, f, jobs["open"].id, state=SearchState.FILLED)
    change(app, f, jobs["secret"].id, advertised=False)
    gone = {url % jobs["open"].id, url % jobs["secret"].id}
    for path in ("/careers/feed.xml", "/careers/jobs.xml", "/sitemap.xml", "/careers/"):
        body = c.get(path).get_data(as_text=True)
        assert not any(g in body for g in gone), path
        assert "Platform Engineer" not in body and "Chief Financial Officer" not in body
