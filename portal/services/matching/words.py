"""Matching, the words: names joined, days, money and pay ranges as the reasons say them (values
of portal.phrases, spelled in the reader's language when printed), and place names read out of
a location field. Plain helpers: never touch the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from portal.phrases import Day, Money, Names, PayRange


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
