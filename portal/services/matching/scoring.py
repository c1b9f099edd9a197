"""Matching, the scoring: how well one person fits one role, as six parts that add up to 0..100
(skills 55, seniority 12, location 10, remote 8, pay 8, availability 7), each with its words.
The one scoring function both directions share (`_score`, and `_points` without the words).
Pure: never query the database here; sql.py and prescore.py mirror these rules in SQL.

The words are portal.phrases values (a sentence and its values, kept as data): they are spelled
in the reader's language when printed, on a page or in an email rendered again at send time."""

from __future__ import annotations

from datetime import date

from portal.models import JobSeeking, RemotePreference, Seniority
from portal.phrases import lazy as _l
from portal.phrases import lazy_ngettext
from portal.services.matching.results import Fit, MatchWarning, Reasons
from portal.services.matching.words import (
    _POLICY_SENTENCES,
    _POLICY_WORDS,
    _PREF_SENTENCES,
    _PREF_WORDS,
    OPEN_TO_ANY_PLACE,
    _day,
    _money,
    _places,
    _range_text,
    availability_note,
    location_words,
)

REQUIRED_WEIGHT = 3
NICE_WEIGHT = 1
FAR_START_DAYS = 90  # an available-from date further away than this lowers availability

POINTS = {"skills": 55, "seniority": 12, "location": 10, "remote": 8, "pay": 8, "availability": 7}
assert sum(POINTS.values()) == 100

GOOD, PARTIAL, POOR, UNKNOWN = "good", "partial", "poor", "unknown"


_SENIORITY_RANK = {s: s.rank for s in Seniority}

_REMOTE_FIT = {  # search policy -> candidate preference -> share of the remote points
    RemotePreference.REMOTE: {
        RemotePreference.REMOTE: 1.0,
        RemotePreference.ANY: 1.0,
        RemotePreference.HYBRID: 0.75,
        RemotePreference.ONSITE: 0.25,
    },
    RemotePreference.HYBRID: {
        RemotePreference.HYBRID: 1.0,
        RemotePreference.ANY: 1.0,
        RemotePreference.ONSITE: 0.75,
        RemotePreference.REMOTE: 0.4,
    },
    RemotePreference.ONSITE: {
        RemotePreference.ONSITE: 1.0,
        RemotePreference.ANY: 1.0,
        RemotePreference.HYBRID: 0.6,
        RemotePreference.REMOTE: 0.0,
    },
    RemotePreference.ANY: {p: 1.0 for p in RemotePreference},
}


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
    rec = (
        lazy_ngettext(
            "%(have)d of %(num)d required skill", "%(have)d of %(num)d required skills", n_req, have=n_req_have
        )
        if n_req
        else _l("No required skills on the search")
    )
    return Fit(_level(have / total), points, max_p, "", rec)


def _seniority_fit(person, role, words: bool = True):
    max_p = POINTS["seniority"]
    mine, theirs = person.seniority, role.seniority
    if mine is None or theirs is None:
        if not words:
            return max_p / 2
        return Fit(
            UNKNOWN, max_p / 2, max_p, "", _l("Seniority not known") if mine is None and theirs is not None else ""
        )
    d = _SENIORITY_RANK[theirs] - _SENIORITY_RANK[mine]
    if d == 0:
        if not words:
            return float(max_p)
        return Fit(
            GOOD,
            max_p,
            max_p,
            # Translators: %(level)s is a seniority level ("Senior")
            _l("The role is at your level (%(level)s).", level=theirs),
            _l("Level matches (%(level)s).", level=mine),
        )
    if abs(d) == 1:
        if not words:
            return max_p / 2
        if d > 0:
            cand = _l("The role (%(role)s) is one level above yours (%(yours)s).", role=theirs, yours=mine)
            rec = _l("One level below the role (%(level)s vs %(role)s).", level=mine, role=theirs)
        else:
            cand = _l("The role (%(role)s) is one level below yours (%(yours)s).", role=theirs, yours=mine)
            rec = _l("One level above the role (%(level)s vs %(role)s).", level=mine, role=theirs)
        return Fit(PARTIAL, max_p / 2, max_p, cand, rec)
    if not words:
        return 0.0
    return Fit(
        POOR,
        0.0,
        max_p,
        _l("The role (%(role)s) is at a different level from yours (%(yours)s).", role=theirs, yours=mine),
        _l("Level differs (%(level)s vs %(role)s).", level=mine, role=theirs),
    )


def _location_fit(person, role, words: bool = True):
    max_p = POINTS["location"]
    policy = role.remote_policy or RemotePreference.ONSITE
    if policy is RemotePreference.REMOTE or policy is RemotePreference.ANY:
        if not words:
            return float(max_p)
        return Fit(GOOD, max_p, max_p, *location_words("remote" if policy is RemotePreference.REMOTE else "open"))
    role_places = _places(role.location)
    if not role_places:
        return max_p / 2 if not words else Fit(UNKNOWN, max_p / 2, max_p, "", "")
    home = _places(person.location)
    wished = _places(person.desired_locations)
    city = role_places[0]
    shown = " ".join((role.location or "").split())
    if city in home:
        return float(max_p) if not words else Fit(GOOD, max_p, max_p, *location_words("home", shown))
    if city in wished:
        return float(max_p) if not words else Fit(GOOD, max_p, max_p, *location_words("wished", shown))
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        return max_p * 0.8 if not words else Fit(GOOD, max_p * 0.8, max_p, *location_words("anywhere", shown))
    if not home and not wished:
        return max_p / 2 if not words else Fit(UNKNOWN, max_p / 2, max_p, *location_words("unknown", shown))
    region = set(role_places[1:])
    if (
        not region.isdisjoint(home)
        or not region.isdisjoint(wished)
        or any(p != city and p in role_places for p in home + wished)
    ):
        return max_p / 2 if not words else Fit(PARTIAL, max_p / 2, max_p, *location_words("region", shown))
    if not words:
        return 0.0
    return Fit(POOR, 0.0, max_p, *location_words("far", shown, " ".join((person.location or "").split())))


def _remote_fit(person, role, words: bool = True):
    max_p = POINTS["remote"]
    policy = role.remote_policy or RemotePreference.ONSITE
    pref = person.remote_preference or RemotePreference.ANY
    share = _REMOTE_FIT[policy][pref]
    if not words:
        return max_p * share
    # Translators: a recruiter's short note; %(policy)s is the role's arrangement ("hybrid"),
    # %(preference)s the candidate's ("remote work")
    rec = _l(
        "Remote: role %(policy)s, prefers %(preference)s.", policy=_POLICY_WORDS[policy], preference=_PREF_WORDS[pref]
    )
    if pref is RemotePreference.ANY:
        cand = _POLICY_SENTENCES[policy]
    else:
        # Translators: two whole sentences one after the other ("The role is hybrid. You prefer remote work.")
        cand = _l("%(role)s %(preference)s", role=_POLICY_SENTENCES[policy], preference=_PREF_SENTENCES[pref])
    level = GOOD if policy is RemotePreference.ANY or pref is RemotePreference.ANY else _level(share)
    return Fit(level, max_p * share, max_p, cand, rec)


def _pay_fit(person, role, words: bool = True):
    max_p = POINTS["pay"]
    want, lo, hi = person.pay_expectation, role.pay_min, role.pay_max
    cur = role.pay_currency or "EUR"
    mine_cur = person.pay_currency or "EUR"
    if lo is None and hi is None:
        return max_p / 2 if not words else Fit(UNKNOWN, max_p / 2, max_p, "", _l("No pay range on the search."))
    if want is None or mine_cur != cur:
        if not words:
            return max_p / 2
        rng = _range_text(lo, hi, cur)
        if want is None:
            return Fit(
                UNKNOWN,
                max_p / 2,
                max_p,
                # Translators: %(range)s is a pay range ("£50,000–£60,000", "from £50,000", "up to £60,000")
                _l("The role pays %(range)s; add your pay expectation to your profile to compare.", range=rng),
                _l("No pay expectation on file."),
            )
        mine = _money(want, mine_cur)
        return Fit(
            UNKNOWN,
            max_p / 2,
            max_p,
            _l("The role pays %(range)s; your expectation is %(amount)s, in another currency.", range=rng, amount=mine),
            _l("Expects %(amount)s; range %(range)s (different currency, not compared).", range=rng, amount=mine),
        )
    if hi is not None and want > hi:
        over = (want - hi) / hi if hi > 0 else 1.0
        if over <= 0.10:
            if not words:
                return max_p / 2
            rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
            return Fit(
                PARTIAL,
                max_p / 2,
                max_p,
                _l(
                    "Your expectation (%(amount)s) is a little above the role's range (%(range)s).",
                    amount=mine,
                    range=rng,
                ),
                _l(
                    "Expects %(amount)s, %(percent)d %% above the range %(range)s.",
                    amount=mine,
                    percent=round(over * 100),
                    range=rng,
                ),
            )
        if not words:
            return 0.0
        rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
        return Fit(
            POOR,
            0.0,
            max_p,
            _l("Your expectation (%(amount)s) is above the role's range (%(range)s).", amount=mine, range=rng),
            _l("Expects %(amount)s, above the range %(range)s.", amount=mine, range=rng),
        )
    if not words:
        return float(max_p)
    rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
    if lo is not None and want < lo:
        return Fit(
            GOOD,
            max_p,
            max_p,
            _l("The role pays %(range)s, above your expectation (%(amount)s).", amount=mine, range=rng),
            _l("Expects %(amount)s, below the range %(range)s.", amount=mine, range=rng),
        )
    return Fit(
        GOOD,
        max_p,
        max_p,
        _l("Your expectation (%(amount)s) is within the role's range (%(range)s).", amount=mine, range=rng),
        _l("Expects %(amount)s, within the range %(range)s.", amount=mine, range=rng),
    )


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
    cand = _l("You told us you are available from %(day)s.", day=_day(start)) if later else ""
    weeks = person.notice_weeks
    rec = availability_note(seeking, _day(start) if later else None, weeks)
    level = GOOD if points >= 7 else POOR if seeking is JobSeeking.NOT_LOOKING else PARTIAL
    return Fit(level, points, max_p, cand, rec)


def _points(person, role, have: int, total: int, today: date) -> float:
    """The score without words: what the shortlist is ranked by (same branches as _score)."""
    return (
        _skills_fit(have, total, 0, 0, False)
        + _seniority_fit(person, role, False)
        + _location_fit(person, role, False)
        + _remote_fit(person, role, False)
        + _pay_fit(person, role, False)
        + _availability_fit(person, today, False)
    )


def _score(
    person, role, have: int, total: int, n_req_have: int, n_req: int, today: date
) -> tuple[float, tuple[Fit, ...]]:
    """The score of `person` (a Candidate or a row with its columns) for `role` (a Search or
    a row), given the weighted skill overlap `have` of `total`, with every part explained.
    One function for both directions."""
    parts = (
        _skills_fit(have, total, n_req_have, n_req),
        _seniority_fit(person, role),
        _location_fit(person, role),
        _remote_fit(person, role),
        _pay_fit(person, role),
        _availability_fit(person, today),
    )
    return sum(p.points for p in parts), parts


def _rounded(exact: float) -> int:
    return max(0, min(100, int(exact + 0.5)))


def _by_name(role_skills: list[tuple[int, str, bool]]) -> list[tuple[int, str, bool]]:
    return sorted(role_skills, key=lambda t: t[1].casefold())


def _reasons(
    parts: tuple[Fit, ...],
    role_skills: list[tuple[int, str, bool]],
    has: set[int],
    warnings: tuple[MatchWarning, ...] = (),
) -> Reasons:
    """Reasons from the role's skills (id, name, required), sorted by name (`_by_name`, once
    per search rather than once per person), and the person's skill ids."""
    common: list[str] = []
    req_in: list[str] = []
    req_out: list[str] = []
    nice_in: list[str] = []
    nice_out: list[str] = []
    for i, name, required in role_skills:
        if i in has:
            common.append(name)
            (req_in if required else nice_in).append(name)
        else:
            (req_out if required else nice_out).append(name)
    skills, seniority, location, remote, pay, availability = parts
    return Reasons(
        skills_in_common=tuple(common),
        required_in_common=tuple(req_in),
        required_missing=tuple(req_out),
        nice_in_common=tuple(nice_in),
        nice_missing=tuple(nice_out),
        skills=skills,
        seniority=seniority,
        location=location,
        remote=remote,
        pay=pay,
        availability=availability,
        warnings=warnings,
    )


def _weights(role_skills: list[tuple[int, str, bool]], has: set[int]) -> tuple[int, int, int, int]:
    have = sum(REQUIRED_WEIGHT if r else NICE_WEIGHT for i, _, r in role_skills if i in has)
    total = sum(REQUIRED_WEIGHT if r else NICE_WEIGHT for _, _, r in role_skills)
    n_req = sum(1 for _, _, r in role_skills if r)
    n_req_have = sum(1 for i, _, r in role_skills if r and i in has)
    return have, total, n_req_have, n_req
