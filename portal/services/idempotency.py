"""Idempotent POSTs of the API: the first answer to a request sent with an `Idempotency-Key`
is stored (firm-scoped, per API key, 24 hours) in the same transaction as the change it made,
so a repeat gets that answer and never makes a second object. Flushes, never commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from portal.extensions import db
from portal.models import IdempotentRequest, utcnow
from portal.services import DomainError

KEEP = timedelta(hours=24)
MAX_KEY = 200


@dataclass(frozen=True)
class Attempt:
    """An Idempotency-Key and the fingerprint of the request that came with it."""

    key: str
    request_hash: str


def fingerprint(method: str, path: str, query: bytes, body: bytes, content_type: str) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, content_type.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def attempt(key: str, request_hash: str) -> Attempt:
    key = key.strip()
    if not key or len(key) > MAX_KEY or any(ord(c) < 33 or ord(c) > 126 for c in key):
        raise DomainError(f"Idempotency-Key: use 1 to {MAX_KEY} visible ASCII characters.")
    return Attempt(key, request_hash)


def earlier(api_key_id: int, at: Attempt) -> IdempotentRequest | None:
    """The stored answer for this key, if one is younger than 24 hours."""
    row = db.session.scalar(
        select(IdempotentRequest).where(IdempotentRequest.api_key_id == api_key_id, IdempotentRequest.key == at.key)
    )
    return None if row is None or utcnow() - row.created_at > KEEP else row


def remember(firm_id: int, api_key_id: int, at: Attempt, status: int, body: str) -> None:
    """Store the answer (an expired one for the same key makes room, in the same transaction)."""
    db.session.execute(
        delete(IdempotentRequest)
        .where(
            IdempotentRequest.api_key_id == api_key_id,
            IdempotentRequest.key == at.key,
            IdempotentRequest.created_at < utcnow() - KEEP,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.add(
        IdempotentRequest(
            firm_id=firm_id, api_key_id=api_key_id, key=at.key, request_hash=at.request_hash, status=status, body=body
        )
    )
    db.session.flush()


def prune() -> int:
    """Drop the answers older than 24 hours (of the bound firm). Returns how many."""
    result = db.session.execute(
        delete(IdempotentRequest)
        .where(IdempotentRequest.created_at < utcnow() - KEEP)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
