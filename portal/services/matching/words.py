"""Matching, the words: names joined, days, money and pay ranges as the reasons say them, and
place names read out of a location field. Plain text helpers: never touch the database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache


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
