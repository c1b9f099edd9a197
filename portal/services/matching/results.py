"""Matching, the results: what a match says (Match, its Reasons and their Fit parts, the
recruiter's warnings), the PersonBrief a search's suggestions carry, and the MatchFilters a
recruiter narrows them with. Plain values: never query the database or compute a score here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from portal.models import Candidate, JobSeeking, RemotePreference, Search, Seniority
from portal.services.matching.words import _day, _join


@dataclass(frozen=True)
class Fit:
    """One part of a score: how well it fits, the points it earned, and what to say."""

    level: str  # good | partial | poor | unknown
    points: float
    max_points: int
    candidate_text: str = ""  # to the candidate ("you ..."); never names a client
    recruiter_text: str = ""  # to the recruiter, about the candidate


@dataclass(frozen=True)
class MatchWarning:
    """An earlier candidacy of this person with the same client (recruiter-only)."""

    kind: str  # closed | declined | placed
    search_id: int
    search_title: str
    client_name: str
    when: datetime | None
    detail: str = ""

    @property
    def text(self) -> str:
        when = f" on {_day(self.when)}" if self.when else ""
        verb = {"closed": "Closed", "declined": "Declined to be presented", "placed": "Placed"}.get(
            self.kind, self.kind.capitalize()
        )
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
    candidate: Candidate | PersonBrief | None = None  # a PersonBrief from candidates_for_search
    exact: float = field(default=0.0, repr=False)  # unrounded score, for ordering

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
                out.append(
                    f"You have {len(r.required_in_common)} of the {n_req} required skills"
                    + (f": {_join(r.required_in_common)}." if r.required_in_common else ".")
                )
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

    __slots__ = (
        "id",
        "firm_id",
        "name",
        "headline",
        "seniority",
        "location",
        "desired_locations",
        "remote_preference",
        "pay_expectation",
        "pay_currency",
        "job_seeking",
        "available_from",
        "notice_weeks",
        "deleted_at",
    )
    id: int
    firm_id: int
    name: str
    headline: str | None
    seniority: Seniority | None
    location: str | None
    desired_locations: str | None
    remote_preference: RemotePreference
    pay_expectation: int | None
    pay_currency: str
    job_seeking: JobSeeking
    available_from: date | None
    notice_weeks: int | None
    deleted_at: datetime | None

    @classmethod
    def reader(cls, firm_id: int, fields: tuple[str, ...]) -> Callable[[Sequence[Any]], PersonBrief]:
        """A function making a PersonBrief from a row with these fields, by position."""
        at = [(name, fields.index(name)) for name in ("id", *cls.__slots__[2:-1])]

        def make(row: Sequence[Any]) -> PersonBrief:
            obj = cls.__new__(cls)
            obj.firm_id, obj.deleted_at = firm_id, None  # the shortlist holds no deleted people
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
    location: str | None = None  # case-folded substring of location or desired locations
    available_by: date | None = None  # available_from empty or on/before this date
    max_pay: int | None = None  # pay expectation empty or at most this
    all_required: bool = False  # only people with every required skill
    min_score: int = 0

    @classmethod
    def coerce(cls, value: MatchFilters | Mapping[str, Any] | None) -> MatchFilters:
        if value is None:
            return cls()
        if isinstance(value, MatchFilters):
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
