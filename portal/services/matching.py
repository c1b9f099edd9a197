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
(`SHORTLIST` or `ROLE_SHORTLIST` rows) is scored in Python; skill names and the searches (ORM
objects) are loaded for the final results only, and the people come from the shortlist rows
(`PersonBrief`). The query count is constant, whatever the number of results. A large
search keeps its best overlaps ready in its match pool (`match_pools.py`), kept exact on
every skill change; the shortlist then reads the pool instead of aggregating.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import (
    Date, Float, Integer, String, and_, bindparam, case, cast, func, literal, literal_column, or_, select, true,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Candidacy, Candidate, CandidateSkill, Client, CloseReason, Consent, ConsentState, Firm,
    JobSeeking, MatchPool, RemotePreference, Search, SearchSkill, SearchState, Seniority, Skill, Stage, utcnow,
)

REQUIRED_WEIGHT = 3
NICE_WEIGHT = 1
SHORTLIST = 100          # rows scored in Python per query (ranked by the SQL pre-score), at least
                         # twice the results asked for; see docs/PERFORMANCE.md for the quality check
ROLE_SHORTLIST = 50      # the same for roles_for_candidate (10 results by default)
OVERLAP_CAP = 1000       # strongest overlaps joined to the candidates table (no person filters)
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


@dataclass
class Match:
    """A candidate and a search, with the score (0..100) and the reasons for it."""

    score: int
    reasons: Reasons
    search: Search | None = None
    candidate: Candidate | PersonBrief | None = None   # a PersonBrief from candidates_for_search
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


class PersonBrief:
    """The candidate of a `candidates_for_search` result: the columns the search page and the
    scoring read (id, name, headline, the scoring facts), straight from the shortlist row.
    Building 50 `Candidate` ORM objects per search took a fifth of the call; load the
    Candidate (`db.session.get`) for anything else."""

    __slots__ = ("id", "firm_id", "name", "headline", "seniority", "location", "desired_locations",
                 "remote_preference", "pay_expectation", "pay_currency", "job_seeking", "available_from",
                 "notice_weeks", "deleted_at")

    @classmethod
    def reader(cls, firm_id: int, fields: tuple[str, ...]):
        """A function making a PersonBrief from a row with these fields, by position."""
        at = [(name, fields.index(name)) for name in ("id", *cls.__slots__[2:-1])]

        def make(row) -> PersonBrief:
            obj = cls.__new__(cls)
            obj.firm_id, obj.deleted_at = firm_id, None    # the shortlist holds no deleted people
            for name, i in at:
                setattr(obj, name, row[i])
            return obj
        return make

    def __repr__(self) -> str:
        return f"<PersonBrief {self.id} {self.name}>"


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


@lru_cache(maxsize=8192)
def _places(text: str | None) -> tuple[str, ...]:
    """Place names in a location field, case-folded: "London, UK" -> ["london", "uk"]."""
    parts = (" ".join(p.split()) for p in _PLACE_SPLIT.split((text or "").casefold()))
    return tuple(p for p in parts if p)


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


# Each part below returns only its points when `words` is False (the shortlist is scored that
# way, hundreds of rows per query) and a full Fit with texts when True (the final results).
# One function per part keeps both answers on the same branches, so they cannot disagree.

def _skills_fit(have: int, total: int, n_req_have: int, n_req: int, words: bool = True):
    max_p = POINTS["skills"]
    points = max_p * have / total if total > 0 else 0.0
    if not words:
        return points
    if total <= 0:
        return Fit(UNKNOWN, 0.0, max_p)
    rec = f"{n_req_have} of {n_req} required skills" if n_req else "No required skills on the search"
    return Fit(_level(have / total), points, max_p, "", rec)


def _seniority_fit(person, role, words: bool = True):
    max_p = POINTS["seniority"]
    mine, theirs = person.seniority, role.seniority
    if mine is None or theirs is None:
        if not words:
            return max_p / 2
        return Fit(UNKNOWN, max_p / 2, max_p, "",
                   "Seniority not known" if mine is None and theirs is not None else "")
    d = _SENIORITY_RANK[theirs] - _SENIORITY_RANK[mine]
    if d == 0:
        if not words:
            return float(max_p)
        return Fit(GOOD, max_p, max_p, f"The role is at your level ({theirs.label}).",
                   f"Level matches ({mine.label}).")
    if abs(d) == 1:
        if not words:
            return max_p / 2
        where = "above" if d > 0 else "below"
        return Fit(PARTIAL, max_p / 2, max_p,
                   f"The role ({theirs.label}) is one level {where} yours ({mine.label}).",
                   f"One level {'below' if d > 0 else 'above'} the role ({mine.label} vs {theirs.label}).")
    if not words:
        return 0.0
    return Fit(POOR, 0.0, max_p,
               f"The role ({theirs.label}) is at a different level from yours ({mine.label}).",
               f"Level differs ({mine.label} vs {theirs.label}).")


def _location_fit(person, role, words: bool = True):
    max_p = POINTS["location"]
    policy = role.remote_policy or RemotePreference.ONSITE
    if policy is RemotePreference.REMOTE or policy is RemotePreference.ANY:
        if not words:
            return float(max_p)
        what = "fully remote" if policy is RemotePreference.REMOTE else "open to remote work"
        return Fit(GOOD, max_p, max_p, f"The role is {what}, so where you live does not matter.",
                   f"Location no constraint (role {what}).")
    role_places = _places(role.location)
    if not role_places:
        return max_p / 2 if not words else Fit(UNKNOWN, max_p / 2, max_p, "", "")
    home = _places(person.location)
    wished = _places(person.desired_locations)
    city = role_places[0]
    shown = " ".join((role.location or "").split())
    if city in home:
        if not words:
            return float(max_p)
        return Fit(GOOD, max_p, max_p, f"The role is in {shown}, where you are based.",
                   f"Based in {shown}.")
    if city in wished:
        if not words:
            return float(max_p)
        return Fit(GOOD, max_p, max_p, f"The role is in {shown}, one of the places you would like to work.",
                   f"Would work in {shown}.")
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        if not words:
            return max_p * 0.8
        return Fit(GOOD, max_p * 0.8, max_p, f"The role is in {shown}; you said you are open to any location.",
                   f"Open to any location (role in {shown}).")
    if not home and not wished:
        if not words:
            return max_p / 2
        return Fit(UNKNOWN, max_p / 2, max_p, f"The role is in {shown}.", "Location not known.")
    region = set(role_places[1:])
    if not region.isdisjoint(home) or not region.isdisjoint(wished) \
            or any(p != city and p in role_places for p in home + wished):
        if not words:
            return max_p / 2
        return Fit(PARTIAL, max_p / 2, max_p, f"The role is in {shown}, in the same region as you.",
                   f"Same region as the role ({shown}).")
    if not words:
        return 0.0
    where = " ".join((person.location or "").split()) or "elsewhere"
    return Fit(POOR, 0.0, max_p, f"The role is in {shown}; you are based in {where}.",
               f"Based in {where}; role in {shown}.")


def _remote_fit(person, role, words: bool = True):
    max_p = POINTS["remote"]
    policy = role.remote_policy or RemotePreference.ONSITE
    pref = person.remote_preference or RemotePreference.ANY
    share = _REMOTE_FIT[policy][pref]
    if not words:
        return max_p * share
    if policy is RemotePreference.ANY or pref is RemotePreference.ANY:
        cand = (f"The role is {_POLICY_WORDS[policy]}." if pref is RemotePreference.ANY
                else f"The role is flexible about remote work; you prefer {_PREF_WORDS[pref]}.")
        return Fit(GOOD, max_p * share, max_p, cand,
                   f"Remote: role {_POLICY_WORDS[policy]}, prefers {_PREF_WORDS[pref]}.")
    return Fit(_level(share), max_p * share, max_p,
               f"The role is {_POLICY_WORDS[policy]}; you prefer {_PREF_WORDS[pref]}.",
               f"Remote: role {_POLICY_WORDS[policy]}, prefers {_PREF_WORDS[pref]}.")


def _pay_fit(person, role, words: bool = True):
    max_p = POINTS["pay"]
    want, lo, hi = person.pay_expectation, role.pay_min, role.pay_max
    cur = role.pay_currency or "EUR"
    mine_cur = person.pay_currency or "EUR"
    if lo is None and hi is None:
        return max_p / 2 if not words else Fit(UNKNOWN, max_p / 2, max_p, "", "No pay range on the search.")
    if want is None or mine_cur != cur:
        if not words:
            return max_p / 2
        rng = _range_text(lo, hi, cur)
        if want is None:
            return Fit(UNKNOWN, max_p / 2, max_p,
                       f"The role pays {rng}; add your pay expectation to your profile to compare.",
                       "No pay expectation on file.")
        mine = _money(want, mine_cur)
        return Fit(UNKNOWN, max_p / 2, max_p,
                   f"The role pays {rng}; your expectation is {mine}, in another currency.",
                   f"Expects {mine}; range {rng} (different currency, not compared).")
    if hi is not None and want > hi:
        over = (want - hi) / hi if hi > 0 else 1.0
        if over <= 0.10:
            if not words:
                return max_p / 2
            rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
            return Fit(PARTIAL, max_p / 2, max_p,
                       f"Your expectation ({mine}) is a little above the role's range ({rng}).",
                       f"Expects {mine}, {round(over * 100)} % above the range {rng}.")
        if not words:
            return 0.0
        rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
        return Fit(POOR, 0.0, max_p, f"Your expectation ({mine}) is above the role's range ({rng}).",
                   f"Expects {mine}, above the range {rng}.")
    if not words:
        return float(max_p)
    rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
    if lo is not None and want < lo:
        return Fit(GOOD, max_p, max_p, f"The role pays {rng}, above your expectation ({mine}).",
                   f"Expects {mine}, below the range {rng}.")
    return Fit(GOOD, max_p, max_p, f"Your expectation ({mine}) is within the role's range ({rng}).",
               f"Expects {mine}, within the range {rng}.")


_SEEKING_POINTS = {JobSeeking.ACTIVE: 7.0, JobSeeking.OPEN: 5.0, JobSeeking.NOT_LOOKING: 1.0}


def _availability_fit(person, today: date, words: bool = True):
    max_p = POINTS["availability"]
    seeking = person.job_seeking or JobSeeking.OPEN
    points = _SEEKING_POINTS[seeking]
    start = person.available_from
    later = start is not None and start > today
    if later and (start - today).days > FAR_START_DAYS:
        points = max(points - 2.0, 0.0)
    if not words:
        return points
    parts = [seeking.label]
    cand = ""
    if later:
        parts.append(f"available from {_day(start)}")
        cand = f"You told us you are available from {_day(start)}."
    if person.notice_weeks:
        parts.append(f"{person.notice_weeks} weeks' notice")
    level = GOOD if points >= 7 else POOR if seeking is JobSeeking.NOT_LOOKING else PARTIAL
    return Fit(level, points, max_p, cand, "; ".join(parts) + ".")


class _Facts:
    """A plain snapshot of the attributes scoring reads (cheaper than ORM attributes when the
    same candidate or search is scored against hundreds of rows)."""

    __slots__ = ("seniority", "location", "desired_locations", "remote_preference", "pay_expectation",
                 "pay_currency", "job_seeking", "available_from", "notice_weeks", "remote_policy",
                 "pay_min", "pay_max")

    def __init__(self, obj=None, **values) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name] if name in values else getattr(obj, name, None))

    def but(self, **values) -> _Facts:
        return _Facts(self, **values)


def _points(person, role, have: int, total: int, today: date) -> float:
    """The score without words: what the shortlist is ranked by (same branches as _score)."""
    return (_skills_fit(have, total, 0, 0, False) + _seniority_fit(person, role, False)
            + _location_fit(person, role, False) + _remote_fit(person, role, False)
            + _pay_fit(person, role, False) + _availability_fit(person, today, False))


def _score(person, role, have: int, total: int, n_req_have: int, n_req: int,
           today: date) -> tuple[float, tuple[Fit, ...]]:
    """The score of `person` (a Candidate or a row with its columns) for `role` (a Search or
    a row), given the weighted skill overlap `have` of `total`, with every part explained.
    One function for both directions."""
    parts = (_skills_fit(have, total, n_req_have, n_req), _seniority_fit(person, role),
             _location_fit(person, role), _remote_fit(person, role), _pay_fit(person, role),
             _availability_fit(person, today))
    return sum(p.points for p in parts), parts


def _rounded(exact: float) -> int:
    return max(0, min(100, int(exact + 0.5)))


def _by_name(role_skills: list[tuple[int, str, bool]]) -> list[tuple[int, str, bool]]:
    return sorted(role_skills, key=lambda t: t[1].casefold())


def _reasons(parts: tuple[Fit, ...], role_skills: list[tuple[int, str, bool]], has: set[int],
             warnings: tuple[MatchWarning, ...] = ()) -> Reasons:
    """Reasons from the role's skills (id, name, required), sorted by name (`_by_name`, once
    per search rather than once per person), and the person's skill ids."""
    common, req_in, req_out, nice_in, nice_out = [], [], [], [], []
    for i, name, required in role_skills:
        if i in has:
            common.append(name)
            (req_in if required else nice_in).append(name)
        else:
            (req_out if required else nice_out).append(name)
    skills, seniority, location, remote, pay, availability = parts
    return Reasons(
        skills_in_common=tuple(common),
        required_in_common=tuple(req_in), required_missing=tuple(req_out),
        nice_in_common=tuple(nice_in), nice_missing=tuple(nice_out),
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
              Search.pay_max, Search.pay_currency)

_CLOSED_STATES = (SearchState.FILLED, SearchState.CANCELLED)

# Expressions that do not depend on the query, built once (building them per call showed up
# in the profile of roles_for_candidate).
SEARCH_SKILL_WEIGHT = case(  # a search skill's weight (also match_pools)
    (SearchSkill.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT)
_EVERY_SKILL = aliased(SearchSkill)
_EVERY_SKILL_WEIGHT = case((_EVERY_SKILL.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT)


@lru_cache(maxsize=2)
def _role_skills_stmt(with_candidate: bool):
    """The searches' skills (and the candidate's among them), built once; Core, with an
    explicit firm filter on every table."""
    firm = bindparam("firm", type_=Integer)
    stmt = (select(SearchSkill.search_id, SearchSkill.skill_id, Skill.name, SearchSkill.required)
            .join(Skill, and_(Skill.id == SearchSkill.skill_id, Skill.firm_id == firm))
            .where(SearchSkill.firm_id == firm, SearchSkill.search_id.in_(bindparam("searches", expanding=True))))
    if with_candidate:
        stmt = stmt.add_columns(CandidateSkill.candidate_id).outerjoin(CandidateSkill, and_(
            CandidateSkill.firm_id == firm, CandidateSkill.candidate_id == bindparam("candidate", type_=Integer),
            CandidateSkill.skill_id == SearchSkill.skill_id))
    return stmt


def _role_skills(firm: Firm, search_ids: Collection[int], candidate_id: int | None = None
                 ) -> tuple[dict[int, list[tuple[int, str, bool]]], set[int]]:
    """Each search's skills as (skill_id, name, required), and, when `candidate_id` is given,
    which of those skills that candidate has (in the same query)."""
    out: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    held: set[int] = set()
    if not search_ids:
        return out, held
    db.session.flush()   # Core statements from here on: nothing autoflushes pending rows for them
    params = {"firm": firm.id, "searches": sorted(set(search_ids)), "candidate": candidate_id}
    rows = db.session.connection().execute(_role_skills_stmt(candidate_id is not None), params).all()
    for sid, skill_id, name, required, *mine in rows:
        out[sid].append((skill_id, name, bool(required)))
        if mine and mine[0] is not None:
            held.add(skill_id)
    return out, held


MASK_BITS = 62   # skills a search may have for the per-person skill bit mask (a signed 64-bit sum)


def _padded_size(n: int) -> int:
    """How many skill ids a shortlist statement takes: 16, 32 or 62 (the bit mask's limit),
    then multiples of 64 (no mask), so that searches with different numbers of skills share a
    few statements; the unused places get ids that never occur."""
    return next((k for k in (16, 32, MASK_BITS) if k >= n), -(-n // 64) * 64)


_SHORTLISTS: dict[tuple, object] = {}   # shortlist statements by shape (_shortlist_stmt's key)


def _shortlist_stmt(dialect: str, size: int, role_shape: tuple, cap: int, short_n: int,
                    all_required: bool, pooled: bool, person_filters):
    """The shortlist statement for `candidates_for_search`, every value a named bind parameter
    (firm, search, s0.. the search's skill ids, q0.. the required ones, n0.. the nice ones, n_req, the role's
    pre-score values, `_role_values`). Built once per shape: building it took about 4.5 ms per
    call, more than running it on a small search. Returns the rows of `pool` below with `mask`
    (bit i set when the person has skill s<i>) when size <= MASK_BITS. `pooled`: the overlaps
    come from the search's match pool (MatchPool) instead of the aggregation, and each row
    also says how many pool rows there are, up to `cap` (`listed`)."""
    skill_ids = [bindparam(f"s{i}", type_=Integer) for i in range(size)]
    req_ids = [bindparam(f"q{i}", type_=Integer) for i in range(size)]
    nice_ids = [bindparam(f"n{i}", type_=Integer) for i in range(size)]
    firm_id = bindparam("firm", type_=Integer)

    # 1. Overlap per person, from the (firm_id, skill_id, candidate_id) index alone, or read
    #    from the search's match pool (the same rows, already aggregated).
    if pooled:
        pool_rows = (select(MatchPool.candidate_id).where(MatchPool.search_id == bindparam("search", type_=Integer),
                                                          MatchPool.firm_id == firm_id))
        agg = (select(MatchPool.candidate_id.label("cid"), MatchPool.have.label("have"))
               .where(MatchPool.search_id == bindparam("search", type_=Integer), MatchPool.firm_id == firm_id)
               .order_by(MatchPool.have.desc(), MatchPool.candidate_id.desc()).limit(cap).subquery())
        listed = select(func.count()).select_from(pool_rows.limit(cap).subquery()).scalar_subquery()
    elif dialect == "sqlite":
        # The required skills' rows weigh 3 and the nice ones' 1, as two index scans: a CASE
        # on the skill id (an IN-list lookup for each of the 10,000 to 50,000 rows) cost
        # SQLite a fifth of the grouping. (PostgreSQL planned the union as a parallel
        # aggregate with a 200-group estimate, slower; it keeps the CASE.)
        def held(ids, weight):
            return (select(CandidateSkill.candidate_id.label("cid"), literal_column(str(weight)).label("w"))
                    .where(CandidateSkill.firm_id == firm_id, CandidateSkill.skill_id.in_(ids)))
        src = union_all(held(req_ids, REQUIRED_WEIGHT), held(nice_ids, NICE_WEIGHT)).subquery("held")
        cid, weight, is_req = src.c.cid, src.c.w, src.c.w == REQUIRED_WEIGHT
    else:
        src = CandidateSkill
        cid, is_req = CandidateSkill.candidate_id, CandidateSkill.skill_id.in_(req_ids)
        weight = case((is_req, REQUIRED_WEIGHT), else_=NICE_WEIGHT)
    if not pooled:
        have_sum = func.sum(weight).label("have")
        agg = select(cid.label("cid"), have_sum).group_by(cid)
        if src is CandidateSkill:
            agg = agg.where(CandidateSkill.firm_id == firm_id, CandidateSkill.skill_id.in_(skill_ids))
        if all_required:
            agg = agg.having(func.sum(case((is_req, 1), else_=0)) == bindparam("n_req", type_=Integer))
        if not person_filters:
            # Without filters on the person, keep only the strongest overlaps before touching the
            # candidates table (the join is the expensive part on a large pool). Ties by id
            # (descending, as the match pool's index reads), so that both give the same people.
            # ORDER BY the label: with the expression repeated SQLite computes the sum twice.
            agg = agg.order_by(have_sum.desc(), cid.desc()).limit(cap)
        agg = agg.subquery()

    # 2. Hard rules and filters on the candidates table (the pool, materialised once), then
    #    the pre-score; the best short_n rows.
    in_search = select(Candidacy.id).where(Candidacy.firm_id == firm_id,
                                           Candidacy.search_id == bindparam("search", type_=Integer),
                                           Candidacy.candidate_id == agg.c.cid).exists()
    person_cols = (*_PERSON_COLS, Candidate.name, Candidate.headline,
                   _place_key(Candidate.location).label("loc_key"),
                   _lower(Candidate.desired_locations).label("wish_key"))
    person_rules = (Candidate.firm_id == firm_id, Candidate.deleted_at.is_(None), *person_filters)
    if dialect == "postgresql":
        # One primary-key lookup per overlap row. A plain join lets PostgreSQL's default cost
        # model pick a sequential scan of the whole candidates table for a thousand ids; the
        # LIMIT 1 (the id is the key) keeps the planner from flattening the lateral lookup.
        person = (select(*person_cols).where(Candidate.id == agg.c.cid, *person_rules).limit(1)
                  .correlate(agg).lateral("person"))
        pool = select(agg.c.have, person).select_from(agg).join(person, true()).where(~in_search)
    else:
        pool = (select(agg.c.have, *person_cols).join(Candidate, Candidate.id == agg.c.cid)
                .where(~in_search, *person_rules))
    pool = pool.cte("pool").prefix_with("MATERIALIZED")
    pre = _role_expr(role_shape, pool.c.have, pool.c)
    short = (select(pool).order_by(pre.desc(), pool.c.have.desc(), pool.c.id).limit(short_n)
             .cte("short").prefix_with("MATERIALIZED"))
    out = select(short)
    if pooled:
        out = out.add_columns(listed.label("listed"))
    if size > MASK_BITS:
        return out
    # Which of the search's skills each shortlisted person has, for the shortlist rows only
    # (after the LIMIT: the short list is materialised, so not for the whole pool), as one
    # integer from a correlated subquery over the (firm_id, candidate_id, skill_id) key.
    mask = (select(func.sum(case({bp: 1 << i for i, bp in enumerate(skill_ids)},
                                 value=CandidateSkill.skill_id, else_=0)))
            .where(CandidateSkill.firm_id == firm_id, CandidateSkill.candidate_id == short.c.id,
                   CandidateSkill.skill_id.in_(skill_ids))
            .scalar_subquery())
    return out.add_columns(mask.label("mask"))


def _from_mask(skill_ids: list[int], value) -> set[int]:
    value = int(value or 0)
    return {skill_id for i, skill_id in enumerate(skill_ids) if value >> i & 1}


def _skills_held(firm: Firm, ids: list[int], skill_ids: list[int]) -> dict[int, set[int]]:
    """Which of `skill_ids` each of the candidates `ids` has (a search with too many skills
    for the bit mask)."""
    has_of: dict[int, set[int]] = defaultdict(set)
    for cid, skill_id in db.session.execute(
            select(CandidateSkill.candidate_id, CandidateSkill.skill_id)
            .where(CandidateSkill.firm_id == firm.id, CandidateSkill.candidate_id.in_(ids),
                   CandidateSkill.skill_id.in_(skill_ids))):
        has_of[cid].add(skill_id)
    return has_of


@lru_cache(maxsize=1)
def _warnings_stmt():
    """Earlier candidacies that warn, for :candidates with :clients (built once; Core, with
    an explicit firm filter on every table)."""
    firm, since = bindparam("firm", type_=Integer), bindparam("since", type_=Candidacy.closed_at.type)
    closed_recently = and_(Candidacy.stage == Stage.CLOSED, Candidacy.closed_at >= since)
    placed_recently = and_(Candidacy.stage == Stage.PLACED, Candidacy.stage_changed_at >= since)
    return (
        select(Candidacy.id, Candidacy.candidate_id, Search.id, Search.title, Search.client_id, Client.name,
               Candidacy.stage, Candidacy.close_reason, Candidacy.closed_at, Candidacy.stage_changed_at,
               Consent.answered_at)
        .join(Search, and_(Search.id == Candidacy.search_id, Search.firm_id == firm))
        .join(Client, and_(Client.id == Search.client_id, Client.firm_id == firm))
        .outerjoin(Consent, and_(Consent.candidacy_id == Candidacy.id, Consent.firm_id == firm,
                                 Consent.state == ConsentState.DECLINED, Consent.answered_at >= since))
        .where(Candidacy.firm_id == firm,
               Candidacy.candidate_id.in_(bindparam("candidates", expanding=True)),
               Search.client_id.in_(bindparam("clients", expanding=True)),
               or_(closed_recently, placed_recently, Consent.id.is_not(None))))


def _warnings(firm: Firm, pairs: Iterable[tuple[int, int, int]]) -> dict[tuple[int, int], list[MatchWarning]]:
    """Earlier closed, placed or declined candidacies with the same client in the last 12
    months, for (candidate_id, search_id, client_id) triples; keyed by (candidate_id,
    search_id). One query for all of them."""
    pairs = list(pairs)
    out: dict[tuple[int, int], list[MatchWarning]] = defaultdict(list)
    if not pairs:
        return out
    since = utcnow() - timedelta(days=WARNING_DAYS)
    rows = db.session.connection().execute(_warnings_stmt(), {
        "firm": firm.id, "since": since, "candidates": sorted({c for c, _, _ in pairs}),
        "clients": sorted({k for _, _, k in pairs})}).all()
    history: dict[tuple[int, int], dict[tuple[int, str], MatchWarning]] = defaultdict(dict)
    for yid, cid, sid, title, client_id, client, stage, reason, closed_at, changed_at, declined_at in rows:
        found = history[(cid, client_id)]
        if stage is Stage.PLACED and changed_at is not None and changed_at >= since:
            found[(yid, "placed")] = MatchWarning("placed", sid, title, client, changed_at)
        if stage is Stage.CLOSED and closed_at is not None and closed_at >= since:
            found[(yid, "closed")] = MatchWarning(
                "closed", sid, title, client, closed_at,
                reason.internal_label if isinstance(reason, CloseReason) else "")
        if declined_at is not None:
            found[(yid, "declined")] = MatchWarning("declined", sid, title, client, declined_at)
    oldest = datetime.min.replace(tzinfo=since.tzinfo)
    for cid, sid, client_id in pairs:
        found = [w for w in history.get((cid, client_id), {}).values() if w.search_id != sid]
        found.sort(key=lambda w: w.when or oldest, reverse=True)
        out[(cid, sid)] = found
    return out


def _today() -> date:
    return utcnow().date()


# ------------------------------------------------------------------ the shortlist in SQL
#
# The database ranks the rows that share skills by a pre-score computed in SQL, and only the
# best SHORTLIST rows reach Python, which scores them exactly. The pre-score mirrors the
# Python parts: where a part depends on an enum column (seniority, remote, job seeking) the
# CASE is built by calling the Python part itself for every value, so the two cannot drift;
# pay is the same arithmetic; only location is approximated (comma-separated place names are
# matched with LIKE), which can only change who makes the shortlist, never a shown score.

def _enum_points(column, values, points_of) -> case:
    """CASE column WHEN v THEN points_of(v) ... ELSE points_of(None)."""
    return case({v: float(points_of(v)) for v in values}, value=column, else_=float(points_of(None)))


def _lower(col):
    return func.lower(func.coalesce(col, ""))


def _like_escape(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _starts(col, text: str):
    """col LIKE 'text%' with the whole pattern bound as one constant (PostgreSQL then
    compiles it once, not once per row as with `col LIKE :p || '%'`)."""
    return col.like(_like_escape(text) + "%", escape="/")


def _has(col, text: str):
    return col.like("%" + _like_escape(text) + "%", escape="/")


def _place_key(col):
    """A location column folded for LIKE: "Berlin, Germany" -> "berlin, germany," (the
    trailing comma lets "starts with place," match a lone city too). Computed once per row
    in the pool, then read by several LIKEs."""
    return func.trim(_lower(col)) + ","


def _role_shape(role: _Facts) -> tuple:
    """What the structure of the role's SQL pre-score depends on (the values are bound): the
    kind of pay range and of location. Searches of one shape share one statement."""
    if role.pay_min is None and role.pay_max is None:
        pay = "none"
    else:
        pay = "range" if role.pay_max is None else "capped"
    policy = role.remote_policy or RemotePreference.ONSITE
    places = _places(role.location)
    if policy in (RemotePreference.REMOTE, RemotePreference.ANY) or not places:
        return pay, -1
    return pay, len(places) - 1       # the city, then this many region names


def _role_values(role: _Facts, total: int, today: date) -> dict:
    """The bound values of the role's pre-score (see _role_expr)."""
    p = POINTS
    probe = _Facts(seniority=None, location=None, desired_locations=None, remote_preference=None,
                   pay_expectation=None, pay_currency=None, job_seeking=None, available_from=None)
    far = today + timedelta(days=FAR_START_DAYS)
    out = {"r_skill_k": p["skills"] / total if total else 0.0, "r_far": far}
    out.update(_enum_values("r_sen", Seniority, lambda v: _seniority_fit(probe.but(seniority=v), role, False)))
    out.update(_enum_values("r_rem", RemotePreference,
                            lambda v: _remote_fit(probe.but(remote_preference=v), role, False)))
    out.update(_enum_values("r_avf", JobSeeking, lambda v: _availability_fit(
        probe.but(job_seeking=v, available_from=far + timedelta(days=1)), today, False)))
    out.update(_enum_values("r_av", JobSeeking, lambda v: _availability_fit(probe.but(job_seeking=v), today, False)))
    hi = role.pay_max
    out.update(r_cur=role.pay_currency or "EUR", r_hi=hi, r_hi_x=(hi * 1.1 if hi > 0 else 0) if hi is not None else None)
    pay_kind, n_region = _role_shape(role)
    if n_region < 0:
        policy = role.remote_policy or RemotePreference.ONSITE
        out["r_loc"] = float(p["location"]) if policy in (RemotePreference.REMOTE, RemotePreference.ANY) \
            else p["location"] / 2
    else:
        places = _places(role.location)
        city = _like_escape(places[0])
        out.update(r_city_start=city + ",%", r_city_has="%" + city + "%")
        out.update({f"r_reg{i}": "%" + _like_escape(r) + "%" for i, r in enumerate(places[1:])})
    return out


def _role_expr(shape: tuple, have, cols, values: dict | None = None):
    """SQL pre-score of candidate rows for a role of this shape, every role-dependent value a
    named bind parameter (`_role_values`; bound here when `values` is given). `cols` maps the
    Candidate attribute names (and loc_key / wish_key, see _place_key) to the row source's
    columns."""
    p = POINTS
    pay_kind, n_region = shape

    def bp(name, type_=Float):
        return bindparam(name, values[name], type_=type_) if values else bindparam(name, type_=type_)
    f = bp
    skills_part = cast(have, Float) * f("r_skill_k")
    seniority = _enum_case(cols["seniority"], Seniority, "r_sen", bp)
    remote = _enum_case(cols["remote_preference"], RemotePreference, "r_rem", bp)
    availability = case((cols["available_from"] > bp("r_far", Date),
                         _enum_case(cols["job_seeking"], JobSeeking, "r_avf", bp)),
                        else_=_enum_case(cols["job_seeking"], JobSeeking, "r_av", bp))
    want = cols["pay_expectation"]
    if pay_kind == "none":
        pay = literal(p["pay"] / 2)
    else:
        whens = [(or_(want.is_(None), func.coalesce(cols["pay_currency"], "EUR") != bp("r_cur", String)),
                  p["pay"] / 2)]
        if pay_kind == "capped":
            whens += [(want > f("r_hi_x"), 0.0), (want > bp("r_hi", Integer), p["pay"] / 2)]
        pay = case(*whens, else_=float(p["pay"]))
    if n_region < 0:
        location = f("r_loc")
    else:
        home, wished = cols["loc_key"], cols["wish_key"]
        like = lambda col, name: col.like(bp(name, String), escape="/")  # noqa: E731
        whens = [(like(home, "r_city_start"), float(p["location"])),
                 (like(wished, "r_city_has"), float(p["location"])),
                 (or_(*(_has(wished, w) for w in sorted(OPEN_TO_ANY_PLACE) if len(w) > 4)),
                  p["location"] * 0.8),
                 (and_(home == ",", wished == ""), p["location"] / 2)]
        if n_region:
            whens.append((or_(*(or_(like(home, f"r_reg{i}"), like(wished, f"r_reg{i}"))
                                for i in range(n_region))), p["location"] / 2))
        location = case(*whens, else_=0.0)
    return skills_part + seniority + location + remote + pay + availability


def _enum_case(column, values, prefix: str, bp) -> case:
    """CASE column WHEN v THEN :prefix_v ... ELSE :prefix_ (values from _enum_values)."""
    return case({v: bp(f"{prefix}_{v.name}") for v in values}, value=column, else_=bp(f"{prefix}_"))


def _enum_values(prefix: str, values, points_of) -> dict:
    out = {f"{prefix}_{v.name}": float(points_of(v)) for v in values}
    out[f"{prefix}_"] = float(points_of(None))
    return out


def _sql_points_for_role(role: _Facts, total: int, have, today: date, cols):
    """SQL pre-score of candidate rows for one search (`role`), with the values bound: the
    expression `candidates_for_search` builds once per shape and binds per call."""
    return _role_expr(_role_shape(role), have, cols, _role_values(role, total, today))


def _sql_points_for_person(person: _Facts, have, total, today: date, cols):
    """SQL pre-score of search rows for one candidate (`person`). `cols` maps the Search
    attribute names (and loc_key, see _place_key) to the row source's columns."""
    p = POINTS
    probe = _Facts(seniority=None, location=None, remote_policy=None, pay_min=None, pay_max=None,
                   pay_currency=None)
    skills_part = cast(have, Float) * p["skills"] / total
    seniority = _enum_points(cols["seniority"], Seniority,
                             lambda v: _seniority_fit(person, probe.but(seniority=v), False))
    remote = _enum_points(cols["remote_policy"], RemotePreference,
                          lambda v: _remote_fit(person, probe.but(remote_policy=v), False))
    availability = literal(float(_availability_fit(person, today, False)))
    # Pay: the person's expectation is known here.
    want, mine = person.pay_expectation, person.pay_currency or "EUR"
    lo, hi = cols["pay_min"], cols["pay_max"]
    if want is None:
        pay = literal(p["pay"] / 2)
    else:
        pay = case(
            (and_(lo.is_(None), hi.is_(None)), p["pay"] / 2),
            (func.coalesce(cols["pay_currency"], "EUR") != mine, p["pay"] / 2),
            (and_(hi.is_not(None), hi * 1.1 < want), 0.0),
            (and_(hi.is_not(None), hi < want), p["pay"] / 2),
            else_=float(p["pay"]))
    # Location (approximate).
    home, wished = _places(person.location), _places(person.desired_locations)
    mine_places = tuple(dict.fromkeys(home + wished))
    key = cols["loc_key"]
    whens = [(cols["remote_policy"].in_([RemotePreference.REMOTE, RemotePreference.ANY]), float(p["location"])),
             (key == ",", p["location"] / 2)]
    whens += [(_starts(key, place + ","), float(p["location"])) for place in mine_places]
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        fallback = p["location"] * 0.8
    elif not mine_places:
        fallback = p["location"] / 2
    else:
        whens += [(_has(key, place), p["location"] / 2) for place in mine_places]
        fallback = 0.0
    location = case(*whens, else_=fallback)
    return skills_part + seniority + location + remote + pay + availability


def explain(firm: Firm, candidate: Candidate, search: Search, with_warnings: bool = True) -> Match:
    """Score one candidate against one search, with reasons (no hard rules applied: use it on
    a candidacy page or to say why someone is or is not a fit)."""
    if candidate.firm_id != firm.id or search.firm_id != firm.id:
        raise ValueError("candidate and search must belong to the firm")
    skills_of, has = _role_skills(firm, [search.id], candidate.id)
    role_skills = skills_of[search.id]
    have, total, n_req_have, n_req = _weights(role_skills, has)
    exact, parts = _score(candidate, search, have, total, n_req_have, n_req, _today())
    warnings = ()
    if with_warnings:
        warnings = tuple(_warnings(firm, [(candidate.id, search.id, search.client_id)])[(candidate.id, search.id)])
    return Match(score=_rounded(exact), reasons=_reasons(parts, _by_name(role_skills), has, warnings),
                 search=search, candidate=candidate, exact=exact)


def candidates_for_search(firm: Firm, search: Search, limit: int = 50,
                          filters: MatchFilters | Mapping | None = None) -> list[Match]:
    """The best people in the firm's talent pool for a search, best first, with reasons and
    warnings (recruiter-facing). Empty for a filled or cancelled search."""
    flt = MatchFilters.coerce(filters)
    if search is None or search.firm_id != firm.id or search.state in _CLOSED_STATES or limit <= 0:
        return []
    role_skills = _role_skills(firm, [search.id])[0][search.id]
    if not role_skills:
        return []
    all_ids = [i for i, _, _ in role_skills]
    req_ids = [i for i, _, r in role_skills if r]
    _, total, _, n_req = _weights(role_skills, set(all_ids))
    today = _today()
    role = _Facts(search)

    # 1-2. The shortlist: one statement per shape (see _shortlist_stmt), the values bound.
    size = _padded_size(len(all_ids))
    person_filters = _person_filters(flt)
    all_required = bool(flt.all_required and req_ids)
    # The search's match pool (match_pools.py) holds its best overlaps already aggregated;
    # filters on the person look beyond the best overlaps, so they always aggregate.
    pooled = search.pool_floor is not None and not person_filters and not all_required

    def statement(pooled: bool):
        key = (db.session.get_bind().dialect.name, size, _role_shape(role), OVERLAP_CAP,
               max(SHORTLIST, 2 * limit), all_required, pooled)
        if person_filters:
            return _shortlist_stmt(*key, person_filters)
        stmt = _SHORTLISTS.get(key)
        if stmt is None:
            if len(_SHORTLISTS) >= 256:     # a few shapes in practice; never grow without bound
                _SHORTLISTS.clear()
            stmt = _SHORTLISTS[key] = _shortlist_stmt(*key, ())
        return stmt
    params = {"firm": firm.id, "search": search.id, "n_req": len(req_ids),
              **_role_values(role, total, today)}
    params.update({f"s{i}": all_ids[i] if i < len(all_ids) else -1 - i for i in range(size)})
    params.update({f"q{i}": req_ids[i] if i < len(req_ids) else -1 for i in range(size)})
    nice_ids = [i for i, _, r in role_skills if not r]
    params.update({f"n{i}": nice_ids[i] if i < len(nice_ids) else -1 for i in range(size)})
    # Core execution: every table in the statement carries its explicit firm filter, and the
    # ORM's tenant criteria would make a new statement (and cache key) on every call.
    conn = db.session.connection()
    raw = conn.connection.dbapi_connection if conn.dialect.name == "postgresql" else None

    def shortlist(pooled: bool):
        if raw is None:
            return conn.execute(statement(pooled), params).all()
        # Never as a server-side prepared statement: psycopg prepares a query text after its
        # fifth execution, and PostgreSQL's generic plan for it (the skill ids and the role's
        # values unknown) was 2 to 3 times slower than the plan for the actual values.
        threshold, raw.prepare_threshold = raw.prepare_threshold, None
        try:
            return conn.execute(statement(pooled), params).all()
        finally:
            raw.prepare_threshold = threshold
    rows = shortlist(pooled)
    if pooled and (not rows or (rows[0].listed < OVERLAP_CAP and search.pool_floor > 1)):
        # The pool shrank below the cap (people left it since it was built; the worker's
        # plan rebuilds it), or nobody in it is left to suggest: aggregate after all.
        rows = shortlist(False)
    mask = size <= MASK_BITS

    # 3. The exact score of the shortlist, in Python; words and objects for the best only.
    #    Rows become PersonBriefs first: attribute reads on a result row cost ten times more.
    make = PersonBrief.reader(firm.id, rows[0]._fields) if rows else None
    at_have = rows[0]._fields.index("have") if rows else 0
    people = {}
    scored = []
    for row in rows:
        person = people[row.id] = make(row)
        exact = _points(person, role, row[at_have], total, today)
        if _rounded(exact) >= flt.min_score:
            scored.append((exact, row[at_have], person.id))
    scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [cid for _, _, cid in top]
    if mask:
        at_mask = rows[0]._fields.index("mask")
        masks = {row.id: row[at_mask] for row in rows}
        has_of = {cid: _from_mask(all_ids, masks[cid]) for cid in ids}
    else:
        has_of = _skills_held(firm, ids, all_ids)
    warn = _warnings(firm, [(cid, search.id, search.client_id) for cid in ids])
    ordered = _by_name(role_skills)
    weight_of = {i: REQUIRED_WEIGHT if r else NICE_WEIGHT for i, _, r in role_skills}
    required = set(req_ids)
    out = []
    for _, _, cid in top:
        person, has = people[cid], has_of.get(cid, set())
        have = sum(weight_of[i] for i in has)      # as _weights, with the search's part once
        exact, parts = _score(person, role, have, total, len(has & required), n_req, today)
        out.append(Match(score=_rounded(exact), search=search, candidate=person, exact=exact,
                         reasons=_reasons(parts, ordered, has, tuple(warn[(cid, search.id)]))))
    return out


def _person_filters(flt: MatchFilters) -> list:
    out = []
    if flt.job_seeking:
        out.append(Candidate.job_seeking.in_(list(flt.job_seeking)))
    if flt.seniority:
        out.append(Candidate.seniority.in_(list(flt.seniority)))
    if flt.remote:
        out.append(Candidate.remote_preference.in_(list(flt.remote)))
    if flt.location:
        needle = " ".join(flt.location.split()).lower()[:120]
        out.append(or_(_has(_lower(Candidate.location), needle), _has(_lower(Candidate.desired_locations), needle)))
    if flt.available_by:
        out.append(or_(Candidate.available_from.is_(None), Candidate.available_from <= flt.available_by))
    if flt.max_pay is not None:
        out.append(or_(Candidate.pay_expectation.is_(None), Candidate.pay_expectation <= flt.max_pay))
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
    today = _today()
    person = _Facts(candidate)

    # 1. Overlap per search from the (firm_id, skill_id, search_id, required) index, for the
    #    skills on the candidate's profile.
    mine = select(CandidateSkill.skill_id).where(
        CandidateSkill.firm_id == firm.id, CandidateSkill.candidate_id == candidate.id)
    w = SEARCH_SKILL_WEIGHT
    hits = (select(SearchSkill.search_id.label("sid"), func.sum(w).label("have"))
            .where(SearchSkill.firm_id == firm.id, SearchSkill.skill_id.in_(mine))
            .group_by(SearchSkill.search_id)).subquery()
    # 2. Open searches only, with each one's total weight from the (firm_id, search_id,
    #    required) index; the pool is materialised so the total is computed once per search.
    every = _EVERY_SKILL
    total = (select(func.sum(_EVERY_SKILL_WEIGHT))
             .where(every.firm_id == firm.id, every.search_id == Search.id)
             .correlate(Search).scalar_subquery())
    already = select(Candidacy.id).where(Candidacy.firm_id == firm.id, Candidacy.candidate_id == candidate.id,
                                         Candidacy.search_id == hits.c.sid).exists()
    pool = (select(hits.c.have, total.label("total"), *_ROLE_COLS, _place_key(Search.location).label("loc_key"))
            .join(Search, Search.id == hits.c.sid)
            .where(Search.firm_id == firm.id, Search.state == SearchState.OPEN, ~already))
    if not include_anticipated:
        pool = pool.where(Search.anticipated.is_(False))
    if exclude_search_ids:
        pool = pool.where(Search.id.not_in(list(exclude_search_ids)))
    pool = pool.cte("pool").prefix_with("MATERIALIZED")
    # 3. The pre-score, then the best SHORTLIST rows.
    pre = _sql_points_for_person(person, pool.c.have, pool.c.total, today, pool.c)
    stmt = (select(pool).order_by(pre.desc(), (cast(pool.c.have, Float) / pool.c.total).desc(), pool.c.id.desc())
            .limit(max(ROLE_SHORTLIST, 2 * limit)))
    rows = db.session.execute(stmt).all()

    scored = []
    for row in rows:
        exact = _points(person, row, row.have, row.total, today)
        if _rounded(exact) >= min_score:
            scored.append((exact, row.have / row.total, row.id))
    scored.sort(key=lambda t: (-t[0], -t[1], -t[2]))
    top = scored[:limit]
    if not top:
        return []
    ids = [sid for _, _, sid in top]
    searches = {s.id: s for s in db.session.scalars(
        select(Search).where(Search.firm_id == firm.id, Search.id.in_(ids)))}
    role_skills, has = _role_skills(firm, ids, candidate.id)
    warn = (_warnings(firm, [(candidate.id, sid, searches[sid].client_id) for sid in ids])
            if for_recruiter else {})
    out = []
    for _, _, sid in top:
        search = searches[sid]
        have, total_w, n_req_have, n_req = _weights(role_skills[sid], has)
        exact, parts = _score(candidate, search, have, total_w, n_req_have, n_req, today)
        out.append(Match(score=_rounded(exact), search=search, candidate=candidate, exact=exact,
                         reasons=_reasons(parts, _by_name(role_skills[sid]), has,
                                          tuple(warn.get((candidate.id, sid), ())))))
    return out
