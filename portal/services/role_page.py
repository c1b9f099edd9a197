"""A role as someone outside the firm reads it (the candidate's role page, and later the
careers site's public role page): title, the client as a candidate may see it, location,
remote policy, seniority, pay, description and requirements, and the skills asked for.

What a reader who was not told the client may see: a confidential search's client is
"Confidential client", and its name or aliases in the description or requirements are
replaced by the search's wording for the client ("the client") before the Markdown is
rendered (portal/services/disclosure.py); the title and location were checked when saved.

A candidate reaches only the roles the matching service suggests to them (the roles page's
list, `suggested_roles`); anything else is NotFound. Reads only: never writes, never commits."""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import firm_text, number
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Candidate, Firm, Search
from portal.services import NotFound, disclosure, matching

# How many roles the candidate's "Roles that may fit you" page lists (and may open).
SUGGESTED_ROLES = 10


@dataclass(frozen=True)
class RoleDetails:
    search_id: int
    title: str
    client_name: str
    location: str | None
    remote_label: str
    seniority_label: str | None
    pay: str
    anticipated: bool
    description_html: str
    requirements_html: str
    required_skills: tuple[str, ...]
    nice_skills: tuple[str, ...]


def pay_text(search: Search) -> str:
    """A search's yearly pay in the page's language and number format: "90,000 – 120,000 EUR a
    year" (`search` may be a row with pay_min, pay_max and pay_currency)."""
    lo, hi, cur = search.pay_min, search.pay_max, search.pay_currency
    if lo and hi:
        return _("%(low)s – %(high)s %(currency)s a year", low=number(lo), high=number(hi), currency=cur)
    if lo:
        return _("%(low)s or more %(currency)s a year", low=number(lo), currency=cur)
    if hi:
        return _("up to %(high)s %(currency)s a year", high=number(hi), currency=cur)
    return _("Not stated")


def _public_markdown(search: Search, source: str) -> str:
    """The Markdown as HTML, without the client's name when the search is confidential."""
    if search.confidential and source:
        source = disclosure.redact(source, disclosure.client_names(search.client), disclosure.wording(search))
    return render_markdown(source)


def details(search: Search) -> RoleDetails:
    """The role as a reader who was not told a confidential client's name may see it; its
    description in the page's language when the search has one in it."""
    skills = sorted(search.skills, key=lambda s: s.skill.name.lower())
    return RoleDetails(
        search_id=search.id,
        title=search.title,
        client_name=search.client_name_for_candidate(),
        location=search.location,
        remote_label=search.remote_policy.label,
        seniority_label=search.seniority.label if search.seniority else None,
        pay=pay_text(search),
        anticipated=search.anticipated,
        description_html=_public_markdown(search, firm_text(search, "description_md") or ""),
        requirements_html=_public_markdown(search, search.requirements_md),
        required_skills=tuple(s.skill.name for s in skills if s.required),
        nice_skills=tuple(s.skill.name for s in skills if not s.required),
    )


def suggested_roles(firm: Firm, candidate: Candidate) -> list[matching.Match]:
    """The roles the candidate's roles page lists, best first (open or anticipated, not on
    hold, not a search they are already in, sharing a skill with them)."""
    return matching.roles_for_candidate(firm, candidate, limit=SUGGESTED_ROLES, include_anticipated=True)


def suggested_role(firm: Firm, candidate: Candidate, search_id: int) -> tuple[RoleDetails, matching.Match]:
    """One of the roles suggested to this candidate, with why it may fit; NotFound for any
    other search (closed, on hold, not suggested, already theirs, another firm's)."""
    match = next((m for m in suggested_roles(firm, candidate) if m.search and m.search.id == search_id), None)
    if match is None or match.search is None:
        raise NotFound(_("No such role."))
    return details(match.search), match
