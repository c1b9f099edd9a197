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


def set_stored_logo(firm, data: bytes, version: int = 1) -> str:
    """Give a firm (in an open firm context) a logo as stored files are kept, without the upload."""
    key = storage.file_key(firm.id, "logo", f"test-{version}.png")
    storage.save(key, data, "image/png")
    firm.logo_key, firm.logo_mime, firm.logo_version = key, "image/png", version
    return key
