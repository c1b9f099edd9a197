"""Shared column types (UTC timestamps, enums by value) and the FirmOwned mixin that the tenant
filter keys on. Imports no model and no service."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Enum, ForeignKey, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from portal.extensions import Base, db

if TYPE_CHECKING:
    # db.Model is the class Flask-SQLAlchemy builds from Base at run time (table names, binds,
    # the query property); it is typed as a variable, which mypy cannot subclass, so it sees Base.
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always come back time-zone aware (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.models.base.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_type(enum_cls: type[enum.Enum], length: int = 24) -> Enum:
    """A VARCHAR enum storing the member values (portable, easy to migrate)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class FirmOwned:
    """Every row of a firm-owned model belongs to exactly one firm (the tenant)."""

    @declared_attr
    def firm_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("firms.id", ondelete="CASCADE"), index=True, nullable=False)
