"""Words kept as data: a sentence (its message id and its values) and the values a sentence
holds (an amount, a pay range, a list of names, a day, a moment), each spelled in the reader's
language only when it is printed.

What a service works out for an email or a page that is shown later (the reasons a role fits,
an item of a recruiter's digest, the lines of the weekly figures) is one of these instead of a
string: the email recorded now and rendered again at send time in its reader's language
(portal/outbox/recipe.py keeps Portal's dataclasses as data) reads in that language, and a
page reads in the page's.

    from portal.phrases import lazy as _l, lazy_ngettext
    reason = _l("The role is in %(place)s, where you are based.", place=search.location)
    count = lazy_ngettext("%(num)d answer", "%(num)d answers", n)

(`_l` and `lazy_ngettext` are the names `make translations` extracts.) In HTML a phrase escapes
its values, never its own words: `{{ reason }}` is safe with any value. As in templates, a
message id is always a format string: a literal percent sign is written `%%`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_decimal
from markupsafe import Markup, escape

from portal import i18n
from portal.i18n import gettext


def _plain(value: Any) -> Any:
    """A value as a sentence prints it: numbers as numbers (for %(num)d), an enum by its label."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    return str(value)


def _escaped(value: Any) -> Any:
    plain = _plain(value) if not hasattr(value, "__html__") else value
    return plain if isinstance(plain, (int, float)) else escape(plain)


@dataclass(frozen=True, eq=False)
class Phrase:
    """One translatable sentence with named values, in the current locale when printed."""

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
    plural: str | None = None
    num: int | None = None

    def _text(self) -> str:
        """The translation, not yet formatted (formatted once, with every value, by the caller)."""
        if self.plural is None:
            return gettext(self.msgid)
        from flask_babel import get_domain

        return get_domain().get_translations().ungettext(self.msgid, self.plural, self.num or 0)

    def _values(self, convert) -> dict[str, Any]:
        out = {k: convert(v) for k, v in self.values.items()}
        if self.plural is not None:
            out.setdefault("num", self.num or 0)
        return out

    def __str__(self) -> str:
        return self._text() % self._values(_plain)

    def __html__(self) -> str:
        return Markup(escape(self._text())) % self._values(_escaped)

    def __bool__(self) -> bool:
        return bool(self.msgid)

    def __contains__(self, item: str) -> bool:
        return item in str(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        if isinstance(other, Phrase):
            return (self.msgid, self.values, self.plural, self.num) == (
                other.msgid,
                other.values,
                other.plural,
                other.num,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.msgid, self.plural, self.num))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)


def lazy(msgid: str, **values: Any) -> Phrase:
    """A sentence printed in the reader's language: `_l("Hello %(name)s", name=...)`."""
    return Phrase(msgid, values)


def lazy_ngettext(singular: str, plural: str, num: int, **values: Any) -> Phrase:
    """A sentence about a count (`%(num)d` is the count), printed in the reader's language."""
    return Phrase(singular, values, plural, int(num))


# ---------------------------------------------------------------- values spelled when printed


@dataclass(frozen=True)
class Money:
    """ "£50,000", "50.000 €"."""

    amount: int | float
    currency: str | None

    def __str__(self) -> str:
        return i18n.money(self.amount, self.currency)


@dataclass(frozen=True)
class PayRange:
    """ "£50,000–£60,000", "from £50,000", "up to £60,000"."""

    low: int | None
    high: int | None
    currency: str | None

    def __str__(self) -> str:
        return i18n.pay_range(self.low, self.high, self.currency)


@dataclass(frozen=True)
class Names:
    """ "Python, SQL and Go", "Python, SQL und Go"."""

    items: tuple[str, ...]

    def __str__(self) -> str:
        return i18n.join(list(self.items))


@dataclass(frozen=True)
class Day:
    """A calendar day: "May 12, 2026" (format: a portal.i18n.day format); a moment is read as a
    day in the page's or the firm's time zone."""

    value: date | datetime
    format: str = "medium"

    def __str__(self) -> str:
        return i18n.day(self.value, self.format)


@dataclass(frozen=True)
class When:
    """A moment on the wall clock of `zone`: "May 12, 2026, 2:30 PM" (a portal.i18n.when format)."""

    value: datetime
    zone: str | None = None
    format: str = "medium"

    def __str__(self) -> str:
        return i18n.when(self.value, None, self.format, zone=self.zone)


@dataclass(frozen=True)
class Number:
    """A number in the locale: "8.8", "8,8"; `pattern` a Babel number pattern ("#,##0.0": one decimal)."""

    value: int | float
    pattern: str | None = None

    def __str__(self) -> str:
        if self.pattern is None:
            return i18n.number(self.value)
        return format_decimal(self.value, format=self.pattern)
