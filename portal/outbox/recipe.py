"""What an email was rendered from, kept with it so that the worker can render it again in its
reader's language at send time (issue 20: a candidate who switches language gets the next email
in the new one, even if it was recorded before the switch).

A stored email's HTML ends with one HTML comment, `<!--portal:render {json}-->`, holding its kind,
the language it was rendered in and its context as data, never as words: rows by model and id
(loaded again when it is rendered again), enums by value, dates as ISO strings, lazy gettext
strings (`portal.i18n.lazy`) by their message id. A context holding anything else (a word made in
Python, an object of another kind) gets no comment: that email is sent as it was rendered. The
worker removes the comment from every email before sending (worker/compose.py), like the merge
data; erasing or pruning a message's bodies erases it too.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
import logging
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import flask_babel
from flask_babel import npgettext, pgettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect

from portal import translate
from portal.extensions import db

log = logging.getLogger(__name__)

RENDER_DATA = re.compile(r"\n?<!--portal:render (\{.*?\})-->", re.S)
MAX_CHARS = 200_000  # a context larger than this is not kept (the email is sent as rendered)
MAX_DEPTH = 12
# A lazy message is kept by the name of its lookup and rebuilt with Portal's (portal.i18n.lazy's);
# Flask-Babel's own lookups (its lazy_gettext, lazy_ngettext) are the same messages.
_GETTEXT = {"gettext": translate.gettext, "ngettext": translate.ngettext, "pgettext": pgettext, "npgettext": npgettext}
_LOOKUP_NAMES = {
    **{f: name for name, f in _GETTEXT.items()},
    flask_babel.gettext: "gettext",
    flask_babel.ngettext: "ngettext",
}
_LOADABLE_PREFIX = "portal."  # enums, dataclasses and named tuples are rebuilt only from Portal's own modules


class NotData(TypeError):
    """A context value the recipe cannot keep as data."""


class Unrenderable(ValueError):
    """A recipe that cannot be rendered again (a row it names is gone, a class moved)."""


# ---------------------------------------------------------------- writing


def comment(kind: str, language: str, context: dict[str, Any]) -> str:
    """The comment to end a stored email's HTML with, or "" when the context is not plain data."""
    try:
        data = {
            "kind": kind,
            "lang": language,
            "context": {k: _to_data(v, 0) for k, v in context.items() if k != "firm"},
        }
    except NotData as exc:
        log.debug("email %s is not kept for rendering again: %s", kind, exc)
        return ""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_CHARS:
        return ""
    # As Jinja's tojson: no <, > or & in the comment, so it can never be closed early.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"\n<!--portal:render {text}-->"


def _path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _own(cls: type) -> bool:
    return cls.__module__.startswith(_LOADABLE_PREFIX)


def _to_data(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NotData("nested too deep")
    d = depth + 1
    if value is None or isinstance(value, (bool, int, float)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, Markup):
        return {"$markup": str(value)}
    if isinstance(value, enum.Enum):
        if not _own(type(value)):
            raise NotData(f"enum {_path(type(value))}")
        return {"$enum": _path(type(value)), "v": value.value}
    if isinstance(value, str):
        return value
    if isinstance(value, LazyString):
        name = _LOOKUP_NAMES.get(value._func)
        if name is None:
            raise NotData("a lazy string of another function")
        return {"$lazy": name, "a": [_to_data(a, d) for a in value._args], "k": _mapping(value._kwargs, d)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, db.Model):
        state = sa_inspect(value)
        if state.identity is None or len(state.identity) != 1:
            raise NotData(f"a {type(value).__name__} without its id")
        return {"$model": type(value).__name__, "id": state.identity[0]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not _own(type(value)):
            raise NotData(f"dataclass {_path(type(value))}")
        fields = {f.name: _to_data(getattr(value, f.name), d) for f in dataclasses.fields(value) if f.init}
        return {"$dc": _path(type(value)), "f": fields}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        if not _own(type(value)):
            raise NotData(f"named tuple {_path(type(value))}")
        return {"$nt": _path(type(value)), "f": [_to_data(v, d) for v in value]}
    if isinstance(value, (list, tuple)):
        return [_to_data(v, d) for v in value]
    if isinstance(value, dict):
        return _mapping(value, d)
    raise NotData(f"a {type(value).__name__}")


def _mapping(value: dict, depth: int) -> dict:
    out = {}
    for k, v in value.items():
        if not isinstance(k, str) or k.startswith("$"):
            raise NotData(f"a mapping key {k!r}")
        out[k] = _to_data(v, depth)
    return out


# ---------------------------------------------------------------- reading


def read(html: str | None) -> dict | None:
    """The recipe a stored email's HTML ends with, or None."""
    found = RENDER_DATA.search(html or "")
    if found is None:
        return None
    try:
        data = json.loads(found.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("kind"), str) else None


def strip(html: str) -> str:
    """The HTML without its recipe (what an email carries)."""
    return RENDER_DATA.sub("", html)


def language(html: str | None) -> str | None:
    """The language a stored email was rendered in, when it says so."""
    data = read(html)
    return data.get("lang") if data else None


def load_context(data: dict) -> dict[str, Any]:
    """The context of a recipe, its rows loaded again (in the bound firm). Raises Unrenderable."""
    models = {m.class_.__name__: m.class_ for m in db.Model.registry.mappers}
    try:
        return {k: _from_data(v, models) for k, v in (data.get("context") or {}).items()}
    except Unrenderable:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ImportError) as exc:
        raise Unrenderable(str(exc)) from exc


def _class(path: str) -> type:
    module, _, qualname = path.partition(":")
    if not module.startswith(_LOADABLE_PREFIX):
        raise Unrenderable(f"not one of Portal's classes: {path}")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, type):
        raise Unrenderable(f"not a class: {path}")
    return obj


def _from_data(value: Any, models: dict[str, type]) -> Any:
    if isinstance(value, list):
        return [_from_data(v, models) for v in value]
    if not isinstance(value, dict):
        return value
    if "$model" in value:
        cls = models.get(value["$model"])
        if cls is None:
            raise Unrenderable(f"no model {value['$model']}")
        row = db.session.get(cls, value["id"])
        if row is None:
            raise Unrenderable(f"{value['$model']} {value['id']} is gone")
        return row
    if "$enum" in value:
        cls = _class(value["$enum"])
        if not issubclass(cls, enum.Enum):
            raise Unrenderable(f"not an enum: {value['$enum']}")
        return cls(value["v"])
    if "$lazy" in value:
        args = [_from_data(a, models) for a in value.get("a", [])]
        kwargs = {k: _from_data(v, models) for k, v in (value.get("k") or {}).items()}
        return LazyString(_GETTEXT[value["$lazy"]], *args, **kwargs)
    if "$markup" in value:
        return Markup(value["$markup"])
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$time" in value:
        return time.fromisoformat(value["$time"])
    if "$td" in value:
        return timedelta(seconds=value["$td"])
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$dc" in value:
        cls = _class(value["$dc"])
        if not dataclasses.is_dataclass(cls):
            raise Unrenderable(f"not a dataclass: {value['$dc']}")
        return cls(**{k: _from_data(v, models) for k, v in value["f"].items()})
    if "$nt" in value:
        cls = _class(value["$nt"])
        if not (issubclass(cls, tuple) and hasattr(cls, "_fields")):
            raise Unrenderable(f"not a named tuple: {value['$nt']}")
        return cls(*[_from_data(v, models) for v in value["f"]])
    return {k: _from_data(v, models) for k, v in value.items()}
