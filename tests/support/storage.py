"""What the file storage holds, for tests: whether a key is there, and every key of a firm."""

from __future__ import annotations

from sqlalchemy import select

from portal import storage
from portal.models import StoredFile
from tests.factories import firm_context


def stored(app, firm, key: str) -> bool:
    with firm_context(app, firm):
        return storage.backend().exists(key)


def firm_keys(app, firm, kind: str = "cv") -> set[str]:
    """The keys of a firm's files of one kind (database backend, the tests' default)."""
    with firm_context(app, firm) as s:
        return set(s.scalars(select(StoredFile.key).where(StoredFile.key.startswith(f"{firm.id}/{kind}/"))))
