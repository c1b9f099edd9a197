"""Languages in tests (issue 20): the messages extracted fresh from the code (what `make
translations` would put in the catalogs), the checks a shipped catalog must pass, temporary
catalogs (a Catalog written as .po and compiled .mo in a temp dir) and the app reading its
translations from them for a while, and the readable text of a page or an email."""

from __future__ import annotations

import html as html_lib
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRANSLATIONS = os.path.join(ROOT, "portal", "translations")
LANGS = ("de", "fr", "es", "nl", "ar")  # every shipped language but English, the source

# The Makefile's `translations` target: pybabel's default keywords (_, gettext, ngettext ...)
# plus -k lazy -k _l -k lazy_gettext -k lazy_ngettext:1,2.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy": None, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# Where a message reaches a candidate (a page, a form, an email): a message with any location
# under one of these is candidate-facing, and every catalog must translate it. portal/i18n.py
# (pay ranges), portal/outbox/ (emails), matching/ (the candidate's roles page) and
# _calendar_feed.html (the candidate's settings) reach candidates too.
CANDIDATE_PLACES = (
    "portal/templates/candidate/",
    "portal/templates/careers/",
    "portal/templates/auth/",
    "portal/templates/errors/",
    "portal/templates/email/",
    "portal/templates/roles/",
    "portal/templates/matching/",
    "portal/templates/macros.html",
    "portal/templates/base.html",
    "portal/templates/_language_switcher.html",
    "portal/templates/_calendar_feed.html",
    "portal/candidate/",
    "portal/careers/",
    "portal/auth/",
    "portal/web/",
    "portal/models/",
    "portal/services/",
    "portal/outbox/",
    "portal/i18n.py",
    "worker/",
)


def candidate_facing(locations: Iterable[tuple[str, int | None]]) -> bool:
    return any(path.replace(os.sep, "/").startswith(CANDIDATE_PLACES) for path, _line in locations)


def extract(root: str = ROOT) -> Catalog:
    """Every marked message of the code as `make translations` extracts it (babel.cfg's map,
    the Makefile's keywords, the translators' comments), with its locations."""
    with open(os.path.join(root, "babel.cfg")) as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    catalog = Catalog(project="Portal")
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename.replace(os.sep, "/"), lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(lang: str, directory: str = TRANSLATIONS) -> Catalog:
    with open(os.path.join(directory, lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
        return read_po(fh, locale=lang)


# ---------------------------------------------------------------- checks of one catalog


def label(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    where = ", ".join(f"{p}:{n}" for p, n in message.locations[:2])
    return f"{msgid!r} ({where})" if where else repr(msgid)


def _forms(message) -> list[str]:
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string or ""]


def translated(message, num_plurals: int) -> bool:
    forms = _forms(message)
    if isinstance(message.id, tuple) and len(forms) != num_plurals:
        return False
    return all(forms)


@dataclass
class Problems:
    missing: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    plurals: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    staff_untranslated: int = 0

    def failures(self) -> dict[str, list[str]]:
        return {k: v for k, v in vars(self).items() if isinstance(v, list) and v}


def check(fresh: Catalog, shipped: Catalog) -> Problems:
    """What is wrong with `shipped` against the messages extracted `fresh`: candidate-facing
    messages missing, untranslated or fuzzy; plural messages without every form of the
    language; any translation whose placeholders differ from its msgid's. Staff-only messages
    left untranslated are only counted."""
    out = Problems()
    n = shipped.num_plurals
    for message in fresh:
        if not message.id:
            continue
        have = shipped.get(message.id, context=message.context)
        staff = not candidate_facing(message.locations)
        if have is None or have.fuzzy or not translated(have, n):
            if staff:
                out.staff_untranslated += 1
            elif have is None:
                out.missing.append(label(message))
            elif have.fuzzy:
                out.fuzzy.append(label(message))
            else:
                out.untranslated.append(label(message))
    for message in shipped:
        if not message.id:
            continue
        forms = _forms(message)
        if isinstance(message.id, tuple) and any(forms) and len(forms) != n:
            out.plurals.append(f"{label(message)}: {len(forms)} forms, the language has {n}")
        out.placeholders += placeholder_problems(message)
    return out


# %(name)s, %(num)d, %s, %d ...; "%%" is a percent sign, a lone "%" is a broken placeholder.
_SPEC = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])|%")


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """(named placeholders, positional ones in order, a lone % found)."""
    named, positional, broken = set(), [], False
    for m in _SPEC.finditer(text):
        token = m.group(0)
        if token == "%%":
            continue
        if m.group("type") is None:
            broken = True
        elif m.group("name") is not None:
            named.add(token)
        else:
            positional.append(token)
    return frozenset(named), tuple(positional), broken


def placeholder_problems(message) -> list[str]:
    """A translation must use the msgid's placeholders, no more and no fewer (a missing one
    loses a name or a date; an extra or misspelt one raises KeyError when the page is drawn).
    A plural form may leave out the number itself (Arabic's "one day" form), nothing else."""
    if not message.id or not any(_forms(message)):
        return []
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    if not any("%" in i for i in ids):
        return []
    wanted = [placeholders(i) for i in ids]
    named = frozenset().union(*(w[0] for w in wanted))
    positional = max((w[1] for w in wanted), key=len)
    out = []
    for i, form in enumerate(_forms(message)):
        if not form:
            continue
        got_named, got_positional, broken = placeholders(form)
        if isinstance(message.id, tuple):
            # the plural's counter (ngettext's num, a {% trans count=... %} block's count) may go
            ok = got_named <= named and {p for p in named if "(num)" not in p and "(count)" not in p} <= got_named
            ok = ok and set(got_positional) <= set(positional)
        else:
            ok = got_named == named and got_positional == positional
        if not ok or broken:
            out.append(f"{label(message)} form {i}: {form!r} has {sorted(got_named) + list(got_positional)}")
    return out


def stale_compiled(directory: str = TRANSLATIONS, langs: Iterable[str] = LANGS) -> list[str]:
    """Languages whose compiled catalog (.mo) is missing or older than its .po."""
    out = []
    for lang in langs:
        po = os.path.join(directory, lang, "LC_MESSAGES", "messages.po")
        mo = po[:-3] + ".mo"
        if not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po):
            out.append(lang)
    return out


# ---------------------------------------------------------------- temporary catalogs


def write_catalog(directory: str, lang: str, catalog: Catalog, compile: bool = True) -> str:
    """`catalog` as <directory>/<lang>/LC_MESSAGES/messages.po and .mo; returns the .po's path."""
    folder = os.path.join(directory, lang, "LC_MESSAGES")
    os.makedirs(folder, exist_ok=True)
    po = os.path.join(folder, "messages.po")
    with open(po, "wb") as fh:
        write_po(fh, catalog)
    if compile:
        with open(po[:-3] + ".mo", "wb") as fh:
            write_mo(fh, catalog)
    return po


def pseudo(text: str, word: str = "Übersetzung") -> str:
    """A stand-in translation with no English left in it: `word` and the msgid's placeholders
    (and its markup, for a {% trans %} with a link)."""
    tags = re.findall(r"<[^>]+>", text)
    named, positional, _broken = placeholders(re.sub(r"<[^>]+>", " ", text))
    parts = [word, *sorted(named), *positional]
    if tags:
        parts = [tags[0], *parts, *tags[1:]]
    return " ".join(parts)


def pseudo_catalog(fresh: Catalog, lang: str, word: str = "Übersetzung") -> Catalog:
    """A catalog for `lang` translating every fresh message to `pseudo` text."""
    out = Catalog(locale=lang, project="Portal")
    for message in fresh:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(pseudo(message.id[1], word) for _ in range(out.num_plurals))
            out.add(message.id, forms, message.locations, context=message.context)
        else:
            out.add(message.id, pseudo(message.id, word), message.locations, context=message.context)
    return out


@contextmanager
def translations_from(app, directory: str):
    """The app reads its translations from `directory` (BABEL_TRANSLATION_DIRECTORIES, read by
    Flask-Babel once at start: its resolved list and its cache are swapped for the block)."""
    conf = app.extensions["babel"]
    with app.app_context():  # the domain is made (once) from the app's settings
        domain = conf.instance.domain_instance
    saved_dirs, saved_config = conf.translation_directories, app.config.get("BABEL_TRANSLATION_DIRECTORIES")
    conf.translation_directories = [directory]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = directory
    domain.cache.clear()
    try:
        yield
    finally:
        conf.translation_directories = saved_dirs
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = saved_config
        domain.cache.clear()


# ---------------------------------------------------------------- what a reader reads


_HIDDEN = re.compile(r"<(script|style|template|head)\b.*?</\1>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_READ_ATTRS = re.compile(r"""\b(?:aria-label|placeholder|title|alt|aria-description)\s*=\s*("[^"]*"|'[^']*')""", re.I)
_BUTTON_VALUE = re.compile(r"""<input\b[^>]*\btype=["']?(?:submit|button)["']?[^>]*>""", re.I)
_VALUE = re.compile(r"""\bvalue\s*=\s*("[^"]*"|'[^']*')""", re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
# A time zone's IANA name in a list of zones ("US/Pacific", "America/New_York") is an
# identifier the reader picks, not a word of the product.
_ZONE_OPTION = re.compile(r"<option\b[^>]*>\s*[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+\s*</option>")


def readable_text(page: str) -> str:
    """What a person reads or hears on an HTML page: its title, the text, and the attributes
    read aloud or shown (aria-label, placeholder, title, alt, a button's value)."""
    title = " ".join(_TITLE.findall(page))
    attrs = [v[1:-1] for v in _READ_ATTRS.findall(page)]
    for tag in _BUTTON_VALUE.findall(page):
        attrs += [v[1:-1] for v in _VALUE.findall(tag)]
    body = _ZONE_OPTION.sub(" ", _COMMENT.sub(" ", _HIDDEN.sub(" ", page)))
    body = re.sub(r"<[^>]+>", " ", body)
    return html_lib.unescape(" ".join([title, body, *attrs]))


_URL = re.compile(r"\b(?:https?|mailto|webcal):\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/[\w/.#?=&%-]+")


def english_words(text: str, vocabulary: Iterable[str], strip: Iterable[str] = ()) -> list[str]:
    """The words of `vocabulary` found in `text` (whole words, any case), after the texts in
    `strip` (names, the firm's own words) and every address (links, emails) are taken out.
    Each hit comes with a little of its context."""
    for s in sorted({s for s in strip if s}, key=len, reverse=True):
        text = text.replace(s, " ")
    text = _URL.sub(" ", text)
    hits = []
    for word in vocabulary:
        for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I):
            around = " ".join(text[max(0, m.start() - 40) : m.end() + 40].split())
            hits.append(f"{word!r} in …{around}…")
    return hits
