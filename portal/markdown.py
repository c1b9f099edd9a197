"""The one place user Markdown becomes HTML: Markdown -> nh3 allow-list -> Markup.

Render once when the text is saved and store the HTML beside the source; a read only re-cleans it.
The parser is cmark (through cmarkgfm), linear in its input, so no text a form accepts can burn
a CPU (tests/foundation/test_markdown_speed.py); its safe default drops raw HTML and javascript:
links, and nh3 applies the allow-list either way."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import cmarkgfm
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
MAX_SOURCE = 20_000
# A line opening more nested containers than this (`>` block quotes, `-`/`*`/`+`/`1.` list
# items) keeps only the first MAX_DEPTH: the sanitiser's HTML parser is quadratic in the
# nesting depth (10,000 `>` took 1.4 s in nh3 after 8 ms in cmark). Deeper nesting by
# indentation costs ever longer lines, so a form's limit bounds it to ~100 levels.
MAX_DEPTH = 24
_MARKER = r"[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))"
_TOO_DEEP = re.compile(rf"^((?:{_MARKER}){{{MAX_DEPTH}}})(?:{_MARKER})+", re.MULTILINE)


_CLEAN_OPTIONS: dict = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "url_schemes": {"http", "https", "mailto"},
    "link_rel": "noopener noreferrer nofollow",
}


def _cleaner() -> Callable[[str], str]:
    """The allow-list sanitiser, built once: nh3.clean() builds its rules from these sets on
    every call (half of its ~60 us on a feedback note; the candidate's feedback page cleans each
    note on the way out). An older nh3 without Cleaner: the same call each time."""
    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**_CLEAN_OPTIONS).clean
    return partial(nh3.clean, **_CLEAN_OPTIONS)


_clean = _cleaner()


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for a Markdown source (a plain str, safe to store)."""
    if not source:
        return ""
    html = cmarkgfm.markdown_to_html(_TOO_DEEP.sub(r"\1", source[: MAX_SOURCE * 2]))
    return _clean(html).strip()


def stored_html(html: str | None) -> Markup:
    """Mark HTML that render_markdown() produced (stored beside its source) as safe.

    Re-cleaned on the way out, so a row written by anything else cannot inject markup.
    """
    if not html:
        return Markup("")
    return Markup(_clean(html))


def init_app(app) -> None:
    app.jinja_env.filters["markdown_html"] = stored_html
    app.jinja_env.filters["render_markdown"] = lambda s: stored_html(render_markdown(s))
