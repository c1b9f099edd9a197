"""Date and time patterns of a locale, resolved once and compiled into plain functions.

`portal.i18n.when` and `day` format every date on a page through these. Babel resolves a
skeleton ("yMMMd") against the locale's list and interprets the pattern field by field on
every call (~30 us a moment, which a board of 200 cards paid per card). Here a pattern is
resolved once per locale and format, and its fields become small functions whose words (month
and weekday names, AM/PM) are taken from Babel itself for that locale, so the text is Babel's
own (tests/i18n/test_formats.py compares them for every shipped language over a year of
moments). A field not handled here leaves the whole pattern to Babel.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimeFormat, DateTimePattern, match_skeleton, parse_pattern, tokenize_pattern

Formatter = Callable[[date], str]

# Date parts by CLDR skeleton (the locale orders and spells them), a time joined to them by the
# locale's own date-time pattern.
SKELETONS = {
    "short": "yMd",
    "medium": "yMMMd",
    "long": "yMMMMd",
    "full": "yMMMMEEEEd",
    "weekday": "MMMEd",
    "day_time": "MMMd",
    "month_day": "MMMd",
    "weekday_day": "MMMEd",
    "weekday_long": "MMMMEEEEd",
    "month": "yMMMM",
}


@lru_cache(maxsize=512)
def day_formatter(locale: Locale, format: str) -> Formatter:
    """A calendar day in `format` (a SKELETONS key; "weekday_long": the full date without its year)."""
    if format == "weekday_long":
        pattern = str(locale.date_formats["full"].pattern)
        return compile_pattern(locale, re.sub(r"\s*'de'\s*y+|[\s,،.]*\by+\b\.?", "", pattern).strip(" ,،"))
    return compile_pattern(locale, skeleton_pattern(locale, SKELETONS.get(format, "yMMMd")))


@lru_cache(maxsize=512)
def moment_formatter(locale: Locale, format: str) -> Formatter:
    """A day and a time, joined by the locale's date-time pattern ("{1}, {0}"), which CLDR
    writes in pattern syntax, so the joined pattern is one pattern; "time": the time alone."""
    time_pattern = str(locale.time_formats["short"].pattern)
    if format == "time":
        return compile_pattern(locale, time_pattern)
    if format == "full":  # the locale's own full date ("Monday, March 30, 2026"): a skeleton abbreviates the weekday
        date_pattern = str(locale.date_formats["full"].pattern)
    else:
        date_pattern = skeleton_pattern(locale, SKELETONS.get(format, "yMMMd"))
    glue = str(locale.datetime_formats.get("medium", "{1}, {0}"))
    return compile_pattern(locale, glue.replace("{1}", date_pattern).replace("{0}", time_pattern))


def skeleton_pattern(locale: Locale, skeleton: str) -> str:
    """What babel.dates.format_skeleton(fuzzy=True) resolves a skeleton to, as a pattern string."""
    skeletons = locale.datetime_skeletons
    found = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    if found is None:
        raise KeyError(skeleton)
    return str(skeletons[found].pattern)


def compile_pattern(locale: Locale, pattern: str) -> Formatter:
    """The pattern as a function of a date or a (local) datetime; Babel's own apply when a field
    is not one of those compiled below.

    The function is generated as one f-string (`_generate`): a page formats dozens of moments,
    and calling a small function per field cost about 3 us a moment against 1 for the f-string."""
    parsed = parse_pattern(pattern)
    parts: list[str | tuple[str, dict]] = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            parts.append(value)
            continue
        char, num = value
        field = _field(locale, char, num)
        if field is None:
            return _babel(parsed, locale)
        parts.append(field)
    if all(isinstance(p, str) for p in parts):
        return _babel(parsed, locale)
    return _generate(parts)


def _generate(parts: list[str | tuple[str, dict]]) -> Formatter:
    """One function returning one f-string. Its source holds only the fields' own expressions
    (below) and names: the pattern's literal text and word tables are values in its namespace
    (`_s0`, `_t1`, ...), never source, so no locale's text can change the code."""
    namespace: dict = {}
    pieces = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            namespace[f"_s{i}"] = part
            pieces.append(f"{{_s{i}}}")
        else:
            expression, tables = part
            for name, table in tables.items():
                namespace[f"{name}{i}"] = table
                expression = expression.replace(name, f"{name}{i}")
            pieces.append(f"{{{expression}}}")
    source = f'def formatted(v):\n    return f"{"".join(pieces)}"\n'
    exec(compile(source, "<portal.date_patterns>", "exec"), namespace)  # noqa: S102 - see the docstring
    return namespace["formatted"]


def _babel(pattern: DateTimePattern, locale: Locale) -> Formatter:
    return lambda value: pattern.apply(value, locale)


def _number(attribute: str, num: int) -> tuple[str, dict]:
    return f"{attribute}:0{int(num)}d", {}


def _words(
    locale: Locale, field: str, samples: list[date], key: Callable[[date], int], expression: str
) -> tuple[str, dict]:
    """A field that is a word (a month's or weekday's name, AM/PM), looked up by `expression`
    (the source of `key`): the words are Babel's, formatted once from one sample moment per value."""
    table = {key(s): DateTimeFormat(s, locale)[field] for s in samples}
    return f"_t[{expression}]", {"_t": table}


def _field(locale: Locale, char: str, num: int) -> tuple[str, dict] | None:
    """A field's f-string expression of `v` and the tables it names, or None (Babel's)."""
    if char == "y" and num != 2:
        return _number("v.year", num)
    if char == "d" and num <= 2:
        return _number("v.day", num)
    if char in "ML" and num <= 2:
        return _number("v.month", num)
    if char in "ML" and num in (3, 4):
        return _words(locale, char * num, [date(2001, m, 1) for m in range(1, 13)], lambda v: v.month, "v.month")
    if char == "E" and num <= 4:  # 2001-01-01 was a Monday: weekday() 0..6
        return _words(
            locale, char * num, [date(2001, 1, 1 + d) for d in range(7)], lambda v: v.weekday(), "v.weekday()"
        )
    if char == "H" and num <= 2:
        return _number("v.hour", num)
    if char == "h" and num <= 2:
        return _number("(v.hour % 12 or 12)", num)
    if char == "m" and num <= 2:
        return _number("v.minute", num)
    if char == "a" and num <= 3:
        return _words(
            locale, char * num, [datetime(2001, 1, 1, 1), datetime(2001, 1, 1, 13)], _pm, "(1 if v.hour >= 12 else 0)"
        )
    return None


def _pm(value: date) -> int:
    return 1 if value.hour >= 12 else 0  # type: ignore[attr-defined]
