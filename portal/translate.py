"""Looking up a message in the catalog of the page's (or the email's) language, fast.

Flask-Babel finds the catalog again for every message (the domain, the locale, its cache:
~15 us) and Jinja's newstyle gettext calls through three functions; a board of 200 cards asks
hundreds of times. Here the catalog is kept per request and locale, templates call one function,
and Python code imports `gettext as _` from portal.i18n (which re-exports these).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale, support
from flask import Flask, g
from flask_babel import get_locale
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from wtforms.i18n import messages_path

_ENGLISH = Locale.parse("en")


def page_locale() -> Locale:
    """The page's (or the email's) locale. Read where Flask-Babel keeps it once chosen (its
    get_locale costs four context lookups, and a board asks hundreds of times); force_locale
    writes the same place, so an email in another language reads its own."""
    try:
        found = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet / outside an app context
        found = None
    return found or get_locale() or _ENGLISH


def _translations():
    """The catalog of the current locale, kept per request (or job) beside Flask-Babel's own
    state, and the last one used at hand: one context lookup a message.

    Flask-Babel finds it again on every message (the domain, the locale's identifier, its
    cache): about 15 us, which a board of 200 cards pays a thousand times. A force_locale
    (an email in another language) puts another Locale in place, so it gets its own catalog."""
    try:
        state = g._flask_babel
    except AttributeError:
        state = None
    except RuntimeError:  # outside an app context
        from flask_babel import get_translations

        return get_translations()
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        last = getattr(state, "portal_last", None)
        if last is not None and last[0] is locale:
            return last[1]
    locale = page_locale()
    state = g._flask_babel  # made by page_locale's get_locale when it was not there yet
    catalogs = state.__dict__.setdefault("portal_catalogs", {})
    found = catalogs.get(locale)
    if found is None:
        from flask_babel import get_translations

        found = catalogs[locale] = get_translations()
    state.portal_last = (locale, found)
    return found


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's gettext (a message formatted only when given variables), through the
    catalog kept per request: what Python code imports as `_`."""
    text = _translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


# The templates' _(), gettext(), ngettext() and {% trans %}: what Jinja's newstyle gettext does
# (always a format string; markup-safe where the template autoescapes), in one call where
# Jinja's own goes through three (`_` resolves `gettext`, which calls the function given).


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    text = _translations().ugettext(string)
    if not variables and "%" not in text:  # formatting would change nothing (Markup's % costs ~5 us)
        return Markup(text) if eval_ctx.autoescape else text
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_pgettext(eval_ctx: EvalContext, context: str, string: str, **variables: Any) -> str:
    variables.setdefault("context", context)
    text = _translations().upgettext(context, string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_npgettext(
    eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = _translations().unpgettext(context, singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


class _WTFormsMessages:
    """WTForms' own messages ("This field is required.") in the page's language."""

    def ugettext(self, string: str) -> str:
        return _wtforms_catalog(page_locale()).ugettext(string)

    def ungettext(self, singular: str, plural: str, num: int) -> str:
        return _wtforms_catalog(page_locale()).ungettext(singular, plural, num)


@lru_cache(maxsize=32)
def _wtforms_catalog(locale: Locale) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


_WTFORMS = _WTFormsMessages()


def lazy(string: str, **variables: Any):
    """A message translated when it is shown (module-level texts: form labels, stage words):
    `from portal.i18n import lazy as _l`. Like Flask-Babel's lazy_gettext, through the fast lookup."""
    from flask_babel.speaklater import LazyString

    return LazyString(gettext, string, **variables)


def install(app: Flask) -> None:
    """The templates' _(), gettext(), ngettext() and {% trans %} through the lookups above, and
    WTForms' messages from a catalog loaded once a locale."""
    # Flask-WTF reads WTForms' catalog from disk on every request that shows a form (it looks for
    # `request.wtforms_translations` first): every request finds one here.
    app.request_class = type(app.request_class.__name__, (app.request_class,), {"wtforms_translations": _WTFORMS})
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(  # the same, each in one call
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )
