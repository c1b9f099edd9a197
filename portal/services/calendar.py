"""iCalendar documents (RFC 5545/5546) for interviews: the invitation an email carries
(METHOD:REQUEST, or METHOD:CANCEL), the .ics a candidate downloads, and a person's feed.

Pure text building with the `icalendar` library: callers decide what the candidate may read
(a confidential client's name never goes in here before consent). Times are written in UTC, which
every calendar converts to its reader's zone, so a daylight-saving change cannot shift them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from portal.models.base import utcnow

PRODID = "-//Portal//Interviews//EN"
Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


@dataclass(frozen=True)
class CalendarEvent:
    """One interview as a calendar sees it. `uid` is stable for the interview's whole life and
    `sequence` grows with every change, so a calendar updates the event instead of adding one."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str | None = None
    url: str | None = None
    organizer_name: str | None = None
    organizer_email: str | None = None
    attendee_name: str | None = None
    attendee_email: str | None = None
    cancelled: bool = False


def _address(email: str, name: str | None, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def _vevent(event: CalendarEvent, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(UTC))
    vevent.add("dtend", event.ends_at.astimezone(UTC))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.organizer_email:
        vevent.add("organizer", _address(event.organizer_email, event.organizer_name), encode=False)
    if event.attendee_email:
        attendee = _address(
            event.attendee_email,
            event.attendee_name,
            role="REQ-PARTICIPANT",
            partstat="DECLINED" if event.cancelled else "ACCEPTED",
            rsvp="FALSE",
        )
        vevent.add("attendee", attendee, encode=False)
    return vevent


def _calendar(method: Method | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invitation(event: CalendarEvent, *, stamp: datetime | None = None) -> str:
    """The iCalendar an email or a download carries: REQUEST while the interview stands, CANCEL
    once it is cancelled (same UID, a higher SEQUENCE), as RFC 5546 asks."""
    calendar = _calendar("CANCEL" if event.cancelled else "REQUEST")
    calendar.add_component(_vevent(event, stamp or utcnow()))
    return calendar.to_ical().decode()


def feed(events: Iterable[CalendarEvent], name: str, *, stamp: datetime | None = None) -> str:
    """A subscribable feed (webcal): every event, cancelled ones marked so, no METHOD."""
    calendar = _calendar(None, name)
    when = stamp or utcnow()
    for event in events:
        calendar.add_component(_vevent(event, when))
    return calendar.to_ical().decode()
