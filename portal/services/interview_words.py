"""How an interview's time reads for a candidate: in their own time zone (their profile's, else
the firm's), in plain words ("Tuesday 12 May at 10:00"). Pure formatting: no query, no write."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.models import Candidate, Firm


def candidate_zone(candidate: Candidate | None, firm: Firm) -> ZoneInfo:
    """The candidate's time zone (their profile's), else the firm's."""
    name = getattr(candidate, "timezone", None) if candidate is not None else None
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return firm.zone


def zone_of(name: str | None, firm: Firm) -> ZoneInfo:
    """A zone by name (a candidate's setting read as a column), else the firm's."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return firm.zone


def day_text(value: date) -> str:
    """ "Tuesday 12 May"."""
    return f"{value:%A} {value.day} {value:%B}"


def when_text(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Tuesday 12 May at 10:00" in `zone`."""
    local = starts_at.astimezone(zone)
    return f"{day_text(local.date())} at {local:%H:%M}"


def interview_sentence(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Your interview on Tuesday 12 May at 10:00"."""
    return f"Your interview on {when_text(starts_at, zone)}"
