"""Languages: which language a page or an email is in, and the locale's formats.

Every candidate-facing word is a gettext message (Flask-Babel; catalogs in
portal/translations, `make catalogs`). A page's language is, in order: the signed-in person's
own choice (User.language), the language picked with the switcher (a cookie), the browser's
Accept-Language, the firm's default, each only if the firm offers it. An email to a candidate is
rendered at send time in the candidate's language (`email_language`, worker/compose.py).

Dates, times, relative times, numbers, amounts and lists go through Babel in the current
locale (`when`, `day`, `ago`, `money`, `pay_range`, `join`); the time zone is the candidate's
when one is set on the page (`g.display_zone`), else the firm's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_timedelta as _format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.numbers import parse_pattern as parse_number_pattern
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale

from portal import translate
from portal.date_patterns import day_formatter, moment_formatter
from portal.translate import gettext, lazy, ngettext
from portal.translate import page_locale as _locale

__all__ = [
    "LANGUAGES",
    "ago",
    "day",
    "direction",
    "email_language",
    "firm_text",
    "force_locale",
    "gettext",
    "join",
    "lazy",
    "money",
    "ngettext",
    "offered",
    "pay_range",
    "when",
]

COOKIE = "portal_lang"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own language: what a reader looks for in the switcher
    rtl: bool = False


# The shipped languages (each has a complete catalog in portal/translations, tests/i18n pin it).
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English"),
        Language("de", "Deutsch"),
        Language("fr", "Français"),
        Language("es", "Español"),
        Language("nl", "Nederlands"),
        Language("ar", "العربية", rtl=True),
    )
}
DEFAULT = "en"


def shipped(code: str | None) -> str | None:
    """`code` if it is a shipped language ("de-AT" and "de_AT" read as "de"), else None."""
    if not code:
        return None
    base = str(code).replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def offered(firm: Any) -> list[str]:
    """The languages a firm offers, its default first (None: every shipped language)."""
    default = shipped(getattr(firm, "default_language", None)) or DEFAULT
    chosen = [c for c in (firm.languages or list(LANGUAGES)) if c in LANGUAGES] if firm is not None else []
    return [default, *[c for c in chosen if c != default]]


def firm_default(firm: Any) -> str:
    return offered(firm)[0]


def browser_language(firm: Any) -> str | None:
    """The best of the firm's languages for this request's Accept-Language, or None."""
    if not has_request_context():
        return None
    return request.accept_languages.best_match(offered(firm))


def _signed_in_language() -> str | None:
    """The signed-in person's own choice, without loading a user this request did not load."""
    from flask_login import current_user

    if "_login_user" not in g and not _has_session_user():
        return None
    user = current_user
    return getattr(user, "language", None) if getattr(user, "is_authenticated", False) else None


def _has_session_user() -> bool:
    from flask import session

    return "_user_id" in session


def select_locale() -> Locale:
    """The language of this request's page (see the module's docstring for the order), as
    the one Locale object of that language (`locale_of`)."""
    return locale_of(_page_language())


@lru_cache(maxsize=64)
def locale_of(code: str) -> Locale:
    """The Locale of a shipped language, one object per language for the process: Flask-Babel
    keeps it as the page's locale, so the formats kept per locale (`moment_formatter`,
    `day_formatter`) find it by identity instead of comparing a new Locale on every lookup
    (and Babel does not parse the code again on every request)."""
    return Locale.parse(code)


def _page_language() -> str:
    firm = g.get("firm")
    if firm is None:
        return DEFAULT
    langs = offered(firm)
    forced = g.get("page_language")  # a page about one candidate (an unsubscribe link) speaks theirs
    if forced in langs:
        return forced
    for choice in (_signed_in_language(), shipped(request.cookies.get(COOKIE))):
        if choice in langs:
            return choice
    return browser_language(firm) or langs[0]


def select_timezone() -> str:
    zone = g.get("display_zone")
    if zone:
        return zone
    firm = g.get("firm")
    return (firm.timezone if firm is not None else None) or "UTC"


def email_language(firm: Any, language: str | None) -> str:
    """The language of an email to someone whose language is `language` (None: the firm's)."""
    langs = offered(firm)
    code = shipped(language)
    return code if code in langs else langs[0]


def current_language() -> str:
    return str(_locale().language)


def direction() -> str:
    """ "rtl" for a right-to-left page (Arabic), else "ltr": the <html dir>."""
    lang = LANGUAGES.get(current_language())
    return "rtl" if lang is not None and lang.rtl else "ltr"


def firm_text(owner: Any, field: str, language: str | None = None) -> Any:
    """A firm's own text in `language` (the page's when None), falling back to the default one.

    `owner` is a Firm (texts: welcome_md/_html, privacy_notice_md/_html, stage_labels) or a
    Search (translations: description_md/_html). An empty text in a language is no text."""
    lang = language or current_language()
    store = getattr(owner, "texts", None) if hasattr(owner, "texts") else getattr(owner, "translations", None)
    value = ((store or {}).get(lang) or {}).get(field)
    return value if value else getattr(owner, field, None)


# ---------------------------------------------------------------- formats (the page's locale)


def _zone(firm: Any = None, zone: str | None = None) -> ZoneInfo:
    name = zone
    if not name:
        # The request's globals fetched once (each `g.x` goes through the context proxy: ~1 us).
        page = g._get_current_object().__dict__ if has_request_context() else None  # type: ignore[attr-defined]
        if page is not None:
            name = page.get("display_zone")
        if not name and firm is not None:
            name = getattr(firm, "timezone", None)
        if not name and page is not None and (page_firm := page.get("firm")) is not None:
            name = page_firm.timezone
    return _zone_named(name or "UTC")


@lru_cache(maxsize=256)
def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(value: datetime | date | None, firm: Any = None, format: str = "medium", zone: str | None = None) -> str:
    """A moment in the reader's zone and locale: "May 12, 2026, 2:30 PM", "12. Mai 2026, 14:30".

    `format`: "short", "medium", "long", "full", "weekday" ("Tue, May 12, 2:30 PM"), "day_time"
    ("May 12, 2:30 PM") or "time" ("2:30 PM"). A date alone is formatted as a day."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return day(value, format)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone(_zone(firm, zone))
    locale = _locale()
    return moment_formatter(locale, format)(local)


def day(value: date | datetime | None, format: str = "medium", firm: Any = None, zone: str | None = None) -> str:
    """A calendar day in the locale: "May 12, 2026", "12. Mai 2026"; "weekday_day": "Tue, May 12".
    A moment is read as a day in `zone` (an email's reader's), else the page's or the firm's."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(_zone(firm, zone)).date()
    return day_formatter(_locale(), format)(value)


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or from now), in words: "3 days ago", "vor 3 Tagen", "in 2 hours"."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    delta: timedelta = value - now
    return _format_timedelta(delta, add_direction=True, locale=_locale(), threshold=0.9)


def number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=_locale())


def money(amount: float | int | None, currency: str | None) -> str:
    """An amount in the locale: "£50,000", "50.000 €"; whole amounts without decimals."""
    if amount is None:
        return ""
    return _money(_locale(), amount, (currency or "EUR").upper())


@lru_cache(maxsize=4096)
def _money(locale: Locale, amount: float | int, currency: str) -> str:
    """Kept per locale, amount and currency: pay is mostly round figures, the same on many cards,
    and Babel works out the currency's name and plural rules on every call (~25 us)."""
    whole = float(amount).is_integer()
    return format_currency(
        amount,
        currency,
        format=parse_number_pattern(locale.currency_formats["standard"].pattern.replace(".00", "")) if whole else None,
        locale=locale,
        currency_digits=not whole,
    )


def pay_range(low: int | None, high: int | None, currency: str | None) -> str:
    """A pay range in words: "£50,000–£60,000", "from £50,000", "up to £60,000"."""
    if low and high:
        return gettext("%(low)s–%(high)s", low=money(low, currency), high=money(high, currency))
    if low:
        return gettext("from %(amount)s", amount=money(low, currency))
    if high:
        return gettext("up to %(amount)s", amount=money(high, currency))
    return ""


def join(items: list[str], style: str = "standard") -> str:
    """A list in words: "a, b and c", "a, b und c", "a، b و c"."""
    items = [str(i) for i in items if i]
    if not items:
        return ""
    return format_list(items, style=style, locale=_locale())


def languages_offered() -> tuple[Language, ...]:
    """The page firm's languages (templates: the switcher on every page), its default first."""
    firm = g.get("firm")
    if not firm:
        return ()
    return _languages_of(getattr(firm, "default_language", None), tuple(firm.languages or ()))


@lru_cache(maxsize=256)
def _languages_of(default: str | None, chosen: tuple[str, ...]) -> tuple[Language, ...]:
    """`offered` of a firm with these settings, kept per settings (a firm changing its languages
    makes another key)."""
    firm = _Settings(default_language=default, languages=list(chosen))
    return tuple(LANGUAGES[c] for c in offered(firm))


@dataclass(frozen=True)
class _Settings:
    default_language: str | None
    languages: list[str]


def language_name(code: str) -> str:
    lang = LANGUAGES.get(code)
    return lang.name if lang else code


# ---------------------------------------------------------------- setup


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        from portal.catalogs import SHIPPED_CATALOGS, compiled_catalogs

        spare = os.path.join(app.config["INSTANCE_DIR"], "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = compiled_catalogs(SHIPPED_CATALOGS, spare)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.config.setdefault("WTF_I18N_ENABLED", True)  # WTForms' own messages through the same catalogs
    translate.install(app)
    env = app.jinja_env
    env.filters.update(when=when, day=day, ago=ago, money=money, number=number, list_words=join)
    env.globals.update(
        pay_range=pay_range,
        html_dir=direction,
        current_language=current_language,
        firm_text=firm_text,
        languages_offered=languages_offered,
        language_name=language_name,
    )
