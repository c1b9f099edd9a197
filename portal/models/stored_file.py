"""A file kept by the database storage backend (portal/storage.py). Tables only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class StoredFile(FirmOwned, Model):
    """A file kept by the database backend. Keys start with the firm's id (`<firm>/cv/...`) and
    are reached only through a key a firm-owned row holds; the tenant filter applies as well."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
