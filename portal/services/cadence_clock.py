"""The cadence's calendar: a firm's check-in slots (weekly, or daily when its cadence is shorter
than a week) and the periods its planned messages are keyed by, in the firm's own time zone.
Pure date arithmetic on the firm's settings: it never queries or writes anything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from portal.models import Firm

TICK_MARGIN = timedelta(minutes=10)  # the planner ticks every PLAN_TICK_MINUTES (60); a late tick


def _at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def _hour(firm: Firm) -> int:
    return min(max(int(firm.checkin_hour or 0), 0), 23)


def weekly_slots(firm: Firm, now: datetime) -> tuple[datetime, datetime]:
    """The firm's latest weekly slot at or before `now`, and the next one (UTC)."""
    tz = firm.zone
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - int(firm.checkin_weekday or 0) % 7) % 7)
    last = _at(day, _hour(firm), tz)
    if last > now:
        day -= timedelta(days=7)
        last = _at(day, _hour(firm), tz)
    return last, _at(day + timedelta(days=7), _hour(firm), tz)


def daily_slots(firm: Firm, now: datetime) -> tuple[datetime, datetime]:
    tz = firm.zone
    day = now.astimezone(tz).date()
    last = _at(day, _hour(firm), tz)
    if last > now:
        day -= timedelta(days=1)
        last = _at(day, _hour(firm), tz)
    return last, _at(day + timedelta(days=1), _hour(firm), tz)


def checkin_slots(firm: Firm, now: datetime) -> tuple[datetime, datetime]:
    """Weekly slots; daily ones when the cadence is shorter than a week."""
    return daily_slots(firm, now) if cadence_days(firm) < 7 else weekly_slots(firm, now)


def tick_horizon() -> timedelta:
    """How far ahead each planning tick looks: until the next tick, with a margin."""
    return timedelta(minutes=int(current_app.config.get("PLAN_TICK_MINUTES", 60))) + TICK_MARGIN


def cadence_days(firm: Firm) -> int:
    return max(int(firm.cadence_days or 7), 1)


def local_day(firm: Firm, now: datetime) -> str:
    return now.astimezone(firm.zone).date().isoformat()


def checkin_period(firm: Firm, now: datetime) -> str:
    """The firm's check-in period that a check-in planned at `now` belongs to: the week
    from its weekly slot (the day from its daily slot), named by the slot's local date.
    Taken at the end of the tick (`now` + tick_horizon) because the tick just before a slot
    already plans for it: the run an hour before the slot and the slot run share a key."""
    slot, _next = checkin_slots(firm, now + tick_horizon())
    day = slot.astimezone(firm.zone).date().isoformat()
    return f"day:{day}" if cadence_days(firm) < 7 else f"week:{day}"


def weekly_period(firm: Firm, now: datetime) -> str:
    """The firm's week (from its weekly slot), for what is planned once a week."""
    slot, _next = weekly_slots(firm, now)
    return "week:" + slot.astimezone(firm.zone).date().isoformat()
