"""Matching, the scoring: how well one person fits one role, as six parts that add up to 0..100
(skills 55, seniority 12, location 10, remote 8, pay 8, availability 7), each with its words.
The one scoring function both directions share (`_score`, and `_points` without the words).
Pure: never query the database here; sql.py and prescore.py mirror these rules in SQL."""

from __future__ import annotations

from datetime import date

from portal.models import JobSeeking, RemotePreference, Seniority
from portal.services.matching.results import Fit, MatchWarning, Reasons
from portal.services.matching.words import OPEN_TO_ANY_PLACE, _day, _money, _places, _range_text

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
_POLICY_WORDS = {
    RemotePreference.REMOTE: "fully remote",
    RemotePreference.HYBRID: "hybrid",
    RemotePreference.ONSITE: "on-site",
    RemotePreference.ANY: "flexible about remote work",
}
_PREF_WORDS = {
    RemotePreference.REMOTE: "remote work",
    RemotePreference.HYBRID: "hybrid work",
    RemotePreference.ONSITE: "working on-site",
    RemotePreference.ANY: "any arrangement",
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
    rec = f"{n_req_have} of {n_req} required skills" if n_req else "No required skills on the search"
    return Fit(_level(have / total), points, max_p, "", rec)


def _seniority_fit(person, role, words: bool = True):
    max_p = POINTS["seniority"]
    mine, theirs = person.seniority, role.seniority
    if mine is None or theirs is None:
        if not words:
            return max_p / 2
        return Fit(UNKNOWN, max_p / 2, max_p, "", "Seniority not known" if mine is None and theirs is not None else "")
    d = _SENIORITY_RANK[theirs] - _SENIORITY_RANK[mine]
    if d == 0:
        if not words:
            return float(max_p)
        return Fit(GOOD, max_p, max_p, f"The role is at your level ({theirs.label}).", f"Level matches ({mine.label}).")
    if abs(d) == 1:
        if not words:
            return max_p / 2
        where = "above" if d > 0 else "below"
        return Fit(
            PARTIAL,
            max_p / 2,
            max_p,
            f"The role ({theirs.label}) is one level {where} yours ({mine.label}).",
            f"One level {'below' if d > 0 else 'above'} the role ({mine.label} vs {theirs.label}).",
        )
    if not words:
        return 0.0
    return Fit(
        POOR,
        0.0,
        max_p,
        f"The role ({theirs.label}) is at a different level from yours ({mine.label}).",
        f"Level differs ({mine.label} vs {theirs.label}).",
    )


def _location_fit(person, role, words: bool = True):
    max_p = POINTS["location"]
    policy = role.remote_policy or RemotePreference.ONSITE
    if policy is RemotePreference.REMOTE or policy is RemotePreference.ANY:
        if not words:
            return float(max_p)
        what = "fully remote" if policy is RemotePreference.REMOTE else "open to remote work"
        return Fit(
            GOOD,
            max_p,
            max_p,
            f"The role is {what}, so where you live does not matter.",
            f"Location no constraint (role {what}).",
        )
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
        return Fit(GOOD, max_p, max_p, f"The role is in {shown}, where you are based.", f"Based in {shown}.")
    if city in wished:
        if not words:
            return float(max_p)
        return Fit(
            GOOD,
            max_p,
            max_p,
            f"The role is in {shown}, one of the places you would like to work.",
            f"Would work in {shown}.",
        )
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        if not words:
            return max_p * 0.8
        return Fit(
            GOOD,
            max_p * 0.8,
            max_p,
            f"The role is in {shown}; you said you are open to any location.",
            f"Open to any location (role in {shown}).",
        )
    if not home and not wished:
        if not words:
            return max_p / 2
        return Fit(UNKNOWN, max_p / 2, max_p, f"The role is in {shown}.", "Location not known.")
    region = set(role_places[1:])
    if (
        not region.isdisjoint(home)
        or not region.isdisjoint(wished)
        or any(p != city and p in role_places for p in home + wished)
    ):
        if not words:
            return max_p / 2
        return Fit(
            PARTIAL,
            max_p / 2,
            max_p,
            f"The role is in {shown}, in the same region as you.",
            f"Same region as the role ({shown}).",
        )
    if not words:
        return 0.0
    where = " ".join((person.location or "").split()) or "elsewhere"
    return Fit(
        POOR, 0.0, max_p, f"The role is in {shown}; you are based in {where}.", f"Based in {where}; role in {shown}."
    )


def _remote_fit(person, role, words: bool = True):
    max_p = POINTS["remote"]
    policy = role.remote_policy or RemotePreference.ONSITE
    pref = person.remote_preference or RemotePreference.ANY
    share = _REMOTE_FIT[policy][pref]
    if not words:
        return max_p * share
    if policy is RemotePreference.ANY or pref is RemotePreference.ANY:
        cand = (
            f"The role is {_POLICY_WORDS[policy]}."
            if pref is RemotePreference.ANY
            else f"The role is flexible about remote work; you prefer {_PREF_WORDS[pref]}."
        )
        return Fit(
            GOOD, max_p * share, max_p, cand, f"Remote: role {_POLICY_WORDS[policy]}, prefers {_PREF_WORDS[pref]}."
        )
    return Fit(
        _level(share),
        max_p * share,
        max_p,
        f"The role is {_POLICY_WORDS[policy]}; you prefer {_PREF_WORDS[pref]}.",
        f"Remote: role {_POLICY_WORDS[policy]}, prefers {_PREF_WORDS[pref]}.",
    )


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
            return Fit(
                UNKNOWN,
                max_p / 2,
                max_p,
                f"The role pays {rng}; add your pay expectation to your profile to compare.",
                "No pay expectation on file.",
            )
        mine = _money(want, mine_cur)
        return Fit(
            UNKNOWN,
            max_p / 2,
            max_p,
            f"The role pays {rng}; your expectation is {mine}, in another currency.",
            f"Expects {mine}; range {rng} (different currency, not compared).",
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
                f"Your expectation ({mine}) is a little above the role's range ({rng}).",
                f"Expects {mine}, {round(over * 100)} % above the range {rng}.",
            )
        if not words:
            return 0.0
        rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
        return Fit(
            POOR,
            0.0,
            max_p,
            f"Your expectation ({mine}) is above the role's range ({rng}).",
            f"Expects {mine}, above the range {rng}.",
        )
    if not words:
        return float(max_p)
    rng, mine = _range_text(lo, hi, cur), _money(want, mine_cur)
    if lo is not None and want < lo:
        return Fit(
            GOOD,
            max_p,
            max_p,
            f"The role pays {rng}, above your expectation ({mine}).",
            f"Expects {mine}, below the range {rng}.",
        )
    return Fit(
        GOOD,
        max_p,
        max_p,
        f"Your expectation ({mine}) is within the role's range ({rng}).",
        f"Expects {mine}, within the range {rng}.",
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
    parts = [seeking.label]
    cand = ""
    if later:
        parts.append(f"available from {_day(start)}")
        cand = f"You told us you are available from {_day(start)}."
    if person.notice_weeks:
        parts.append(f"{person.notice_weeks} weeks' notice")
    level = GOOD if points >= 7 else POOR if seeking is JobSeeking.NOT_LOOKING else PARTIAL
    return Fit(level, points, max_p, cand, "; ".join(parts) + ".")


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
