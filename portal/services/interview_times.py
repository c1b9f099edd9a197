"""Time zones and wall-clock times for interviews: which zone names exist, a local time typed in
a zone turned into a UTC instant (refusing a time the clocks skip), and the zone a candidate
reads times in. Pure rules: no database, no request; never formats for a page (templates do)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from portal import i18n
from portal.i18n import gettext as _
from portal.services import DomainError


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows (for the selects), sorted; "UTC" first."""
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/")))
    return ("UTC", *names)


def valid_zone(name: str | None) -> bool:
    return bool(name) and name in set(zone_names())


def clean_zone(name: str | None, label: str | None = None) -> str:
    """A zone name from a form, or a refusal in plain words."""
    value = (name or "").strip()
    if not valid_zone(value):
        raise DomainError(_("%(label)s: please choose a time zone from the list.", label=label or _("Time zone")))
    return value


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """ZoneInfo for `name`, else for `fallback`, else UTC (never raises)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def to_utc(local: datetime, zone_name: str, label: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time in `zone_name`. A time that does not exist there
    (the hour the clocks skip in spring) is refused; a time that happens twice (the hour repeated
    in autumn) is the first of the two."""
    tz = zone(zone_name)
    naive = local.replace(tzinfo=None, second=0, microsecond=0)
    aware = naive.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        raise DomainError(
            _(
                "%(label)s: %(when)s does not exist in %(zone)s (the clocks change that night). "
                "Please choose another time.",
                label=label or _("Time"),
                # the wall-clock time as typed, in the reader's locale (not moved to any zone)
                when=i18n.when(naive.replace(tzinfo=UTC), zone="UTC"),
                zone=zone_name,
            )
        )
    return instant


def reader_zone(candidate_zone: str | None, firm_zone: str | None) -> str:
    """The zone a candidate reads times in: their own, else the firm's, else UTC."""
    for name in (candidate_zone, firm_zone):
        if valid_zone(name):
            return str(name)
    return "UTC"


def local(value: datetime | None, zone_name: str | None) -> datetime | None:
    """`value` (UTC) on the wall clock of `zone_name`."""
    return value.astimezone(zone(zone_name)) if value is not None else None
