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
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_skeleton
from babel.dates import format_time as _format_time
from babel.dates import format_timedelta as _format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_babel import gettext as _

__all__ = [
    "LANGUAGES",
    "ago",
    "day",
    "direction",
    "email_language",
    "firm_text",
    "force_locale",
    "join",
    "money",
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


def select_locale() -> str:
    """The language of this request's page (see the module's docstring for the order)."""
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
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT


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


def _locale() -> Locale:
    return get_locale() or Locale.parse(DEFAULT)


def _zone(firm: Any = None, zone: str | None = None) -> ZoneInfo:
    name = zone
    if not name and has_request_context():
        name = g.get("display_zone")
    if not name and firm is not None:
        name = getattr(firm, "timezone", None)
    if not name and has_request_context() and g.get("firm") is not None:
        name = g.firm.timezone
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


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
    time_text = _format_time(local, "short", locale=locale)
    if format == "time":
        return time_text
    if format == "full":  # the locale's own full date ("Monday, March 30, 2026"): a skeleton abbreviates the weekday
        date_text = _format_date(local, "full", locale=locale)
    else:
        date_text = format_skeleton(SKELETONS.get(format, "yMMMd"), local, locale=locale, fuzzy=True)
    pattern = locale.datetime_formats.get("medium", "{1}, {0}")
    return str(pattern).replace("{1}", date_text).replace("{0}", time_text)


def day(value: date | datetime | None, format: str = "medium", firm: Any = None, zone: str | None = None) -> str:
    """A calendar day in the locale: "May 12, 2026", "12. Mai 2026"; "weekday_day": "Tue, May 12".
    A moment is read as a day in `zone` (an email's reader's), else the page's or the firm's."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        value = aware.astimezone(_zone(firm, zone)).date()
    if format == "weekday_long":  # the locale's full date without its year: "Monday, May 12"
        pattern = str(_locale().date_formats["full"].pattern)
        pattern = re.sub(r"\s*'de'\s*y+|[\s,،.]*\by+\b\.?", "", pattern).strip(" ,،")
        return _format_date(value, pattern, locale=_locale())
    return format_skeleton(SKELETONS.get(format, "yMMMd"), value, locale=_locale(), fuzzy=True)


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
    fmt = None
    if float(amount).is_integer():
        fmt = _locale().currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(
        amount, (currency or "EUR").upper(), format=fmt, locale=_locale(), currency_digits=fmt is None
    )


def pay_range(low: int | None, high: int | None, currency: str | None) -> str:
    """A pay range in words: "£50,000–£60,000", "from £50,000", "up to £60,000"."""
    if low and high:
        return _("%(low)s–%(high)s", low=money(low, currency), high=money(high, currency))
    if low:
        return _("from %(amount)s", amount=money(low, currency))
    if high:
        return _("up to %(amount)s", amount=money(high, currency))
    return ""


def join(items: list[str], style: str = "standard") -> str:
    """A list in words: "a, b and c", "a, b und c", "a، b و c"."""
    items = [str(i) for i in items if i]
    if not items:
        return ""
    return format_list(items, style=style, locale=_locale())


def language_name(code: str) -> str:
    lang = LANGUAGES.get(code)
    return lang.name if lang else code


# ---------------------------------------------------------------- fast lookups


def _translations():
    """The catalog of the current locale, kept on `g` per locale for the request (or job).

    Flask-Babel finds it again on every message (the domain, the locale's identifier, its
    cache): about 15 us, which a board of 200 cards pays a thousand times. A force_locale
    (an email in another language) is another key, so it gets its own catalog."""
    from flask import has_app_context

    if not has_app_context():
        from flask_babel import get_translations

        return get_translations()
    locale = get_locale()
    key = (locale.language, locale.territory) if locale is not None else None
    try:
        cache = g._portal_translations
    except AttributeError:
        cache = g._portal_translations = {}
    found = cache.get(key)
    if found is None:
        from flask_babel import get_translations

        found = cache[key] = get_translations()
    return found


def fast_gettext(string: str, **variables: Any) -> str:
    text = _translations().ugettext(string)
    return text % variables if variables else text


def fast_ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


# ---------------------------------------------------------------- setup


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        from portal.catalogs import SHIPPED_CATALOGS, compiled_catalogs

        spare = os.path.join(app.config["INSTANCE_DIR"], "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = compiled_catalogs(SHIPPED_CATALOGS, spare)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.config.setdefault("WTF_I18N_ENABLED", True)  # WTForms' own messages through the same catalogs
    env = app.jinja_env
    # The templates' _(), ngettext() and {% trans %} through the per-request catalog above.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    env.filters.update(when=when, day=day, ago=ago, money=money, number=number, list_words=join)
    env.globals.update(
        pay_range=pay_range,
        html_dir=direction,
        current_language=current_language,
        firm_text=firm_text,
        languages_offered=lambda: [LANGUAGES[c] for c in offered(g.get("firm"))] if g.get("firm") else [],
        language_name=language_name,
    )


def lazy(string: str, **variables: Any):
    """A message translated when it is shown (module-level texts: form labels, stage words):
    `from portal.i18n import lazy as _l`. Like Flask-Babel's lazy_gettext, through the fast lookup."""
    from flask_babel.speaklater import LazyString

    return LazyString(fast_gettext, string, **variables)
