"""One input-cleaning rule for every request: query strings and form fields (uploaded files'
names too) lose NUL and the other C0 control characters except tab, CR and LF before any view,
form or service sees them.

Dropped, never refused: nobody types them, PostgreSQL cannot store a NUL (a 500 there, a silent
success on SQLite), and a 400 would throw away a long text for one invisible character."""

from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(value: str) -> str:
    """`value` without NUL and other C0 controls (tab, CR and LF stay)."""
    return CONTROL.sub("", value) if CONTROL.search(value) else value


def _clean_value(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = clean(value.filename)
    return value


def _pairs(mapping):
    if mapping is None:
        return
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, dict):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


class CleanMultiDict(ImmutableMultiDict):
    """The request's args, form and files: keys and text values cleaned as they are parsed."""

    def __init__(self, mapping=None):
        super().__init__([(clean(k) if isinstance(k, str) else k, _clean_value(v)) for k, v in _pairs(mapping)])


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict
