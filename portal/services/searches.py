"""Clients and searches: create, edit, list and filter the firm's job openings.
Closing a search is never done here: `pipeline.close_search` closes every open candidacy and
tells each candidate why."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import (
    OPEN_STAGES,
    Candidacy,
    Client,
    Engagement,
    Firm,
    RemotePreference,
    Role,
    Search,
    SearchState,
    Seniority,
    User,
    utcnow,
)
from portal.services import DomainError, advertising, disclosure, search_languages, skills
from portal.services.matching import pools as match_pools
from portal.services.text import clean_line, clean_text, split_list

MAX_MARKDOWN = 10_000
MAX_PAY = 100_000_000
CURRENCY = re.compile(r"^[A-Z]{3}$")
PAGE_SIZE = 50


@dataclass
class SearchInput:
    """What a recruiter types on the search form (already parsed into Python types)."""

    title: str
    client_name: str
    confidential: bool = False
    description_md: str = ""
    requirements_md: str = ""
    required_skills: list[str] | str = field(default_factory=list)
    nice_skills: list[str] | str = field(default_factory=list)
    seniority: Seniority | None = None
    location: str | None = None
    remote_policy: RemotePreference = RemotePreference.ONSITE
    pay_min: int | None = None
    pay_max: int | None = None
    pay_currency: str = "EUR"
    engagement: Engagement = Engagement.RETAINED
    owner_id: int | None = None
    state: SearchState = SearchState.OPEN
    anticipated: bool = False
    client_wording: str | None = None
    # The careers site (portal/services/advertising.py); None: leave it as it is.
    ad: advertising.Advertising | None = None
    # The description in the firm's other languages, {language: Markdown}; a language given
    # empty has none (its readers read `description_md`); None: leave them as they are.
    translations: dict[str, str] | None = None


def staff(firm: Firm) -> list[User]:
    """The firm's recruiters and admins (possible search owners), by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.RECRUITER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def staff_names(firm: Firm) -> list[tuple[int, str]]:
    """`staff` as (id, name) rows, for a picker: a large firm has hundreds of staff, and a User
    object each was a third of the talent pool page's growth from 100,000 to 1,000,000."""
    return [
        (uid, name)
        for uid, name in db.session.execute(
            select(User.id, User.name)
            .where(User.role.in_([Role.RECRUITER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    ]


def clients(firm: Firm) -> list[Client]:
    return list(db.session.scalars(select(Client).order_by(Client.name)))


def get_or_create_client(firm: Firm, name: str) -> Client:
    name = clean_line(name, _("Client"), 120, required=True)
    client = db.session.scalar(select(Client).where(func.lower(Client.name) == name.lower()))
    if client is None:
        client = Client(firm_id=firm.id, name=name)
        db.session.add(client)
        db.session.flush()
    return client


@dataclass
class _Clean:
    values: dict
    client_name: str
    required: list[str]
    nice: list[str]
    ad: dict | None = None


def _validate(firm: Firm, data: SearchInput, *, allow_closed_state: bool, was: Search | None = None) -> _Clean:
    title = clean_line(data.title, _("Title"), 200, required=True)
    client_name = clean_line(data.client_name, _("Client"), 120, required=True)
    description = clean_text(data.description_md, _("Description"), MAX_MARKDOWN)
    requirements = clean_text(data.requirements_md, _("Requirements"), MAX_MARKDOWN)
    location = clean_line(data.location, _("Location"), 120)
    if data.pay_min is not None and not 0 <= data.pay_min <= MAX_PAY:
        raise DomainError(_("Minimum pay: enter an amount between 0 and %(top)s.", top=i18n.number(MAX_PAY)))
    if data.pay_max is not None and not 0 <= data.pay_max <= MAX_PAY:
        raise DomainError(_("Maximum pay: enter an amount between 0 and %(top)s.", top=i18n.number(MAX_PAY)))
    if data.pay_min is not None and data.pay_max is not None and data.pay_min > data.pay_max:
        raise DomainError(_("Pay range: the minimum is higher than the maximum."))
    currency = (data.pay_currency or "").strip().upper()
    if not CURRENCY.match(currency):
        raise DomainError(_("Currency: use a three-letter code such as EUR, GBP or USD."))
    if data.state.is_closed and not allow_closed_state:
        raise DomainError(_("To fill or cancel a search use “Close search”, so every candidate is told."))
    owner_id = data.owner_id
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.is_staff or not owner.active:
            raise DomainError(_("Owner: choose a recruiter of this firm."))
    required = split_list(data.required_skills, _("Required skills"))
    nice = split_list(data.nice_skills, _("Nice-to-have skills"))
    required_keys = {s.casefold() for s in required}
    nice = [s for s in nice if s.casefold() not in required_keys]
    return _Clean(
        values=dict(
            title=title,
            confidential=bool(data.confidential),
            description_md=description,
            description_html=render_markdown(description),
            requirements_md=requirements,
            requirements_html=render_markdown(requirements),
            seniority=data.seniority,
            location=location,
            remote_policy=data.remote_policy,
            pay_min=data.pay_min,
            pay_max=data.pay_max,
            pay_currency=currency,
            engagement=data.engagement,
            owner_id=owner_id,
            anticipated=bool(data.anticipated),
            client_wording=clean_line(data.client_wording, _("Wording for the client"), 120),
            **search_languages.values(firm, data.translations, was, MAX_MARKDOWN),
        ),
        client_name=client_name,
        required=required,
        nice=nice,
        ad=advertising.clean(
            firm, data.ad, confidential=bool(data.confidential), was_until=was.advertise_until if was else None
        )
        if data.ad is not None
        else None,
    )


def _title_keeps_confidence(values: dict, client: Client, clean_ad: dict | None = None) -> None:
    """Every candidate reads a role's title and location (roles for you, emails, check-ins),
    most of them before they are told the client: for a confidential search they may not name
    it (nor may the wording used instead of the name)."""
    if not values["confidential"]:
        return
    if clean_ad:
        advertising.check_summary(clean_ad, client, True)
    names = disclosure.client_names(client)
    if values["client_wording"] and disclosure.find_names(values["client_wording"], names):
        raise DomainError(
            _(
                "Wording for the client: it names the client; candidates who were not told read it "
                "instead of the name. Try “the client” or “a leading retailer”."
            )
        )
    for label, key in ((_("Role title"), "title"), (_("Location"), "location")):
        found = disclosure.find_names(values[key] or "", names)
        if found:
            raise DomainError(
                # Translators: %(label)s names the field ("Role title"), %(name)s the client's name found in it.
                _(
                    "%(label)s: it names the confidential client (“%(name)s”), and candidates read it before "
                    "they are told who the client is. Write it without the name, for example “%(example)s”.",
                    label=label,
                    name=found[0],
                    example=disclosure.redact(values[key], names, _("a leading company")),
                )
            )


def _apply_skills(firm: Firm, search: Search, required: list[str], nice: list[str]) -> None:
    skills.set_search_skills(firm, search, required, nice)


def create_search(firm: Firm, actor: User, data: SearchInput) -> Search:
    clean = _validate(firm, data, allow_closed_state=False)
    client = get_or_create_client(firm, clean.client_name)
    _title_keeps_confidence(clean.values, client, clean.ad)
    values = clean.values
    if values["owner_id"] is None:
        values["owner_id"] = actor.id
    search = Search(firm_id=firm.id, client_id=client.id, state=data.state, advertised=False, **values)
    if clean.ad is not None:
        advertising.apply(search, clean.ad)
    db.session.add(search)
    db.session.flush()
    _apply_skills(firm, search, clean.required, clean.nice)
    db.session.flush()
    return search


def update_search(firm: Firm, actor: User, search: Search, data: SearchInput) -> Search:
    """Edit the search. A closed search may be reopened (its closed candidacies stay closed)."""
    closed = search.state.is_closed and data.state == search.state
    clean = _validate(firm, data, allow_closed_state=closed, was=search)
    client = get_or_create_client(firm, clean.client_name)
    _title_keeps_confidence(clean.values, client, clean.ad)
    for key, value in clean.values.items():
        setattr(search, key, value)
    if clean.ad is not None:
        advertising.apply(search, clean.ad)
    search.client_id = client.id
    search.client = client
    was_live = not search.state.is_closed
    skills_before = {(ss.skill_id, ss.required) for ss in search.skills}
    if data.state != search.state:
        if search.state.is_closed and not data.state.is_closed:
            search.closed_at = None
        search.state = data.state
    search.updated_at = utcnow()
    _apply_skills(firm, search, clean.required, clean.nice)
    db.session.flush()
    reopened_or_closed = was_live != (not search.state.is_closed)
    if reopened_or_closed and skills_before == {(ss.skill_id, ss.required) for ss in search.skills}:
        match_pools.build(firm, [search])  # new skills would have rebuilt it already
    return search


def skill_names(search: Search) -> tuple[list[str], list[str]]:
    """(required, nice-to-have) skill names of a search, in name order."""
    required = sorted((s.skill.name for s in search.skills if s.required), key=str.casefold)
    nice = sorted((s.skill.name for s in search.skills if not s.required), key=str.casefold)
    return required, nice


@dataclass
class SearchFilters:
    state: SearchState | None = None
    owner_id: int | None = None
    client_id: int | None = None
    text: str | None = None
    anticipated: bool | None = None
    include_closed: bool = False


@dataclass
class SearchRow:
    search: Search
    owner: User | None
    open_count: int
    total_count: int


@dataclass
class SearchPage:
    rows: list[SearchRow]
    next_after: int | None


def list_searches(firm: Firm, filters: SearchFilters, after: int | None = None, limit: int = PAGE_SIZE) -> SearchPage:
    """Searches, newest first, a page at a time (limit + 1 tells whether there is more)."""
    q = filter_query(select(Search).order_by(Search.id.desc()), filters)
    if after is not None:
        q = q.where(Search.id < after)
    found = list(db.session.scalars(q.limit(limit + 1)).unique())
    more = len(found) > limit
    found = found[:limit]
    ids = [s.id for s in found]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        open_case = func.sum(case((Candidacy.stage.in_(OPEN_STAGES), 1), else_=0))
        for sid, total, open_n in db.session.execute(
            select(Candidacy.search_id, func.count(Candidacy.id), open_case)
            .where(Candidacy.search_id.in_(ids))
            .group_by(Candidacy.search_id)
        ):
            counts[sid] = (int(open_n or 0), int(total))
    owner_ids = {s.owner_id for s in found if s.owner_id}
    owners: dict[int | None, User] = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    )
    rows = [SearchRow(s, owners.get(s.owner_id), *counts.get(s.id, (0, 0))) for s in found]
    return SearchPage(rows=rows, next_after=found[-1].id if more and found else None)


def filter_query(q, filters: SearchFilters):
    """`q` (a select of Search) narrowed by the searches page's filters (the API uses the same)."""
    if filters.state is not None:
        q = q.where(Search.state == filters.state)
    elif not filters.include_closed:
        q = q.where(Search.state.in_([SearchState.OPEN, SearchState.ON_HOLD]))
    if filters.owner_id is not None:
        q = q.where(Search.owner_id == filters.owner_id)
    if filters.client_id is not None:
        q = q.where(Search.client_id == filters.client_id)
    if filters.anticipated is not None:
        q = q.where(Search.anticipated.is_(filters.anticipated))
    if filters.text:
        like = f"%{filters.text.strip()[:100]}%"
        q = q.where(
            or_(
                Search.title.ilike(like),
                Search.location.ilike(like),
                Search.client_id.in_(select(Client.id).where(Client.name.ilike(like))),
            )
        )
    return q


def pipeline_counts(search: Search) -> dict:
    """How many candidacies the search has at each stage."""
    rows = db.session.execute(
        select(Candidacy.stage, func.count(Candidacy.id))
        .where(Candidacy.search_id == search.id)
        .group_by(Candidacy.stage)
    ).all()
    return {stage: n for stage, n in rows}


def candidate_ids_in(search: Search) -> set[int]:
    return set(db.session.scalars(select(Candidacy.candidate_id).where(Candidacy.search_id == search.id)))


ADDABLE_LIMIT = 20  # searches the finder lists for one text; refine the text for others


def addable_searches(
    firm: Firm, *, owner_id: int | None = None, text: str | None = None, exclude: Collection[int] = ()
) -> list[tuple[int, str, str]]:
    """Searches a candidate can be added to (open or on hold) as (id, title, client name), by
    title: the recruiter's own (the candidate page's short list, up to 100) or those whose
    title or client contains `text` (the finder, up to ADDABLE_LIMIT). A firm with thousands of
    open searches gets a finder instead of one list of all of them, which reached only the
    first 500 by title and was half of the candidate page's time."""
    addable = (Search.state.in_([SearchState.OPEN, SearchState.ON_HOLD]),)
    if text is None:
        # The client's name looked up per search: as a join PostgreSQL hashed all of the firm's
        # clients for a recruiter's dozen searches (9 ms at 15,000 clients, 0.2 ms this way).
        client = select(Client.name).where(Client.id == Search.client_id).scalar_subquery()
        q = select(Search.id, Search.title, client).where(*addable)
    else:
        words = text.strip()[:100]
        q = (
            select(Search.id, Search.title, Client.name)
            .join(Client, Client.id == Search.client_id)
            .where(
                *addable,
                or_(Search.title.icontains(words, autoescape=True), Client.name.icontains(words, autoescape=True)),
            )
        )
    q = q.order_by(Search.title, Search.id)
    if owner_id is not None:
        q = q.where(Search.owner_id == owner_id)
    limit = ADDABLE_LIMIT if text is not None else 100
    rows = db.session.execute(q.limit(limit + len(exclude)))
    return [(sid, title, client) for sid, title, client in rows if sid not in exclude][:limit]
