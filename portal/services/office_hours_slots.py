"""Office-hours times (issue 17, part 2): a recruiter's weekly open time cut into slots, and which
of them are still free to book.

Occurrences are computed in the recruiter's zone (every `weekday` from start to end, wall-clock
time) and only then converted to UTC instants, so "Tuesdays 10:00 in Berlin" stays 10:00 in
Berlin across a daylight-saving change; a wall time that does not exist that day (the hour the
clocks skip) is no slot. Pages show them in the candidate's own zone. Reads only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal import i18n
from portal.extensions import db
from portal.models import User
from portal.models.interview import Interview, InterviewKind, InterviewState, OfficeHours

NOTICE = timedelta(hours=2)  # the earliest bookable slot starts this long from now
WEEKS = 3  # how far ahead candidates can book
_VALUE_FORMAT = "%Y%m%dT%H%MZ"


def occurrences(hours: OfficeHours, start: datetime, end: datetime) -> list[datetime]:
    """The slot starts (UTC) of these office hours from `start` (inclusive) to `end` (exclusive)."""
    zone = ZoneInfo(hours.timezone)
    out: list[datetime] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        if day.weekday() == hours.weekday:
            minute = hours.start_minute
            while minute + hours.slot_minutes <= hours.end_minute:
                local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
                instant = local.astimezone(UTC)
                exists = instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)
                if exists and start <= instant < end:
                    out.append(instant)
                minute += hours.slot_minutes
        day += timedelta(days=1)
    return out


def slot_value(hours_id: int, starts_at: datetime) -> str:
    """What a booking form posts for one slot: "<office hours id>:<UTC start>"."""
    return f"{hours_id}:{starts_at.astimezone(UTC):{_VALUE_FORMAT}}"


def parse_value(value: str | None) -> tuple[int, datetime] | None:
    hours_id, _, when = (value or "").partition(":")
    if not hours_id.isdigit() or len(hours_id) > 12 or len(when) != 14:
        return None
    try:
        return int(hours_id), datetime.strptime(when, _VALUE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def window(now: datetime) -> tuple[datetime, datetime]:
    return now + NOTICE, now + timedelta(weeks=WEEKS)


def bookable(hours: OfficeHours, starts_at: datetime, now: datetime) -> bool:
    """Is this an occurrence of these office hours inside the booking window?"""
    first, last = window(now)
    return (
        hours.active
        and first <= starts_at < last
        and starts_at in occurrences(hours, starts_at, starts_at + timedelta(minutes=1))
    )


@dataclass
class Day:
    label: str
    slots: list[tuple[str, str]] = field(default_factory=list)  # (form value, "9:30 AM" in the reader's locale)


@dataclass
class Offer:
    """One recruiter's office hours entry with its free slots, grouped by the reader's days."""

    hours: OfficeHours
    recruiter_name: str
    days: list[Day] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(d.slots) for d in self.days)


def _booked(hour_ids: Iterable[int], first: datetime, last: datetime) -> set[tuple[int, datetime]]:
    ids = sorted(set(hour_ids))
    if not ids:
        return set()
    rows = db.session.execute(
        select(Interview.office_hours_id, Interview.starts_at).where(
            Interview.office_hours_id.in_(ids),
            Interview.kind == InterviewKind.OFFICE_HOURS,
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at >= first,
            Interview.starts_at < last,
        )
    )
    return {(hid, when) for hid, when in rows if hid is not None and when is not None}


def offers(zone: str, now: datetime) -> list[Offer]:
    """Every active recruiter's active office hours with their free slots in the booking window,
    days and times in `zone` (the candidate's), in the page's language. Three statements whatever
    the numbers."""
    first, last = window(now)
    rows = db.session.execute(
        select(OfficeHours, User.name)
        .join(User, User.id == OfficeHours.recruiter_id)
        .where(OfficeHours.active.is_(True), User.active.is_(True))
        .order_by(User.name, User.id, OfficeHours.weekday, OfficeHours.start_minute, OfficeHours.id)
    ).all()
    booked = _booked((h.id for h, _name in rows), first, last)
    tz = ZoneInfo(zone)
    out = []
    for hours, name in rows:
        offer = Offer(hours, name)
        for when in occurrences(hours, first, last):
            if (hours.id, when) in booked:
                continue
            label = i18n.day(when.astimezone(tz).date(), "weekday_long")
            if not offer.days or offer.days[-1].label != label:
                offer.days.append(Day(label))
            offer.days[-1].slots.append((slot_value(hours.id, when), i18n.when(when, format="time", zone=zone)))
        out.append(offer)
    return out


def next_free(hours: OfficeHours, after: datetime, now: datetime, limit: int = 3) -> list[datetime]:
    """The next free slots of these office hours after `after` (for "here are the next free ones")."""
    first, last = window(now)
    booked = _booked([hours.id], first, last)
    return [w for w in occurrences(hours, max(first, after), last) if (hours.id, w) not in booked][:limit]
