"""What every API view shares: scope checks, objects by id (another firm's id is a 404), keyset
pages with an opaque cursor, and the one way a write runs (in the transaction, audited with the
key's name, its answer stored for its Idempotency-Key). Views stay thin; rules stay in services."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response, abort, g, request
from marshmallow import Schema
from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.services import Conflict, DomainError, NotFound, api_keys, audit, idempotency
from portal.transaction import rollback, transaction
from portal.web.problems import problem

JSON = "application/json"


def requires(resource: str, write: bool = False):
    """Refuse (403 problem) a key without the scope; the view runs otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not api_keys.allows(g.api_key, resource, write):
                need = f"{resource}:{'write' if write else 'read'}"
                return problem(403, f"This API key does not have the {need} scope.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can(resource: str, write: bool = False) -> bool:
    return api_keys.allows(g.api_key, resource, write)


def one(model: type, ident: int) -> Any:
    """The firm's object with this id, or a 404 (the tenant filter hides other firms' rows)."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=JSON)


# ---------------------------------------------------------------- pages


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size or not isinstance(values[-1], int):
        abort(422, description="cursor: not a cursor this API gave.")
    return values


def _when(value: Any) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        abort(422, description="cursor: not a cursor this API gave.")
    if when.tzinfo is None:
        abort(422, description="cursor: not a cursor this API gave.")
    return when


def page(stmt, args: dict, id_col, updated_col=None, since_col=None) -> tuple[list, str | None]:
    """One page of `stmt`: ordered by (updated_col, id) or by id, after the cursor, changed at or
    after `updated_since` (on `since_col`, else `updated_col`); one query, `limit` + 1 rows."""
    limit = args["limit"]
    since = args.get("updated_since")
    since_col = since_col if since_col is not None else updated_col
    if since is not None and since_col is not None:
        stmt = stmt.where(since_col >= since)
    cursor = args.get("cursor")
    if updated_col is None:
        if cursor:
            stmt = stmt.where(id_col > _decode(cursor, 1)[0])
        stmt = stmt.order_by(id_col)
    else:
        if cursor:
            at, after = _decode(cursor, 2)
            when = _when(at)
            stmt = stmt.where(or_(updated_col > when, and_(updated_col == when, id_col > after)))
        stmt = stmt.order_by(updated_col, id_col)
    rows = list(db.session.scalars(stmt.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    if not more or not rows:
        return rows, None
    last = rows[-1]
    key = [last.id] if updated_col is None else [getattr(last, updated_col.key).isoformat(), last.id]
    return rows, _encode(key)


def listing(rows_and_cursor: tuple[list, str | None], schema: Schema) -> dict:
    rows, cursor = rows_and_cursor
    return {"data": schema.dump(rows, many=True), "next_cursor": cursor}


# ---------------------------------------------------------------- writes

FIELD = re.compile(r"^([A-Za-z][A-Za-z -]{0,30}): ")


def _refusal(exc: DomainError) -> Response:
    if isinstance(exc, NotFound):
        return problem(404, str(exc) or "No such resource here.")
    if isinstance(exc, Conflict):
        return problem(409, str(exc))
    text = str(exc)
    named = getattr(exc, "field", None)
    if named is None and (m := FIELD.match(text)):  # "Email: ..." is about the field sent as `email`
        sent = request.get_json(silent=True)
        guess = m.group(1).strip().lower().replace(" ", "_")
        named = guess if isinstance(sent, dict) and guess in sent else None
    return problem(422, text, {named: [text]} if named else None)


def write(action: Callable[[], Any], schema: Schema, what: str, status: int = 200) -> Response:
    """Run one service call in the transaction; audit it with the key's name; store the answer for
    the request's Idempotency-Key in the same transaction. A refusal is a problem (404/409/422)."""
    key, attempt = g.api_key, g.get("idempotency")
    try:
        with transaction():
            obj = action()
            body = schema.dump(obj)
            details = {"api_key": key.name, "id": getattr(obj, "id", None)}
            audit.record(g.firm, g.api_actor, f"api.{what}", target=f"API key {key.name}", details=details)
            if attempt is not None:
                idempotency.remember(g.firm.id, key.id, attempt, status, json.dumps(body))
    except DomainError as exc:
        return _refusal(exc)
    except IntegrityError:
        return _after_clash(key.id, attempt)
    return json_response(body, status)


def _after_clash(key_id: int, attempt: idempotency.Attempt | None) -> Response:
    """A unique constraint refused the write: the same Idempotency-Key answered meanwhile (its
    answer is returned), or a concurrent change made the same object (409)."""
    earlier = idempotency.earlier(key_id, attempt) if attempt is not None else None
    rollback()
    if earlier is None:
        return problem(409, "A concurrent request changed the same thing; reload and try again.")
    if earlier.request_hash != attempt.request_hash:  # type: ignore[union-attr]
        return problem(422, "This Idempotency-Key was used with a different request.", kind="idempotency-key-reused")
    return Response(earlier.body, status=earlier.status, mimetype=JSON)
