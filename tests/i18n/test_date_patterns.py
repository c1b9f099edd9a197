"""The compiled date patterns (portal/date_patterns.py) say exactly what Babel says, for every
shipped language and every format, over a year of moments at every hour: they exist for speed
only, so any difference is a bug."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, parse_pattern

from portal import date_patterns, i18n

MOMENTS = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=d, hours=(d * 7) % 24, minutes=d % 60) for d in range(366)]
FORMATS = [*date_patterns.SKELETONS, "time"]


def babel_moment(value: datetime, locale: Locale, format: str) -> str:
    """Babel's own way: the day by skeleton (or the full date), the short time, the locale's
    date-time pattern around them (what portal.i18n.when did before it compiled patterns)."""
    time_text = format_time(value, "short", locale=locale)
    if format == "time":
        return time_text
    if format == "full":
        date_text = format_date(value, "full", locale=locale)
    else:
        date_text = format_skeleton(date_patterns.SKELETONS[format], value, locale=locale, fuzzy=True)
    glue = str(locale.datetime_formats["medium"])
    assert "'" not in glue  # the glue's own words would be quoted: then the texts are not comparable
    return glue.replace("{1}", date_text).replace("{0}", time_text)


def babel_day(value: datetime, locale: Locale, format: str) -> str:
    if format == "weekday_long":
        pattern = str(locale.date_formats["full"].pattern)
        import re

        pattern = re.sub(r"\s*'de'\s*y+|[\s,،.]*\by+\b\.?", "", pattern).strip(" ,،")
        return parse_pattern(pattern).apply(value.date(), locale)
    return format_skeleton(date_patterns.SKELETONS.get(format, "yMMMd"), value.date(), locale=locale, fuzzy=True)


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_compiled_patterns_say_what_babel_says(code):
    locale = Locale.parse(code)
    for format in FORMATS:
        moment = date_patterns.moment_formatter(locale, format)
        day = date_patterns.day_formatter(locale, format)
        for value in MOMENTS:
            assert moment(value) == babel_moment(value, locale, format), (code, format, value)
            assert day(value.date()) == babel_day(value, locale, format), (code, format, value)


def test_a_field_not_compiled_is_left_to_babel():
    locale = Locale.parse("en")
    value = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    for pattern in ("yy-MM-dd", "QQQ y", "EEEEE d", "h:mm:ss a zzzz", "'literal only'"):
        assert date_patterns.compile_pattern(locale, pattern)(value) == parse_pattern(pattern).apply(value, locale)
