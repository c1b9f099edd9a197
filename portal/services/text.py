"""Checks shared by every recruiter-side text input: lengths, no HTML, skill/tag lists.

Services call these before they write anything, so a bad value is refused whole
(a clear message, never a half-stored row)."""

from __future__ import annotations

import re
from typing import Literal, overload

from portal import i18n
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.services import DomainError

# An HTML tag or comment: "<b>", "</p>", "<script ...>", "<!--". Markdown autolinks such as
# <https://example.com> or <name@example.com> and comparisons such as "a < b" do not match.
HTML_TAG = re.compile(r"<\s*(?:/\s*)?[a-zA-Z][a-zA-Z0-9-]*(?:\s|/|>|$)|<!--|<!\[CDATA\[|<!doctype", re.I)
NO_HTML_MESSAGE = _l("HTML is not allowed here; please write plain text (Markdown where offered).")
MAX_LIST_ITEMS = 30


def has_html(value: str | None) -> bool:
    if not value:
        return False
    return HTML_TAG.search(value) is not None


@overload
def clean_line(value: str | None, label: str, max_len: int, required: Literal[True]) -> str: ...
@overload
def clean_line(value: str | None, label: str, max_len: int, required: bool = False) -> str | None: ...
def clean_line(value: str | None, label: str, max_len: int, required: bool = False) -> str | None:
    """One line of text: trimmed, length-checked, no HTML, no control characters."""
    value = " ".join((value or "").split())
    if not value:
        if required:
            raise DomainError(_("%(label)s: this is required.", label=label))
        return None
    if len(value) > max_len:
        raise DomainError(_("%(label)s: use at most %(num)d characters.", label=label, num=max_len))
    if has_html(value):
        raise DomainError(_no_html(label))
    return value


def _no_html(label: str) -> str:
    # Translators: %(label)s names the field ("Title").
    return _("%(label)s: HTML is not allowed here; please write plain text (Markdown where offered).", label=label)


def clean_text(value: str | None, label: str, max_len: int, required: bool = False) -> str:
    """A multi-line text (Markdown source or a plain explanation)."""
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        if required:
            raise DomainError(_("%(label)s: this is required.", label=label))
        return ""
    if len(value) > max_len:
        raise DomainError(_("%(label)s: use at most %(num)s characters.", label=label, num=i18n.number(max_len)))
    if has_html(value):
        raise DomainError(_no_html(label))
    return value


def split_list(
    value: str | list[str] | None, label: str, max_item: int = 80, max_items: int = MAX_LIST_ITEMS
) -> list[str]:
    """Comma-separated names (skills, tags) -> unique, trimmed names in the given order."""
    if isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = re.split(r"[,;\n]", value or "")
    out: list[str] = []
    seen: set[str] = set()
    for raw in parts:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > max_item:
            raise DomainError(
                _(
                    "%(label)s: “%(start)s…” is longer than %(num)d characters.",
                    label=label,
                    start=name[:30],
                    num=max_item,
                )
            )
        if has_html(name):
            raise DomainError(_no_html(label))
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    if len(out) > max_items:
        raise DomainError(_("%(label)s: at most %(num)d entries, please.", label=label, num=max_items))
    return out
