"""The careers site's rules: which searches the public sees, filtered and a page at a time, and
each job as an anonymous visitor may read it (portal/services/careers_feeds.py turns the same
jobs into JSON-LD, RSS, the aggregator XML and the sitemap).

A search is public while a recruiter advertises it, it is open (or anticipated: "Expected"), and
its advertise-until time has not passed; anything else is gone from every listing at once. A
confidential search shows "Confidential client" and its public summary, and every text of it is
read through disclosure.redact (its client's name and aliases, added later or not, never get
out); a client with any live confidential search is never named on the site at all. Jobs are
plain dataclasses: templates and feeds never hold a Search (nor its client). Reads only: never
writes, never commits, never reads the request (views parse the filters with `clean_filters`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.i18n import firm_text
from portal.i18n import lazy as _l
from portal.markdown import render_markdown
from portal.models import Firm, RemotePreference, Search, SearchSkill, SearchState, Seniority, Skill, utcnow
from portal.models.search import Client
from portal.services import NotFound, disclosure, public_figures
from portal.services.role_page import pay_text

PAGE_SIZE = 20
SIMILAR = 5
FEED_LIMIT = 500  # newest jobs in the RSS and aggregator feeds
SITEMAP_LIMIT = 5000
TEXT_LIMIT = 100  # filter words kept; a longer query is cut, never refused
LIVE_STATES = (SearchState.OPEN, SearchState.ON_HOLD)
# Translators: shown instead of the client's name on a public job whose client is confidential.
CONFIDENTIAL = _l("Confidential client")
BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|blockquote|pre|br|hr|div|table|tr|td|th)\b[^>]*>", re.I)
TAGS = re.compile(r"<[^>]+>")


class Gone(NotFound):
    """The job was advertised and is no longer open (filled, cancelled, un-advertised, expired)."""

    def __init__(self, title: str):
        super().__init__("This role is no longer open.")
        self.title = title


@dataclass(frozen=True)
class Filters:
    text: str = ""
    location: str = ""
    remote: RemotePreference | None = None
    seniority: Seniority | None = None
    skill: str = ""
    pay_from: int | None = None
    after: int | None = None

    @property
    def active(self) -> bool:
        return any((self.text, self.location, self.remote, self.seniority, self.skill, self.pay_from))


def _word(value) -> str:
    return " ".join(str(value or "").split())[:TEXT_LIMIT]


def _number(value, limit: int = 1_000_000_000) -> int | None:
    text = str(value or "").strip().replace(",", "").replace(" ", "")
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    return int(text) if 0 < int(text) < limit else None


def _member(enum_cls, value):
    try:
        return enum_cls(str(value or ""))
    except ValueError:
        return None


def clean_filters(args) -> Filters:
    """Filters from a query string (a mapping); anything unknown, too long or malformed is
    dropped or cut, never an error: the board always answers."""
    return Filters(
        text=_word(args.get("q")),
        location=_word(args.get("location")),
        remote=_member(RemotePreference, args.get("remote")),
        seniority=_member(Seniority, args.get("seniority")),
        skill=_word(args.get("skill")),
        pay_from=_number(args.get("pay_from")),
        after=_number(args.get("after"), 2**31),  # an id (32-bit integer in PostgreSQL)
    )


@dataclass
class Job:
    """One advertised job as the public reads it."""

    id: int
    title: str
    company: str  # the client, or "Confidential client"
    confidential: bool
    summary: str | None
    location: str | None
    remote: RemotePreference
    seniority: Seniority | None
    pay: str | None  # only when published
    pay_min: int | None
    pay_max: int | None
    currency: str | None
    expected: bool
    posted: datetime
    valid_through: datetime | None
    updated: datetime
    skills: list[str] = field(default_factory=list)
    teaser: str = ""  # a line or two for a listing
    description_html: str = ""
    requirements_html: str = ""


@dataclass
class JobPage:
    jobs: list[Job]
    next_after: int | None


def _visible(now: datetime):
    """The conditions of a public job (the firm filter is added by tenancy)."""
    return (
        Search.advertised.is_(True),
        Search.state.in_(LIVE_STATES),
        or_(Search.state == SearchState.OPEN, Search.anticipated.is_(True)),
        or_(Search.advertise_until.is_(None), Search.advertise_until > now),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(q, f: Filters):
    if f.text:
        like = _like(f.text)
        other = aliased(Search)
        named = select(Client.id).where(Client.name.ilike(like, escape="\\"))
        hidden = select(other.client_id).where(other.confidential.is_(True), other.state.in_(LIVE_STATES))
        q = q.where(
            or_(
                Search.title.ilike(like, escape="\\"),
                Search.public_summary.ilike(like, escape="\\"),
                Search.description_md.ilike(like, escape="\\"),
                # A client is found by name only where the site names it (never a hidden one).
                and_(Search.confidential.is_(False), Search.client_id.in_(named), Search.client_id.not_in(hidden)),
            )
        )
    if f.location:
        q = q.where(Search.location.ilike(_like(f.location), escape="\\"))
    if f.remote is not None:
        q = q.where(Search.remote_policy == f.remote)
    if f.seniority is not None:
        q = q.where(Search.seniority == f.seniority)
    if f.skill:
        q = q.where(
            Search.id.in_(
                select(SearchSkill.search_id)
                .join(Skill, Skill.id == SearchSkill.skill_id)
                .where(func.lower(Skill.name) == f.skill.lower())
            )
        )
    if f.pay_from is not None:
        q = q.where(Search.publish_pay.is_(True), func.coalesce(Search.pay_max, Search.pay_min) >= f.pay_from)
    return q


@lru_cache(maxsize=1)
def _hidden():
    """Whether the row's client has a live confidential search (then it is never named
    publicly): a correlated EXISTS, so no statement of its own (built once)."""
    other = aliased(Search)
    return (
        select(other.id)
        .where(other.client_id == Search.client_id, other.confidential.is_(True), other.state.in_(LIVE_STATES))
        .exists()
        .label("hidden")
    )


# What a listing reads: plain columns, not ORM objects (measured: loading 21 Search objects
# with their texts was most of the board's time).
_COLUMNS = (
    Search.id, Search.title, Search.confidential, Search.client_wording, Search.public_summary, Search.location,
    Search.remote_policy, Search.seniority, Search.pay_min, Search.pay_max, Search.pay_currency, Search.publish_pay,
    Search.anticipated, Search.advertised, Search.advertised_at, Search.advertise_until, Search.state,
    Search.created_at, Search.updated_at, Search.description_html, Search.translations,
    Client.name.label("client_name"), Client.aliases.label("client_aliases"),
)  # fmt: skip
_FULL = (Search.description_md, Search.requirements_md, Search.requirements_html)


def _select(full: bool = False):
    return select(*_COLUMNS, *(_FULL if full else ()), _hidden()).join(Client, Client.id == Search.client_id)


def _skills(ids: list[int]) -> dict[int, list[str]]:
    """Skill names of these searches (one statement)."""
    out: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            select(SearchSkill.search_id, Skill.name)
            .join(Skill, Skill.id == SearchSkill.skill_id)
            .where(SearchSkill.search_id.in_(ids))
        )
        for search_id, name in rows:
            out[search_id].append(name)
    return {i: sorted(names, key=str.casefold) for i, names in out.items()}


def _job(row: Any, skills: list[str] | None = None, full: bool = False) -> Job:
    """A Job from a row of `_select` (a Search's columns, its client's name and aliases), its
    description in the page's language when the search has one in it (Search.translations)."""
    secret = bool(row.confidential or row.hidden)
    names = [row.client_name, *(a.strip() for a in (row.client_aliases or "").splitlines() if a.strip())]
    names = names if secret else []
    wording = (row.client_wording or "").strip() or disclosure.DEFAULT_WORDING

    def public(text: str | None) -> str | None:
        return disclosure.redact(text, names, wording) if text and names else text

    def html(source: str, stored: str) -> str:
        return render_markdown(public(source) or "") if names else stored

    published = row.publish_pay and bool(row.pay_min or row.pay_max)
    description_html = firm_text(row, "description_html") or ""
    return Job(
        id=row.id,
        title=public(row.title) or "",
        company=str(CONFIDENTIAL) if secret else row.client_name,
        confidential=secret,
        summary=public(row.public_summary) if row.confidential else None,
        location=public(row.location),
        remote=row.remote_policy,
        seniority=row.seniority,
        pay=pay_text(row) if published else None,
        pay_min=row.pay_min if published else None,
        pay_max=row.pay_max if published else None,
        currency=row.pay_currency if published else None,
        expected=row.anticipated,
        posted=row.advertised_at or row.created_at,
        valid_through=row.advertise_until,
        updated=row.updated_at,
        skills=skills or [],
        teaser=(public(row.public_summary) or "") if secret else teaser(description_html),
        description_html=html(firm_text(row, "description_md"), description_html) if full else "",
        requirements_html=html(row.requirements_md, row.requirements_html) if full else "",
    )


def teaser(html: str, limit: int = 200) -> str:
    """Plain text of sanitised HTML, on one line, cut at a word."""
    text = " ".join(TAGS.sub("", BLOCK_TAGS.sub(" ", (html or "")[: limit * 20])).split())
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
    text = text.replace("&amp;", "&")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def advertised_jobs(firm: Firm, filters: Filters | None = None, limit: int = PAGE_SIZE, full: bool = False) -> JobPage:
    """The firm's public jobs matching the filters, newest first, `limit` at a time (keyset on
    the id: `filters.after`). Two statements whatever the number of jobs (rows, then skills)."""
    f = filters or Filters()
    q = _filtered(_select(full).where(*_visible(utcnow())).order_by(Search.id.desc()), f)
    if f.after is not None:
        q = q.where(Search.id < f.after)
    found = db.session.execute(q.limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    skills = _skills([row.id for row in found])
    jobs = [_job(row, skills[row.id], full) for row in found]
    return JobPage(jobs=jobs, next_after=jobs[-1].id if more and jobs else None)


def is_listed(search: Any) -> bool:
    """Whether the careers site lists the search right now (the rule of `_visible`, in Python)."""
    return bool(
        search.advertised
        and search.state in LIVE_STATES
        and (search.state == SearchState.OPEN or search.anticipated)
        and (search.advertise_until is None or search.advertise_until > utcnow())
    )


def job_for_page(firm: Firm, search_id: int) -> Job:
    """The job's page: the Job, or Gone (it was advertised and no longer is), or NotFound
    (another firm's id, or a search never advertised: the public never knew it)."""
    row = db.session.execute(_select(full=True).where(Search.id == search_id)).first()
    if row is None or (row.advertised_at is None and not row.advertised):
        raise NotFound("No such job.")
    if not is_listed(row):
        raise Gone(_job(row).title)
    return _job(row, _skills([row.id])[row.id], full=True)


def similar_jobs(firm: Firm, job_id: int, seniority: Seniority | None = None, remote=None) -> list[Job]:
    """Up to SIMILAR other public jobs, the same seniority and remote policy first."""
    order = []
    if seniority is not None:
        order.append(case((Search.seniority == seniority, 0), else_=1))
    if remote is not None:
        order.append(case((Search.remote_policy == remote, 0), else_=1))
    q = _select().where(*_visible(utcnow()), Search.id != job_id).order_by(*order, Search.id.desc())
    return [_job(row) for row in db.session.execute(q.limit(SIMILAR))]


def job_hints(firm: Firm, search_id: int) -> tuple[Seniority | None, RemotePreference | None]:
    """What a gone job was (seniority, remote policy), to suggest similar roles."""
    row = db.session.execute(select(Search.seniority, Search.remote_policy).where(Search.id == search_id)).first()
    return (row.seniority, row.remote_policy) if row else (None, None)


def sitemap_entries(firm: Firm) -> list[tuple[int, datetime]]:
    """(id, last change) of every public job, newest first (bounded)."""
    rows = db.session.execute(
        select(Search.id, Search.updated_at).where(*_visible(utcnow())).order_by(Search.id.desc()).limit(SITEMAP_LIMIT)
    )
    return [(r.id, r.updated_at) for r in rows]


def site_version(firm: Firm) -> str:
    """A cheap fingerprint of everything the careers pages show (one aggregate statement): the
    public jobs (how many, their ids, their last change), the live confidential searches (which
    hide their clients), the firm's brand and its public figures. It changes when a
    job appears, changes, closes or expires; pages use it as their ETag."""
    visible = and_(*_visible(utcnow()))
    secret = Search.confidential.is_(True)
    row = db.session.execute(
        select(
            func.count(case((visible, 1))),
            func.sum(case((visible, Search.id))),
            func.max(case((visible, Search.updated_at))),
            func.count(case((secret, 1))),  # a client hidden or named again changes other jobs
            func.max(case((secret, Search.updated_at))),
        ).where(Search.state.in_(LIVE_STATES))
    ).one()
    brand = (
        firm.id,
        firm.name,
        firm.primary_color,
        firm.accent_color,
        firm.logo_version,
        firm.logo_mime,
        firm.welcome_html,
        firm.support_email,
        firm.postal_address,
        firm.default_language,
        firm.languages,
        firm.texts,  # the welcome and privacy texts per language
    )
    proof = public_figures.public_figures(firm)  # the firm's figures on the board (the same in every language)
    return hashlib.sha256(repr((tuple(row), brand, proof)).encode()).hexdigest()[:32]
