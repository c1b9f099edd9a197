"""Matching, the words: names joined, days, money and pay ranges as the reasons say them, the
sentences of the location, remote and availability parts (values of portal.phrases, spelled in
the reader's language when printed), and place names read out of a location field. Plain
helpers: never touch the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from portal.models import RemotePreference
from portal.phrases import Day, Money, Names, PayRange, Phrase, lazy_ngettext
from portal.phrases import lazy as _l


def _join(names: Iterable[str]) -> Names:
    """Names as a list in words, in the reader's language when printed: "a, b and c"."""
    return Names(tuple(names))


def _day(value: date | datetime | None) -> Day | str:
    if value is None:
        return ""
    return Day(value)


def _money(amount: int, currency: str) -> Money:
    """An amount in the reader's locale when printed: "£50,000", "50.000 €"."""
    return Money(amount, currency)


def _range_text(lo: int | None, hi: int | None, currency: str) -> PayRange:
    """A pay range in the reader's locale when printed: "£50,000–£60,000", "from £50,000"."""
    return PayRange(lo, hi, currency)


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


def availability_note(seeking, day: Day | str | None, weeks: int | None) -> Phrase:
    """The recruiter's note on a person's availability: their job-seeking status, when they are
    available from (a later day) and their notice, as one sentence kept as data."""
    if day and weeks:
        # Translators: a recruiter's short note on a candidate's availability; %(seeking)s is their
        # job-seeking status ("Actively looking"), %(day)s a date, %(num)d a number of weeks
        return lazy_ngettext(
            "%(seeking)s; available from %(day)s; %(num)d week's notice.",
            "%(seeking)s; available from %(day)s; %(num)d weeks' notice.",
            weeks,
            seeking=seeking,
            day=day,
        )
    elif day:
        # Translators: a recruiter's short note; %(seeking)s is a job-seeking status ("Actively looking")
        return _l("%(seeking)s; available from %(day)s.", seeking=seeking, day=day)
    elif weeks:
        # Translators: a recruiter's short note; %(seeking)s is a job-seeking status ("Actively looking")
        return lazy_ngettext(
            "%(seeking)s; %(num)d week's notice.", "%(seeking)s; %(num)d weeks' notice.", weeks, seeking=seeking
        )
    # Translators: a recruiter's short note: a job-seeking status ("Actively looking") as a sentence
    return _l("%(seeking)s.", seeking=seeking)


def location_words(case: str, place: str = "", home: str = "") -> tuple[Phrase, Phrase]:
    """What the candidate and the recruiter read about where a role is (`place`, as the recruiter
    wrote it) against where the person is (`home`): one pair of sentences per case."""
    if case == "remote":
        return (
            _l("The role is fully remote, so where you live does not matter."),
            _l("Location no constraint (role fully remote)."),
        )
    if case == "open":
        return (
            _l("The role is open to remote work, so where you live does not matter."),
            _l("Location no constraint (role open to remote work)."),
        )
    if case == "home":
        return (
            # Translators: %(place)s is the role's location as the recruiter wrote it ("London, UK")
            _l("The role is in %(place)s, where you are based.", place=place),
            _l("Based in %(place)s.", place=place),
        )
    if case == "wished":
        return (
            _l("The role is in %(place)s, one of the places you would like to work.", place=place),
            _l("Would work in %(place)s.", place=place),
        )
    if case == "anywhere":
        return (
            _l("The role is in %(place)s; you said you are open to any location.", place=place),
            _l("Open to any location (role in %(place)s).", place=place),
        )
    if case == "unknown":
        return _l("The role is in %(place)s.", place=place), _l("Location not known.")
    if case == "region":
        return (
            _l("The role is in %(place)s, in the same region as you.", place=place),
            _l("Same region as the role (%(place)s).", place=place),
        )
    if not home:
        return (
            _l("The role is in %(place)s; you are based elsewhere.", place=place),
            _l("Based elsewhere; role in %(place)s.", place=place),
        )
    return (
        # Translators: %(place)s is the role's location, %(home)s where the candidate lives
        _l("The role is in %(place)s; you are based in %(home)s.", place=place, home=home),
        _l("Based in %(home)s; role in %(place)s.", place=place, home=home),
    )


_PLACE_SPLIT = re.compile(r"[,;/|\n]+| or | and ")
OPEN_TO_ANY_PLACE = {
    "anywhere",
    "any",
    "any location",
    "open",
    "flexible",
    "worldwide",
    "relocate",
    "willing to relocate",
    "open to relocation",
}
REMOTE_WORDS = {"remote", "remote only", "fully remote", "home", "work from home"}


@lru_cache(maxsize=8192)
def _places(text: str | None) -> tuple[str, ...]:
    """Place names in a location field, case-folded: "London, UK" -> ["london", "uk"]."""
    parts = (" ".join(p.split()) for p in _PLACE_SPLIT.split((text or "").casefold()))
    return tuple(p for p in parts if p)
