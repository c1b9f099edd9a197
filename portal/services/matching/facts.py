"""Matching, the facts: `_Facts`, the plain snapshot of what scoring reads from a person (a
Candidate) or a role (a Search), taken once and read hundreds of times. A value only: never
query the database or score here."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.models import JobSeeking, RemotePreference, Seniority


class _Facts:
    """A plain snapshot of the attributes scoring reads (cheaper than ORM attributes when the
    same candidate or search is scored against hundreds of rows). An attribute the source
    lacks (a Search has no pay_expectation, a Candidate no pay_min) is None."""

    __slots__ = (
        "seniority",
        "location",
        "desired_locations",
        "remote_preference",
        "pay_expectation",
        "pay_currency",
        "job_seeking",
        "available_from",
        "notice_weeks",
        "remote_policy",
        "pay_min",
        "pay_max",
    )
    seniority: Seniority | None
    location: str | None
    desired_locations: str | None
    remote_preference: RemotePreference | None
    pay_expectation: int | None
    pay_currency: str | None
    job_seeking: JobSeeking | None
    available_from: date | None
    notice_weeks: int | None
    remote_policy: RemotePreference | None
    pay_min: int | None
    pay_max: int | None

    def __init__(self, obj: object = None, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values[name] if name in values else getattr(obj, name, None))

    def but(self, **values: Any) -> _Facts:
        return _Facts(self, **values)
