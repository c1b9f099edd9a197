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
# What the candidate reads about the role's arrangement and their own preference: whole
# sentences (the remote part of a match says the first, then the second when they differ).
_POLICY_SENTENCES = {
    RemotePreference.REMOTE: _l("The role is fully remote."),
    RemotePreference.HYBRID: _l("The role is hybrid."),
    RemotePreference.ONSITE: _l("The role is on-site."),
    RemotePreference.ANY: _l("The role is flexible about remote work."),
}
_PREF_SENTENCES = {
    RemotePreference.REMOTE: _l("You prefer remote work."),
    RemotePreference.HYBRID: _l("You prefer hybrid work."),
    RemotePreference.ONSITE: _l("You prefer working on-site."),
}
# The recruiter's shorthand for the same: short labels put into "Remote: role …, prefers …".
_POLICY_WORDS = {
    # Translators: a role's remote-work policy, in a recruiter's short note ("Remote: role fully remote, prefers hybrid work.")
    RemotePreference.REMOTE: _l("fully remote"),
    # Translators: a role's remote-work policy, in a recruiter's short note
    RemotePreference.HYBRID: _l("hybrid"),
    # Translators: a role's remote-work policy, in a recruiter's short note
    RemotePreference.ONSITE: _l("on-site"),
    # Translators: a role's remote-work policy, in a recruiter's short note
    RemotePreference.ANY: _l("flexible about remote work"),
}
_PREF_WORDS = {
    # Translators: a candidate's remote-work preference, in a recruiter's short note ("…, prefers remote work.")
    RemotePreference.REMOTE: _l("remote work"),
    # Translators: a candidate's remote-work preference, in a recruiter's short note
    RemotePreference.HYBRID: _l("hybrid work"),
    # Translators: a candidate's remote-work preference, in a recruiter's short note
    RemotePreference.ONSITE: _l("working on-site"),
    # Translators: a candidate's remote-work preference, in a recruiter's short note
    RemotePreference.ANY: _l("any arrangement"),
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
        if policy is RemotePreference.REMOTE:
            cand = _l("The role is fully remote, so where you live does not matter.")
            rec = _l("Location no constraint (role fully remote).")
        else:
            cand = _l("The role is open to remote work, so where you live does not matter.")
            rec = _l("Location no constraint (role open to remote work).")
        return Fit(GOOD, max_p, max_p, cand, rec)
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
        return Fit(
            GOOD,
            max_p,
            max_p,
            # Translators: %(place)s is the role's location as the recruiter wrote it ("London, UK")
            _l("The role is in %(place)s, where you are based.", place=shown),
            _l("Based in %(place)s.", place=shown),
        )
    if city in wished:
        if not words:
            return float(max_p)
        return Fit(
            GOOD,
            max_p,
            max_p,
            _l("The role is in %(place)s, one of the places you would like to work.", place=shown),
            _l("Would work in %(place)s.", place=shown),
        )
    if not OPEN_TO_ANY_PLACE.isdisjoint(wished):
        if not words:
            return max_p * 0.8
        return Fit(
            GOOD,
            max_p * 0.8,
            max_p,
            _l("The role is in %(place)s; you said you are open to any location.", place=shown),
            _l("Open to any location (role in %(place)s).", place=shown),
        )
    if not home and not wished:
        if not words:
            return max_p / 2
        return Fit(UNKNOWN, max_p / 2, max_p, _l("The role is in %(place)s.", place=shown), _l("Location not known."))
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
            _l("The role is in %(place)s, in the same region as you.", place=shown),
            _l("Same region as the role (%(place)s).", place=shown),
        )
    if not words:
        return 0.0
    where = " ".join((person.location or "").split())
    if not where:
        return Fit(
            POOR,
            0.0,
            max_p,
            _l("The role is in %(place)s; you are based elsewhere.", place=shown),
            _l("Based elsewhere; role in %(place)s.", place=shown),
        )
    return Fit(
        POOR,
        0.0,
        max_p,
        # Translators: %(place)s is the role's location, %(home)s where the candidate lives
        _l("The role is in %(place)s; you are based in %(home)s.", place=shown, home=where),
        _l("Based in %(home)s; role in %(place)s.", place=shown, home=where),
    )


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
    day = _day(start)
    if later and weeks:
        # Translators: a recruiter's short note on a candidate's availability; %(seeking)s is their
        # job-seeking status ("Actively looking"), %(day)s a date, %(num)d a number of weeks
        rec = lazy_ngettext(
            "%(seeking)s; available from %(day)s; %(num)d week's notice.",
            "%(seeking)s; available from %(day)s; %(num)d weeks' notice.",
            weeks,
            seeking=seeking,
            day=day,
        )
    elif later:
        # Translators: a recruiter's short note; %(seeking)s is a job-seeking status ("Actively looking")
        rec = _l("%(seeking)s; available from %(day)s.", seeking=seeking, day=day)
    elif weeks:
        # Translators: a recruiter's short note; %(seeking)s is a job-seeking status ("Actively looking")
        rec = lazy_ngettext(
            "%(seeking)s; %(num)d week's notice.", "%(seeking)s; %(num)d weeks' notice.", weeks, seeking=seeking
        )
    else:
        # Translators: a recruiter's short note: a job-seeking status ("Actively looking") as a sentence
        rec = _l("%(seeking)s.", seeking=seeking)
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
