"""Matching: roles for a candidate and candidates for a search, scored and explained.

Both directions ask one question, "how well does this person fit this role?", and share one
scoring function (`_score`). The score (0..100) is the sum of six parts:

    skills        55  weighted coverage of the search's skills: required count 3, nice 1
    seniority     12  same level full, one level apart half, further none
    location      10  role city among the candidate's places; remote roles always fit
    remote         8  the search's remote policy against the candidate's preference
    pay            8  expectation inside or below the range full; up to 10 % above half
    availability   7  actively looking > open to offers > not looking; far-off start lowers

Skills lead: a person is only suggested when they share at least one skill with the role.
Because the skill part is a weighted coverage ratio, adding a required skill the candidate
has never lowers the score, and adding one they lack never raises it.

Hard rules: filled and cancelled searches never match; searches on hold are not offered to
candidates (nothing can happen on them) but a recruiter still sees suggestions for their own
on-hold search; a candidate already in a search (at any stage) is not suggested for it;
deleted candidates never match; another firm's rows never (explicit firm filters on top of
the tenant filter). An earlier closed, declined or placed candidacy with the same client in
the last 12 months is a warning on the result, never a reason to hide it.

Fast by design: the shortlist comes from SQL over the (firm_id, skill_id, ...) indexes, the
overlap is aggregated in the database (GROUP BY, ORDER BY, LIMIT), and only the shortlist
(`SHORTLIST` rows) is scored in Python; ORM objects and skill names are loaded for the final
results only. The query count is constant, whatever the number of results.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Float, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Candidacy, Candidate, CandidateSkill, Client, CloseReason, Consent, ConsentState, Firm,
    JobSeeking, RemotePreference, Search, SearchSkill, SearchState, Seniority, Skill, Stage, utcnow,
)

REQUIRED_WEIGHT = 3
NICE_WEIGHT = 1
SHORTLIST = 300          # rows scored in Python per query
WARNING_DAYS = 365       # "the last 12 months"
FAR_START_DAYS = 90      # an available-from date further away than this lowers availability

POINTS = {"skills": 55, "seniority": 12, "location": 10, "remote": 8, "pay": 8, "availability": 7}
assert sum(POINTS.values()) == 100

GOOD, PARTIAL, POOR, UNKNOWN = "good", "partial", "poor", "unknown"


# ------------------------------------------------------------------ results

@dataclass(frozen=True)
class Fit:
    """One part of a score: how well it fits, the points it earned, and what to say."""

    level: str                 # good | partial | poor | unknown
    points: float
    max_points: int
    candidate_text: str = ""   # to the candidate ("you ..."); never names a client
    recruiter_text: str = ""   # to the recruiter, about the candidate


@dataclass(frozen=True)
class MatchWarning:
    """An earlier candidacy of this person with the same client (recruiter-only)."""

    kind: str                  # closed | declined | placed
    search_id: int
    search_title: str
    client_name: str
    when: datetime | None
    detail: str = ""

    @property
    def text(self) -> str:
        when = f" on {_day(self.when)}" if self.when else ""
        verb = {"closed": "Closed", "declined": "Declined to be presented",
                "placed": "Placed"}.get(self.kind, self.kind.capitalize())
        detail = f" ({self.detail})" if self.detail else ""
        return f"{verb} with {self.client_name} for \u201c{self.search_title}\u201d{when}{detail}."


@dataclass(frozen=True)
class Reasons:
    skills_in_common: tuple[str, ...]
    required_in_common: tuple[str, ...]
    required_missing: tuple[str, ...]
    nice_in_common: tuple[str, ...]
    nice_missing: tuple[str, ...]
    skills: Fit
    seniority: Fit
    location: Fit
    remote: Fit
    pay: Fit
    availability: Fit
    warnings: tuple[MatchWarning, ...] = ()

    @property
    def parts(self) -> tuple[Fit, ...]:
        return (self.skills, self.seniority, self.location, self.remote, self.pay, self.availability)

    # Names the issue uses for the texts, for templates.
    @property
    def location_text(self) -> str:
        return self.location.candidate_text

    @property
    def pay_text(self) -> str:
        return self.pay.candidate_text

    @property
    def availability_text(self) -> str:
        return self.availability.recruiter_text


@dataclass
class Match:
    """A candidate and a search, with the score (0..100) and the reasons for it."""

    score: int
    reasons: Reasons
    search: Search | None = None
    candidate: Candidate | None = None
    exact: float = field(default=0.0, repr=False)   # unrounded score, for ordering

    @property
    def label(self) -> str:
        return "Strong match" if self.score >= 75 else "Good match" if self.score >= 55 else "Possible match"

    def candidate_sentences(self) -> list[str]:
        """What the candidate reads about why this role may fit them. Never names the client
        and never shows warnings (those are for the recruiter)."""
        r = self.reasons
        out: list[str] = []
        n_req = len(r.required_in_common) + len(r.required_missing)
        if n_req:
            if r.required_missing:
                out.append(f"You have {len(r.required_in_common)} of the {n_req} required skills"
                           + (f": {_join(r.required_in_common)}." if r.required_in_common else "."))
                out.append(f"Not on your profile yet: {_join(r.required_missing)}.")
            else:
                out.append(f"You have all {n_req} required skills: {_join(r.required_in_common)}.")
        if r.nice_in_common:
            out.append(f"Also useful for this role, and on your profile: {_join(r.nice_in_common)}.")
        out.extend(self.fit_sentences("candidate"))
        return out

    def recruiter_sentences(self) -> list[str]:
        """What the recruiter reads: skills covered and missing, fit, and warnings first."""
        r = self.reasons
        out = [w.text for w in r.warnings]
        n_req = len(r.required_in_common) + len(r.required_missing)
        if n_req:
            s = f"Has {len(r.required_in_common)} of {n_req} required skills"
            s += f" ({_join(r.required_in_common)})" if r.required_in_common else ""
            s += f"; missing {_join(r.required_missing)}." if r.required_missing else "."
            out.append(s)
        n_nice = len(r.nice_in_common) + len(r.nice_missing)
        if r.nice_in_common:
            out.append(f"Nice to have: {_join(r.nice_in_common)} ({len(r.nice_in_common)} of {n_nice}).")
        out.extend(self.fit_sentences("recruiter"))
        return out

    def fit_sentences(self, audience: str = "candidate") -> list[str]:
        """The non-skill parts (seniority, location, remote, pay, availability) in words."""
        attr = "recruiter_text" if audience == "recruiter" else "candidate_text"
        return [getattr(f, attr) for f in self.reasons.parts[1:] if getattr(f, attr)]

    def candidate_summary(self) -> str:
        return " ".join(self.candidate_sentences())

    def recruiter_summary(self) -> str:
        return " ".join(self.recruiter_sentences())


@dataclass
class MatchFilters:
    """Optional narrowing of `candidates_for_search` (applied in SQL before the shortlist)."""

    job_seeking: Collection[JobSeeking] = ()
    seniority: Collection[Seniority] = ()
    remote: Collection[RemotePreference] = ()
    location: str | None = None        # case-folded substring of location or desired locations
    available_by: date | None = None   # available_from empty or on/before this date
    max_pay: int | None = None         # pay expectation empty or at most this
    all_required: bool = False         # only people with every required skill
    min_score: int = 0

    @classmethod
    def coerce(cls, value: MatchFilters | Mapping | None) -> MatchFilters:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise TypeError(f"unknown match filters: {', '.join(sorted(unknown))}")
        out = cls(**{k: v for k, v in value.items() if v not in (None, "")})
        out.job_seeking = tuple(JobSeeking(v) for v in out.job_seeking)
        out.seniority = tuple(Seniority(v) for v in out.seniority)
        out.remote = tuple(RemotePreference(v) for v in out.remote)
        return out


# ------------------------------------------------------------------ words

def _join(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d %b %Y").lstrip("0")


def _money(amount: int, currency: str) -> str:
    return f"{currency} {amount:,}"


def _range_text(lo: int | None, hi: int | None, currency: str) -> str:
    if lo is not None and hi is not None:
        return f"{currency} {lo:,}\u2013{hi:,}"
    if lo is not None:
        return f"from {_money(lo, currency)}"
    return f"up to {_money(hi, currency)}"  # type: ignore[arg-type]


_PLACE_SPLIT = re.compile(r"[,;/|\n]+| or | and ")
OPEN_TO_ANY_PLACE = {"anywhere", "any", "any location", "open", "flexible", "worldwide", "relocate",
                     "willing to relocate", "open to relocation"}
REMOTE_WORDS = {"remote", "remote only", "fully remote", "home", "work from home"}


def _places(text: str | None) -> list[str]:
    parts = (" ".join(p.split()) for p in _PLACE_SPLIT.split((text or "").casefold()))
    return [p for p in parts if p]


# ------------------------------------------------------------------ scoring

_SENIORITY_RANK = {s: s.rank for s in Seniority}

_REMOTE_FIT = {  # search policy -> candidate preference -> share of the remote points
    RemotePreference.REMOTE: {RemotePreference.REMOTE: 1.0, RemotePreference.ANY: 1.0,
                              RemotePreference.HYBRID: 0.75, RemotePreference.ONSITE: 0.25},
    RemotePreference.HYBRID: {RemotePreference.HYBRID: 1.0, RemotePreference.ANY: 1.0,
                              RemotePreference.ONSITE: 0.75, RemotePreference.REMOTE: 0.4},
    RemotePreference.ONSITE: {RemotePreference.ONSITE: 1.0, RemotePreference.ANY: 1.0,
                              RemotePreference.HYBRID: 0.6, RemotePreference.REMOTE: 0.0},
    RemotePreference.ANY: {p: 1.0 for p in RemotePreference},
}
_POLICY_WORDS = {RemotePreference.REMOTE: "fully remote", RemotePreference.HYBRID: "hybrid",
                 RemotePreference.ONSITE: "on-site", RemotePreference.ANY: "flexible about remote work"}
_PREF_WORDS = {RemotePreference.REMOTE: "remote work", RemotePreference.HYBRID: "hybrid work",
               RemotePreference.ONSITE: "working on-site", RemotePreference.ANY: "any arrangement"}


def _level(share: float) -> str:
    return GOOD if share >= 0.99 else PARTIAL if share > 0 else POOR


def _skills_fit(have: int, total: int, n_req_have: int, n_req: int) -> Fit:
    max_p = POINTS["skills"]
    if total <= 0:
        return Fit(UNKNOWN, 0.0, max_p)
    share = have / total
    if n_req:
        rec = f"{n_req_have} of {n_req} required skills"
    else:
        rec = "No required skills on the search"
    return Fit(_level(share), max_p * share, max_p, "", rec)


def _seniority_fit(person, role) -> Fit:
    max_p = POINTS["seniority"]
    mine, theirs = person.seniority, role.seniority
    if mine is None or theirs is None:
        return Fit(UNKNOWN, max_p / 2, max_p, "",
                   "Seniority not known" if mine is None and theirs is not None else "")
    d = _SENIORITY_RANK[theirs] - _SENIORITY_RANK[mine]
    if d == 0:
        return Fit(GOOD, max_p, max_p, f"The role is at your level ({theirs.label}).",
                   f"Level matches ({mine.label}).")
    if abs(d) == 1:
        where = "above" if d > 0 else "below"
        return Fit(PARTIAL, max_p / 2, max_p,
                   f"The role ({theirs.label}) is one level {where} yours ({mine.label}).",
                   f"One level {'below' if d > 0 else 'above'} the role ({mine.label} vs {theirs.label}).")
    return Fit(POOR, 0.0, max_p,
               f"The role ({theirs.label}) is at a different level from yours ({mine.label}).",
               f"Level differs ({mine.label} vs {theirs.label}).")


def _location_fit(person, role) -> Fit:
    max_p = POINTS["location"]
    policy = role.remote_policy or RemotePreference.ONSITE
    if policy in (RemotePreference.REMOTE, RemotePreference.ANY):
        what = "fully remote" if policy is RemotePreference.REMOTE else "open to remote work"
        return Fit(GOOD, max_p, max_p, f"The role is {what}, so where you live does not matter.",
                   f"Location no constraint (role {what}).")
    role_places = _places(role.location)
    home = _places(person.location)
    wished = _places(getattr(person, "desired_locations", None))
    if not role_places:
        return Fit(UNKNOWN, max_p / 2, max_p, "", "")
    city = role_places[0]
    shown = " ".join((role.location or "").split())
    if city in home:
        return Fit(GOOD, max_p, max_p, f"The role is in {shown}, where you are based.",
                   f"Based in {shown}.")
    if city in wished:
        return Fit(GOOD, max_p, max_p, f"The role is in {shown}, one of the places you would like to work.",
                   f"Would work in {shown}.")
    if any(p in OPEN_TO_ANY_PLACE for p in wished):
        return Fit(GOOD, max_p * 0.8, max_p, f"The role is in {shown}; you said you are open to any location.",
                   f"Open to any location (role in {shown}).")
    if not home and not wished:
        return Fit(UNKNOWN, max_p / 2, max_p, f"The role is in {shown}.", "Location not known.")
    theirs = set(home) | set(wished)
    if theirs & set(role_places[1:]) or (set(role_places) & set(p for p in theirs if p != city)):
        return Fit(PARTIAL, max_p / 2, max_p, f"The role is in {shown}, in the same region as you.",
                   f"Same region as the role ({shown}).")
    where = " ".join((person.location or "").split()) or "elsewhere"
    return Fit(POOR, 0.0, max_p, f"The role is in {shown}; you are based in {where}.",
               f"Based in {where}; role in {shown}.")


def _remote_fit(person, role) -> Fit:
    max_p = POINTS["remote"]
    policy = role.remote_policy or RemotePreference.ONSITE
    pref = person.remote_preference or RemotePreference.ANY
    share = _REMOTE_FIT[policy][pref]
    if policy is RemotePreference.ANY or pref is RemotePreference.ANY:
        cand = (f"The role is {_POLICY_WORDS[policy]}." if pref is RemotePreference.ANY
                else f"The role is flexible about remote work; you prefer {_PREF_WORDS[pref]}.")
        return Fit(GOOD, max_p, max_p, cand, f"Remote: role {_POLICY_WORDS[policy]}, "
                                             f"prefers {_PREF_WORDS[pref]}.")
    return Fit(_level(share), max_p * share, max_p,
               f"The role is {_POLICY_WORDS[policy]}; you prefer {_PREF_WORDS[pref]}.",
               f"Remote: role {_POLICY_WORDS[policy]}, prefers {_PREF_WORDS[pref]}.")


def _pay_fit(person, role) -> Fit:
    max_p = POINTS["pay"]
    want, lo, hi = person.pay_expectation, role.pay_min, role.pay_max
    cur = role.pay_currency or "EUR"
    if lo is None and hi is None:
        return Fit(UNKNOWN, max_p / 2, max_p, "", "No pay range on the search.")
    rng = _range_text(lo, hi, cur)
    if want is None:
        return Fit(UNKNOWN, max_p / 2, max_p,
                   f"The role pays {rng}; add your pay expectation to your profile to compare.",
                   "No pay expectation on file.")
    mine = _money(want, person.pay_currency or "EUR")
    if (person.pay_currency or "EUR") != cur:
        return Fit(UNKNOWN, max_p / 2, max_p,
                   f"The role pays {rng}; your expectation is {mine}, in another currency.",
                   f"Expects {mine}; range {rng} (different currency, not compared).")
    if hi is not None and want > hi:
        over = (want - hi) / hi if hi else 1.0
        if over <= 0.10:
            return Fit(PARTIAL, max_p / 2, max_p,
                       f"Your expectation ({mine}) is a little above the role's range ({rng}).",
                       f"Expects {mine}, {round(over * 100)} % above the range {rng}.")
        return Fit(POOR, 0.0, max_p, f"Your expectation ({mine}) is above the role's range ({rng}).",
                   f"Expects {mine}, above the range {rng}.")
    if lo is not None and want < lo:
        return Fit(GOOD, max_p, max_p, f"The role pays {rng}, above your expectation ({mine}).",
                   f"Expects {mine}, below the range {rng}.")
    return Fit(GOOD, max_p, max_p, f"Your expectation ({mine}) is within the role's range ({rng}).",
               f"Expects {mine}, within the range {rng}.")


def _availability_fit(person, today: date) -> Fit:
    max_p = POINTS["availability"]
    seeking = person.job_seeking or JobSeeking.OPEN
    points = {JobSeeking.ACTIVE: 7.0, JobSeeking.OPEN: 5.0, JobSeeking.NOT_LOOKING: 1.0}[seeking]
    words = [seeking.label]
    cand = ""
    start = person.available_from
    if start is not None and start > today:
        words.append(f"available from {_day(start)}")
        cand = f"You told us you are available from {_day(start)}."
        if (start - today).days > FAR_START_DAYS:
            points = max(points - 2.0, 0.0)
    if getattr(person, "notice_weeks", None):
        words.append(f"{person.notice_weeks} weeks' notice")
    level = GOOD if points >= 7 else POOR if seeking is JobSeeking.NOT_LOOKING else PARTIAL
    return Fit(level, points, max_p, cand, "; ".join(words) + ".")


def _score(person, role, have: int, total: int, n_req_have: int, n_req: int,
           today: date) -> tuple[float, tuple[Fit, ...]]:
    """The score of `person` (a Candidate or a row with its columns) for `role` (a Search or
    a row), given the weighted skill overlap `have` of `total`. One function for both ways."""
    parts = (_skills_fit(have, total, n_req_have, n_req), _seniority_fit(person, role),
             _location_fit(person, role), _remote_fit(person, role), _pay_fit(person, role),
             _availability_fit(person, today))
    return sum(p.points for p in parts), parts


def _rounded(exact: float) -> int:
    return max(0, min(100, int(exact + 0.5)))


def _reasons(parts: tuple[Fit, ...], role_skills: list[tuple[int, str, bool]], has: set[int],
             warnings: tuple[MatchWarning, ...] = ()) -> Reasons:
    """Reasons from the role's skills (id, name, required) and the person's skill ids."""
    ordered = sorted(role_skills, key=lambda t: t[1].casefold())
    req_in = tuple(n for i, n, r in ordered if r and i in has)
    req_out = tuple(n for i, n, r in ordered if r and i not in has)
    nice_in = tuple(n for i, n, r in ordered if not r and i in has)
    nice_out = tuple(n for i, n, r in ordered if not r and i not in has)
    skills, seniority, location, remote, pay, availability = parts
    return Reasons(
        skills_in_common=tuple(n for i, n, _ in ordered if i in has),
        required_in_common=req_in, required_missing=req_out,
        nice_in_common=nice_in, nice_missing=nice_out,
        skills=skills, seniority=seniority, location=location, remote=remote, pay=pay,
        availability=availability, warnings=warnings,
    )


def _weights(role_skills: list[tuple[int, str, bool]], has: set[int]) -> tuple[int, int, int, int]:
    have = sum(REQUIRED_WEIGHT if r else NICE_WEIGHT for i, _, r in role_skills if i in has)
    total = sum(REQUIRED_WEIGHT if r else NICE_WEIGHT for _, _, r in role_skills)
    n_req = sum(1 for _, _, r in role_skills if r)
    n_req_have = sum(1 for i, _, r in role_skills if r and i in has)
    return have, total, n_req_have, n_req


# ------------------------------------------------------------------ queries

_PERSON_COLS = (Candidate.id, Candidate.seniority, Candidate.location, Candidate.desired_locations,
                Candidate.remote_preference, Candidate.pay_expectation, Candidate.pay_currency,
                Candidate.job_seeking, Candidate.available_from, Candidate.notice_weeks)
_ROLE_COLS = (Search.id, Search.seniority, Search.location, Search.remote_policy, Search.pay_min,
              Search.pay_max, Search.pay_currency, Search.created_at)

_CLOSED_STATES = (SearchState.FILLED, SearchState.CANCELLED)


def _role_skills(firm: Firm, search_ids: Collection[int]) -> dict[int, list[tuple[int, str, bool]]]:
    out: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    if not search_ids:
        return out
    rows = db.session.execute(
        select(SearchSkill.search_id, SearchSkill.skill_id, Skill.name, SearchSkill.required)
        .join(Skill, Skill.id == SearchSkill.skill_id)
        .where(SearchSkill.firm_id == firm.id, SearchSkill.search_id.in_(list(search_ids)))
    ).all()
    for sid, skill_id, name, required in rows:
        out[sid].append((skill_id, name, bool(required)))
    return out


def _person_skills(firm: Firm, candidate_ids: Collection[int],
                   only: Collection[int] | None = None) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    if not candidate_ids:
        return out
    stmt = select(CandidateSkill.candidate_id, CandidateSkill.skill_id).where(
        CandidateSkill.firm_id == firm.id, CandidateSkill.candidate_id.in_(list(candidate_ids)))
    if only is not None:
        stmt = stmt.where(CandidateSkill.skill_id.in_(list(only)))
    for cid, skill_id in db.session.execute(stmt):
        out[cid].add(skill_id)
    return out


def _warnings(firm: Firm, pairs: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int], list[MatchWarning]]:
    """Earlier closed/declined/placed candidacies with the same client in the last 12 months,
    for (candidate_id, search_id, client_id) triples; keyed by (candidate_id, search_id)."""
    pairs = list(pairs)
    out: dict[tuple[int, int], list[MatchWarning]] = defaultdict(list)
    if not pairs:
        return out
    since = utcnow() - timedelta(days=WARNING_DAYS)
    cand_ids = {c for c, _, _ in pairs}
    client_ids = {k for _, _, k in pairs}
    base = (select(Candidacy.candidate_id, Search.id, Search.title, Search.client_id, Client.name)
            .join(Search, Search.id == Candidacy.search_id)
            .join(Client, Client.id == Search.client_id)
            .where(Candidacy.firm_id == firm.id, Candidacy.candidate_id.in_(cand_ids),
                   Search.client_id.in_(client_ids)))
    history: dict[tuple[int, int], list[tuple[int, MatchWarning]]] = defaultdict(list)
    rows = db.session.execute(base.add_columns(
        Candidacy.stage, Candidacy.close_reason, Candidacy.closed_at, Candidacy.stage_changed_at,
    ).where(or_(
        and_(Candidacy.stage == Stage.CLOSED, Candidacy.closed_at >= since),
        and_(Candidacy.stage == Stage.PLACED, Candidacy.stage_changed_at >= since),
    ))).all()
    for cid, sid, title, client_id, client, stage, reason, closed_at, changed_at in rows:
        if stage is Stage.PLACED:
            w = MatchWarning("placed", sid, title, client, changed_at)
        else:
            w = MatchWarning("closed", sid, title, client, closed_at,
                             reason.internal_label if isinstance(reason, CloseReason) else "")
        history[(cid, client_id)].append((sid, w))
    declined = db.session.execute(base.add_columns(Consent.answered_at).join(
        Consent, Consent.candidacy_id == Candidacy.id
    ).where(Consent.state == ConsentState.DECLINED, Consent.answered_at >= since)).all()
    for cid, sid, title, client_id, client, answered_at in declined:
        history[(cid, client_id)].append((sid, MatchWarning("declined", sid, title, client, answered_at)))
    for cid, sid, client_id in pairs:
        found = [w for other, w in history.get((cid, client_id), ()) if other != sid]
        found.sort(key=lambda w: w.when or datetime.min.replace(tzinfo=since.tzinfo), reverse=True)
        out[(cid, sid)] = found
    return out


def _today() -> date:
    return utcnow().date()


def explain(firm: Firm, candidate: Candidate, search: Search, with_warnings: bool = True) -> Match:
    """Score one candidate against one search, with reasons (no hard rules applied: use it on
    a candidacy page or to say why someone is or is not a fit)."""
    if candidate.firm_id != firm.id or search.firm_id != firm.id:
        raise ValueError("candidate and search must belong to the firm")
    role_skills = _role_skills(firm, [search.id])[search.id]
    has = _person_skills(firm, [candidate.id])[candidate.id]
    have, total, n_req_have, n_req = _weights(role_skills, has)
    exact, parts = _score(candidate, search, have, total, n_req_have, n_req, _today())
    warnings = ()
    if with_warnings:
        warnings = tuple(_warnings(firm, [(candidate.id, search.id, search.client_id)])[(candidate.id, search.id)])
    return Match(score=_rounded(exact), reasons=_reasons(parts, role_skills, has, warnings),
                 search=search, candidate=candidate, exact=exact)


def candidates_for_search(firm: Firm, search: Search, limit: int = 50,
                          filters: MatchFilters | Mapping | None = None) -> list[Match]:
    """The best people in the firm's talent pool for a search, best first, with reasons and
    warnings (recruiter-facing). Empty for a filled or cancelled search."""
    flt = MatchFilters.coerce(filters)
    if search is None or search.firm_id != firm.id or search.state in _CLOSED_STATES or limit <= 0:
        return []
    role_skills = _role_skills(firm, [search.id])[search.id]
    if not role_skills:
        return []
    all_ids = [i for i, _, _ in role_skills]
    req_ids = [i for i, _, r in role_skills if r]
    weight = case((CandidateSkill.skill_id.in_(req_ids), REQUIRED_WEIGHT), else_=NICE_WEIGHT) \
        if req_ids else NICE_WEIGHT
    agg = (select(CandidateSkill.candidate_id.label("cid"), func.sum(weight).label("have"))
           .where(CandidateSkill.firm_id == firm.id, CandidateSkill.skill_id.in_(all_ids))
           .group_by(CandidateSkill.candidate_id))
    if flt.all_required and req_ids:
        agg = agg.having(func.sum(case((CandidateSkill.skill_id.in_(req_ids), 1), else_=0)) == len(req_ids))
    agg = agg.subquery()
    in_search = exists().where(Candidacy.firm_id == firm.id, Candidacy.search_id == search.id,
                               Candidacy.candidate_id == agg.c.cid)
    stmt = (select(agg.c.have, *_PERSON_COLS)
            .join(Candidate, Candidate.id == agg.c.cid)
            .where(Candidate.firm_id == firm.id, Candidate.deleted_at.is_(None), ~in_search))
    if flt.job_seeking:
        stmt = stmt.where(Candidate.job_seeking.in_(list(flt.job_seeking)))
    if flt.seniority:
        stmt = stmt.where(Candidate.seniority.in_(list(flt.seniority)))
    if flt.remote:
        stmt = stmt.where(Candidate.remote_preference.in_(list(flt.remote)))
    if flt.location:
        needle = " ".join(flt.location.split()).lower()[:120]
        stmt = stmt.where(or_(func.lower(Candidate.location).contains(needle, autoescape=True),
                              func.lower(Candidate.desired_locations).contains(needle, autoescape=True)))
    if flt.available_by:
        stmt = stmt.where(or_(Candidate.available_from.is_(None), Candidate.available_from <= flt.available_by))
    if flt.max_pay is not None:
        stmt = stmt.where(or_(Candidate.pay_expectation.is_(None), Candidate.pay_expectation <= flt.max_pay))
    not_looking_last = case((Candidate.job_seeking == JobSeeking.NOT_LOOKING, 1), else_=0)
    stmt = stmt.order_by(agg.c.have.desc(), not_looking_last, Candidate.id).limit(max(SHORTLIST, limit))
    rows = db.session.execute(stmt).all()

    _, total, _, n_req = _weights(role_skills, set(all_ids))
    today = _today()
    scored = []
    for row in rows:
        exact, _ = _score(row, search, row.have, total, 0, n_req, today)
        if _rounded(exact) >= flt.min_score:
            scored.append((exact, row.have, row.id))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [cid for _, _, cid in top]
    people = {c.id: c for c in db.session.scalars(
        select(Candidate).where(Candidate.firm_id == firm.id, Candidate.id.in_(ids)))}
    has_of = _person_skills(firm, ids, only=all_ids)
    warn = _warnings(firm, [(cid, search.id, search.client_id) for cid in ids])
    out = []
    for _, _, cid in top:
        person, has = people[cid], has_of.get(cid, set())
        have, total, n_req_have, n_req = _weights(role_skills, has)
        exact, parts = _score(person, search, have, total, n_req_have, n_req, today)
        out.append(Match(score=_rounded(exact), search=search, candidate=person, exact=exact,
                         reasons=_reasons(parts, role_skills, has, tuple(warn[(cid, search.id)]))))
    return out


def roles_for_candidate(firm: Firm, candidate: Candidate, limit: int = 10, include_anticipated: bool = True,
                        *, for_recruiter: bool = False, exclude_search_ids: Collection[int] = (),
                        min_score: int = 0) -> list[Match]:
    """Open (and, if asked, anticipated) searches that may fit the candidate, best first.

    Candidate-facing by default: no warnings, nothing that names a client (use
    `match.search.client_name_for_candidate()` to show one). `for_recruiter=True` adds the
    warnings about earlier candidacies with the same client. Searches on hold, filled or
    cancelled, and searches the candidate is already in, are never offered.
    `exclude_search_ids` leaves out roles already suggested (the nurture digest)."""
    if (candidate is None or candidate.firm_id != firm.id or candidate.deleted_at is not None
            or limit <= 0):
        return []
    mine = db.session.execute(
        select(CandidateSkill.skill_id, Skill.name).join(Skill, Skill.id == CandidateSkill.skill_id)
        .where(CandidateSkill.firm_id == firm.id, CandidateSkill.candidate_id == candidate.id)
    ).all()
    if not mine:
        return []
    my_ids = [i for i, _ in mine]
    hit = select(SearchSkill.search_id).where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id.in_(my_ids))
    w_all = case((SearchSkill.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT)
    w_have = case((SearchSkill.skill_id.in_(my_ids), w_all), else_=0)
    w_req = case((and_(SearchSkill.required.is_(True), SearchSkill.skill_id.in_(my_ids)), 1), else_=0)
    n_req = case((SearchSkill.required.is_(True), 1), else_=0)
    agg = (select(SearchSkill.search_id.label("sid"), func.sum(w_have).label("have"),
                  func.sum(w_all).label("total"), func.sum(w_req).label("req_have"),
                  func.sum(n_req).label("n_req"))
           .where(SearchSkill.firm_id == firm.id, SearchSkill.search_id.in_(hit))
           .group_by(SearchSkill.search_id)).subquery()
    already = exists().where(Candidacy.firm_id == firm.id, Candidacy.candidate_id == candidate.id,
                             Candidacy.search_id == agg.c.sid)
    stmt = (select(agg.c.have, agg.c.total, agg.c.req_have, agg.c.n_req, *_ROLE_COLS)
            .join(Search, Search.id == agg.c.sid)
            .where(Search.firm_id == firm.id, Search.state == SearchState.OPEN, ~already))
    if not include_anticipated:
        stmt = stmt.where(Search.anticipated.is_(False))
    if exclude_search_ids:
        stmt = stmt.where(Search.id.not_in(list(exclude_search_ids)))
    ratio = cast(agg.c.have, Float) / agg.c.total
    stmt = stmt.order_by(ratio.desc(), Search.id.desc()).limit(max(SHORTLIST, limit))
    rows = db.session.execute(stmt).all()

    today = _today()
    scored = []
    for row in rows:
        exact, _ = _score(candidate, row, row.have, row.total, row.req_have, row.n_req, today)
        if _rounded(exact) >= min_score:
            scored.append((exact, row.have / row.total, row.id))
    scored.sort(key=lambda t: (-t[0], -t[1], -t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [sid for _, _, sid in top]
    searches = {s.id: s for s in db.session.scalars(
        select(Search).where(Search.firm_id == firm.id, Search.id.in_(ids))
        .options(selectinload(Search.skills)))}
    role_skills = {sid: [(ss.skill_id, ss.skill.name, bool(ss.required)) for ss in s.skills]
                   for sid, s in searches.items()}
    has = set(my_ids)
    warn = (_warnings(firm, [(candidate.id, sid, searches[sid].client_id) for sid in ids])
            if for_recruiter else {})
    out = []
    for _, _, sid in top:
        search = searches[sid]
        have, total, n_req_have, n_req_ = _weights(role_skills[sid], has)
        exact, parts = _score(candidate, search, have, total, n_req_have, n_req_, today)
        out.append(Match(score=_rounded(exact), search=search, candidate=candidate, exact=exact,
                         reasons=_reasons(parts, role_skills[sid], has,
                                          tuple(warn.get((candidate.id, sid), ())))))
    return out
