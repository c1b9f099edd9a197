"""Matching, the results: what a match says (Match, its Reasons and their Fit parts, the
recruiter's warnings), the PersonBrief a search's suggestions carry, and the MatchFilters a
recruiter narrows them with. Plain values: never query the database or compute a score here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from portal.i18n import gettext as _
from portal.models import Candidate, JobSeeking, RemotePreference, Search, Seniority
from portal.phrases import Phrase, lazy_ngettext
from portal.phrases import lazy as _l
from portal.services.matching.words import _day, _join


@dataclass(frozen=True)
class Fit:
    """One part of a score: how well it fits, the points it earned, and what to say."""

    level: str  # good | partial | poor | unknown
    points: float
    max_points: int
    # What to say, as portal.phrases sentences (in the reader's language when printed), or "".
    candidate_text: Phrase | str = ""  # to the candidate ("you ..."); never names a client
    recruiter_text: Phrase | str = ""  # to the recruiter, about the candidate


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
        """The warning in words, in the page's language: "Closed with Acme for “Analyst” on May 1, 2026 (Not a fit)."."""
        values = {"client": self.client_name, "title": self.search_title, "day": _day(self.when) if self.when else ""}
        if self.kind == "declined":
            if self.when:
                return str(_l("Declined to be presented with %(client)s for “%(title)s” on %(day)s.", **values))
            return str(_l("Declined to be presented with %(client)s for “%(title)s”.", **values))
        if self.kind == "placed":
            if self.when:
                return str(_l("Placed with %(client)s for “%(title)s” on %(day)s.", **values))
            return str(_l("Placed with %(client)s for “%(title)s”.", **values))
        if self.when and self.detail:
            return str(
                # Translators: a recruiter's warning: this candidate's earlier candidacy with the same
                # client was closed; %(detail)s is the reason it was closed ("Not a fit")
                _l("Closed with %(client)s for “%(title)s” on %(day)s (%(detail)s).", detail=self.detail, **values)
            )
        if self.when:
            return str(_l("Closed with %(client)s for “%(title)s” on %(day)s.", **values))
        if self.detail:
            return str(_l("Closed with %(client)s for “%(title)s” (%(detail)s).", detail=self.detail, **values))
        return str(_l("Closed with %(client)s for “%(title)s”.", **values))


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
        if self.score >= 75:
            return _("Strong match")
        return _("Good match") if self.score >= 55 else _("Possible match")

    def candidate_reasons(self) -> list[Phrase]:
        """Why this role may fit the candidate, as sentences kept as data (portal.phrases): an
        email recorded now reads them in the candidate's language when it is rendered. Never
        names the client and never shows warnings (those are for the recruiter)."""
        r = self.reasons
        out: list[Phrase] = []
        have, missing = len(r.required_in_common), len(r.required_missing)
        n_req = have + missing
        if n_req:
            if r.required_missing:
                if r.required_in_common:
                    out.append(
                        # Translators: %(names)s is a list of skills ("Python, SQL and Go")
                        lazy_ngettext(
                            "You have %(have)d of the %(num)d required skill: %(names)s.",
                            "You have %(have)d of the %(num)d required skills: %(names)s.",
                            n_req,
                            have=have,
                            names=_join(r.required_in_common),
                        )
                    )
                else:
                    out.append(
                        lazy_ngettext(
                            "You have %(have)d of the %(num)d required skill.",
                            "You have %(have)d of the %(num)d required skills.",
                            n_req,
                            have=have,
                        )
                    )
                out.append(_l("Not on your profile yet: %(names)s.", names=_join(r.required_missing)))
            else:
                out.append(
                    lazy_ngettext(
                        "You have the %(num)d required skill: %(names)s.",
                        "You have all %(num)d required skills: %(names)s.",
                        n_req,
                        names=_join(r.required_in_common),
                    )
                )
        if r.nice_in_common:
            out.append(_l("Also useful for this role, and on your profile: %(names)s.", names=_join(r.nice_in_common)))
        out.extend(self._fits("candidate_text"))
        return out

    def candidate_sentences(self) -> list[str]:
        """`candidate_reasons` in the current language."""
        return [str(p) for p in self.candidate_reasons()]

    def recruiter_reasons(self) -> list[Phrase | str]:
        """What the recruiter reads: warnings first, skills covered and missing, fit."""
        r = self.reasons
        out: list[Phrase | str] = [w.text for w in r.warnings]
        have, missing = len(r.required_in_common), len(r.required_missing)
        n_req = have + missing
        if n_req:
            values = {"have": have, "names": _join(r.required_in_common), "missing": _join(r.required_missing)}
            if have and missing:
                out.append(
                    # Translators: a recruiter's note; %(names)s and %(missing)s are lists of skills
                    lazy_ngettext(
                        "Has %(have)d of %(num)d required skill (%(names)s); missing %(missing)s.",
                        "Has %(have)d of %(num)d required skills (%(names)s); missing %(missing)s.",
                        n_req,
                        **values,
                    )
                )
            elif have:
                out.append(
                    lazy_ngettext(
                        "Has %(have)d of %(num)d required skill (%(names)s).",
                        "Has %(have)d of %(num)d required skills (%(names)s).",
                        n_req,
                        **values,
                    )
                )
            else:
                out.append(
                    lazy_ngettext(
                        "Has %(have)d of %(num)d required skill; missing %(missing)s.",
                        "Has %(have)d of %(num)d required skills; missing %(missing)s.",
                        n_req,
                        **values,
                    )
                )
        n_nice = len(r.nice_in_common) + len(r.nice_missing)
        if r.nice_in_common:
            out.append(
                # Translators: a recruiter's note; %(names)s is a list of skills, then how many of the role's nice-to-have skills
                _l(
                    "Nice to have: %(names)s (%(have)d of %(total)d).",
                    names=_join(r.nice_in_common),
                    have=len(r.nice_in_common),
                    total=n_nice,
                )
            )
        out.extend(self._fits("recruiter_text"))
        return out

    def recruiter_sentences(self) -> list[str]:
        """`recruiter_reasons` in the current language."""
        return [str(p) for p in self.recruiter_reasons()]

    def _fits(self, attr: str) -> list:
        return [getattr(f, attr) for f in self.reasons.parts[1:] if getattr(f, attr)]

    def fit_sentences(self, audience: str = "candidate") -> list[str]:
        """The non-skill parts (seniority, location, remote, pay, availability) in words."""
        return [str(p) for p in self._fits("recruiter_text" if audience == "recruiter" else "candidate_text")]

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
