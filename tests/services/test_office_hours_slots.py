"""Office-hours occurrences: computed in the recruiter's zone, so the wall time holds across a
daylight-saving change; a skipped hour yields no slot; the form value round-trips."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.models.interview import OfficeHours
from portal.services import office_hours_slots as slots


def _hours(**kw) -> OfficeHours:
    values = {"id": 7, "weekday": 6, "start_minute": 9 * 60, "end_minute": 10 * 60, "slot_minutes": 30}
    values.update(kw)
    values.setdefault("timezone", "Europe/Berlin")
    values.setdefault("active", True)
    return OfficeHours(**values)


def test_wall_time_holds_across_the_autumn_change():
    hours = _hours()  # Sundays 09:00-10:00 in Berlin
    got = slots.occurrences(hours, datetime(2026, 10, 17, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    assert got == [
        datetime(2026, 10, 18, 7, 0, tzinfo=UTC),  # CEST (UTC+2)
        datetime(2026, 10, 18, 7, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 8, 0, tzinfo=UTC),  # the change day itself: CET (UTC+1)
        datetime(2026, 10, 25, 8, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    ]


def test_the_skipped_spring_hour_is_no_slot():
    hours = _hours(start_minute=90, end_minute=4 * 60, slot_minutes=30)  # Sundays 01:30-04:00
    got = slots.occurrences(hours, datetime(2026, 3, 29, tzinfo=UTC) - slots.NOTICE, datetime(2026, 3, 30, tzinfo=UTC))
    local = [g.astimezone(slots.ZoneInfo("Europe/Berlin")).strftime("%H:%M") for g in got]
    assert local == ["01:30", "03:00", "03:30"]  # 02:00 and 02:30 do not exist that night


def test_slot_value_round_trips_and_rejects_garbage():
    when = datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert slots.parse_value(slots.slot_value(7, when)) == (7, when)
    for bad in (
        None,
        "",
        "x:y",
        "7:20261325T0800Z",
        "7",
        ":20261025T0800Z",
        "<script>:1",
        "9" * 20 + ":20261025T0800Z",
    ):
        assert slots.parse_value(bad) is None, bad


def test_bookable_only_inside_the_window_and_on_an_occurrence():
    hours = _hours()
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    assert slots.bookable(hours, datetime(2026, 10, 25, 8, 0, tzinfo=UTC), now)
    assert not slots.bookable(hours, datetime(2026, 10, 25, 8, 15, tzinfo=UTC), now)  # not a slot start
    assert not slots.bookable(hours, datetime(2026, 10, 18, 7, 0, tzinfo=UTC), now)  # past
    assert not slots.bookable(hours, datetime(2026, 11, 15, 8, 0, tzinfo=UTC), now)  # beyond 3 weeks
    hours.active = False
    assert not slots.bookable(hours, datetime(2026, 10, 25, 8, 0, tzinfo=UTC), now)
