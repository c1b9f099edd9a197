"""A search's description in the firm's other languages (issue 20): Search.translations,
{language: {"description_md", "description_html"}}, written from the search form's fields
("Description in Deutsch") under the default description's rules (length, no HTML) and rendered
and sanitised by portal.markdown the same way. Readers get it through portal.i18n.firm_text,
which falls back to the default description where a language has none. Pure: no query."""

from __future__ import annotations

from typing import Any

from portal import i18n
from portal.i18n import gettext as _
from portal.markdown import render_markdown
from portal.models import Firm
from portal.services.text import clean_text


def clean_translations(firm: Firm, given: dict[str, str], current: dict | None, limit: int) -> dict | None:
    """The descriptions once the texts `given` ({language: Markdown}) are applied: each checked
    (at most `limit` characters, no HTML), rendered and sanitised; an empty one removes that
    language's (its readers then read the default description). Languages not given keep
    theirs; the firm's default language has none (its readers read the default description
    itself); a language the firm does not offer is not taken. None when no language has one."""
    offered = i18n.offered(firm)
    out = {
        lang: dict(text)
        for lang, text in (current or {}).items()
        if isinstance(text, dict) and lang != offered[0] and text.get("description_md")
    }
    for lang, source in given.items():
        if lang not in offered[1:]:
            continue
        label = _("Description in %(language)s", language=i18n.language_name(lang))
        md = clean_text(source, label, limit)
        if md:
            out[lang] = {"description_md": md, "description_html": render_markdown(md)}
        else:
            out.pop(lang, None)
    return out or None


def values(firm: Firm, given: dict[str, str] | None, search: Any, limit: int) -> dict[str, Any]:
    """The search's column to write for the form's texts (none when `given` is None: an API
    call or an import that does not speak of languages leaves them as they are)."""
    if given is None:
        return {}
    return {"translations": clean_translations(firm, given, search.translations if search else None, limit)}
