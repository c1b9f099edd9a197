"""What search engines and job boards read about the careers site's jobs: schema.org JobPosting
(JSON-LD, for Google for Jobs), an RSS 2.0 feed, the XML job feed large aggregators accept
(Indeed-style `<source><job>`), the sitemap and robots.txt. XML is built with xml.etree (every
text escaped by the library), never by joining strings.

It only sees the public `careers.Job` (a confidential client is "Confidential client" already);
for a confidential search the hiring organisation is the firm itself. Absolute links come from
the caller (`Links`): this module never reads the request or the database. Words a person
reads (the RSS feed's title and description, an item's "Expected", a "Requirements" heading)
are in the page's language; dates and codes stay in their machine formats (RFC 822, ISO 8601,
the aggregators' own values such as "Fully remote")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from portal.i18n import gettext as _
from portal.models import RemotePreference
from portal.services.careers import Job, teaser

EMPLOYMENT_TYPE = "FULL_TIME"  # searches record no contract type; executive search fills permanent roles


@dataclass(frozen=True)
class Links:
    """Absolute addresses on the firm's own host."""

    home: str  # the firm's site (its portal's root)
    board: str  # /careers/
    feed: str  # /careers/feed.xml
    job: Callable[[int], str]
    logo: str | None  # the firm's logo, when it has one


def summary(job: Job) -> str:
    """One paragraph for a listing, a meta description or a feed item."""
    return teaser(" ".join(p for p in (job.summary or "", job.description_html) if p), 300) or job.teaser or job.title


def full_description(job: Job) -> str:
    """The job's description as HTML (sanitised already): the public summary of a confidential
    search first, then the description and the requirements."""
    parts = []
    if job.summary:
        parts.append(f"<p>{_escape(job.summary)}</p>")
    if job.description_html:
        parts.append(job.description_html)
    if job.requirements_html:
        parts.append(f"<h2>{_escape(_('Requirements'))}</h2>" + job.requirements_html)
    return "\n".join(parts) or f"<p>{_escape(job.title)}</p>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Countries a location commonly ends with ("Berlin, Germany", "London, UK"), by ISO 3166 code.
# Not every country: an unknown one is simply not given (Google then reads the locality).
COUNTRIES = {
    "AT": ("austria", "österreich"),
    "AU": ("australia",),
    "BE": ("belgium", "belgique", "belgië"),
    "BR": ("brazil", "brasil"),
    "CA": ("canada",),
    "CH": ("switzerland", "schweiz", "suisse"),
    "CN": ("china",),
    "CZ": ("czechia", "czech republic"),
    "DE": ("germany", "deutschland"),
    "DK": ("denmark", "danmark"),
    "ES": ("spain", "españa"),
    "FI": ("finland", "suomi"),
    "FR": ("france",),
    "GB": ("united kingdom", "uk", "great britain", "england", "scotland", "wales", "northern ireland"),
    "GR": ("greece",),
    "HK": ("hong kong",),
    "IE": ("ireland",),
    "IL": ("israel",),
    "IN": ("india",),
    "IT": ("italy", "italia"),
    "JP": ("japan",),
    "LU": ("luxembourg",),
    "MX": ("mexico", "méxico"),
    "NL": ("netherlands", "the netherlands", "nederland", "holland"),
    "NO": ("norway", "norge"),
    "NZ": ("new zealand",),
    "PL": ("poland", "polska"),
    "PT": ("portugal",),
    "RO": ("romania",),
    "SE": ("sweden", "sverige"),
    "SG": ("singapore",),
    "US": ("united states", "usa", "united states of america"),
    "AE": ("united arab emirates", "uae"),
    "ZA": ("south africa",),
}
_COUNTRY = {name: code for code, names in COUNTRIES.items() for name in (*names, code.casefold())}


def place(location: str | None) -> tuple[str | None, str | None]:
    """(locality, ISO country code) as best known from a free-text location ("Berlin, Germany",
    "London, UK", "Remote"): the country is the last comma-separated part when it is one."""
    parts = [p.strip() for p in (location or "").split(",") if p.strip()]
    if not parts:
        return None, None
    country = _COUNTRY.get(parts[-1].casefold())
    if country:
        parts = parts[:-1]
    locality = parts[0] if parts and parts[0].casefold() not in ("remote", "anywhere") else None
    return locality, country


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def job_posting(job: Job, firm_name: str, links: Links, language: str | None = None) -> dict:
    """schema.org JobPosting with what Google for Jobs requires and recommends; `language`
    (a BCP 47 code, the page's) is its inLanguage."""
    if job.confidential:
        org = {"@type": "Organization", "name": firm_name, "sameAs": links.home}
        if links.logo:
            org["logo"] = links.logo
    else:
        org = {"@type": "Organization", "name": job.company}
    locality, country = place(job.location)
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": full_description(job),
        "identifier": {"@type": "PropertyValue", "name": firm_name, "value": str(job.id)},
        "datePosted": _iso(job.posted),
        "hiringOrganization": org,
        "employmentType": EMPLOYMENT_TYPE,
        "directApply": True,
        "url": links.job(job.id),
    }
    if language:
        data["inLanguage"] = language
    if job.valid_through:
        data["validThrough"] = _iso(job.valid_through)
    address = {"@type": "PostalAddress"}
    if locality:
        address["addressLocality"] = locality
    if country:
        address["addressCountry"] = country
    if job.remote == RemotePreference.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": country or job.location or "Worldwide"}
    if job.remote != RemotePreference.REMOTE or locality:
        data["jobLocation"] = {"@type": "Place", "address": address}
    if job.pay:
        value: dict[str, object] = {"@type": "QuantitativeValue", "unitText": "YEAR"}
        if job.pay_min:
            value["minValue"] = job.pay_min
        if job.pay_max:
            value["maxValue"] = job.pay_max
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.currency, "value": value}
    if job.seniority is not None:
        data["experienceRequirements"] = job.seniority.label
    if job.skills:
        data["skills"] = ", ".join(job.skills)
    return data


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _rfc822(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC), usegmt=True)


def rss(jobs: list[Job], firm_name: str, links: Links, now: datetime, language: str | None = None) -> bytes:
    """RSS 2.0 of the public jobs, newest first; `language` (the words', a BCP 47 code) is the
    channel's <language>."""
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
    channel = _sub(root, "channel")
    _sub(channel, "title", _("Jobs at %(firm)s", firm=firm_name))
    _sub(channel, "link", links.board)
    _sub(channel, "description", _("Open roles advertised by %(firm)s", firm=firm_name))
    _sub(channel, "atom:link", href=links.feed, rel="self", type="application/rss+xml")
    if language:
        _sub(channel, "language", language)
    _sub(channel, "lastBuildDate", _rfc822(max((j.updated for j in jobs), default=now)))
    for job in jobs:
        item = _sub(channel, "item")
        # Translators: an RSS item's title: the job's title, then "Expected" (a role not open yet) or its company.
        _sub(
            item,
            "title",
            _("%(title)s (%(company)s)", title=job.title, company=_("Expected") if job.expected else job.company),
        )
        _sub(item, "link", links.job(job.id))
        _sub(item, "guid", links.job(job.id), isPermaLink="true")
        _sub(item, "pubDate", _rfc822(job.posted))
        _sub(item, "description", summary(job))
    return _xml(root)


def aggregator_xml(jobs: list[Job], firm_name: str, links: Links, now: datetime) -> bytes:
    """The XML job feed in the format the large aggregators accept (Indeed's `<source>`)."""
    root = ET.Element("source")
    _sub(root, "publisher", firm_name)
    _sub(root, "publisherurl", links.board)
    _sub(root, "lastBuildDate", _rfc822(now))
    for job in jobs:
        locality, country = place(job.location)
        el = _sub(root, "job")
        _sub(el, "title", job.title)
        _sub(el, "date", _rfc822(job.posted))
        _sub(el, "referencenumber", str(job.id))
        _sub(el, "url", links.job(job.id))
        _sub(el, "company", firm_name if job.confidential else job.company)
        _sub(el, "city", locality or "")
        _sub(el, "country", country or "")
        _sub(el, "description", full_description(job))
        if job.pay:
            _sub(el, "salary", job.pay)
        _sub(el, "jobtype", "fulltime")
        if job.remote != RemotePreference.ONSITE:
            _sub(el, "remotetype", "Fully remote" if job.remote == RemotePreference.REMOTE else "Hybrid remote")
        if job.seniority is not None:
            _sub(el, "experience", job.seniority.label)
        if job.valid_through:
            _sub(el, "expirationdate", _rfc822(job.valid_through))
    return _xml(root)


def sitemap(entries: list[tuple[str, datetime | None]]) -> bytes:
    """A sitemaps.org urlset of (absolute URL, last change)."""
    root = ET.Element("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for loc, lastmod in entries:
        url = _sub(root, "url")
        _sub(url, "loc", loc)
        if lastmod is not None:
            _sub(url, "lastmod", _iso(lastmod))
    return _xml(root)


def robots(sitemap_url: str) -> str:
    """robots.txt: the careers site is for crawlers; the portal behind sign-in is not."""
    lines = ["User-agent: *", "Allow: /careers/"]
    lines += [f"Disallow: {p}" for p in ("/me/", "/recruiter/", "/admin/", "/login", "/reset", "/unsubscribe/")]
    lines.append(f"Sitemap: {sitemap_url}")
    return "\n".join(lines) + "\n"
