"""Office hours (issue 17, part 2; DOMAIN: "a recruiter's recurring open slots any candidate may
book"): a recruiter publishes, edits and deactivates weekly open time; any candidate of the firm
books one slot, and may cancel it.

A booking is an Interview (kind OFFICE_HOURS, no candidacy, scheduled). Two candidates racing for
one slot are settled by the database (the partial unique index uq_interviews_office_hours_slot):
the loser's insert fails and gets SlotTaken with the next free times. The candidate is emailed a
confirmation carrying the calendar invitation (Message.calendar), the recruiter is told; both
through the outbox. Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.markdown import render_markdown
from portal.models import Audience, Candidate, Firm, Message, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewState, OfficeHours
from portal.outbox import links
from portal.services import DomainError, NotFound, interview_words
from portal.services import office_hours_slots as slots
from portal.services.calendar import CalendarEvent, invitation
from portal.services.text import has_html

SLOT_LENGTHS = (15, 20, 30, 45, 60, 90)
MAX_UPCOMING = 3  # bookings one candidate may hold at once
LOCATION_LIMIT = 500
NOTE_LIMIT = 300


class InvalidOfficeHours(DomainError):
    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


class SlotTaken(DomainError):
    """Someone booked this slot first."""

    def __init__(self, hours_id: int, next_free: list[datetime]):
        super().__init__(_("Someone just booked that time; here are the next free ones."))
        self.hours_id = hours_id
        self.next_free = next_free


@dataclass
class Values:
    weekday: int
    start_minute: int
    end_minute: int
    slot_minutes: int
    timezone: str
    format: InterviewFormat
    location: str | None
    note: str | None


def _text(field: str, value: str | None, limit: int, too_long: str) -> str | None:
    text = " ".join((value or "").replace("\x00", "").split())
    if len(text) > limit:
        raise InvalidOfficeHours(field, too_long)
    return text or None


def clean(weekday, start_minute, end_minute, slot_minutes, timezone, format, location, note) -> Values:
    """Validated values of an office-hours entry (InvalidOfficeHours names the field at fault)."""
    try:
        weekday, start_minute, end_minute, slot_minutes = (
            int(weekday),
            int(start_minute),
            int(end_minute),
            int(slot_minutes),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidOfficeHours(None, _("Choose the day, the times and the slot length from the lists.")) from exc
    if not 0 <= weekday <= 6:
        raise InvalidOfficeHours("weekday", _("Choose a day of the week."))
    if not (0 <= start_minute < 24 * 60 and 0 < end_minute <= 24 * 60):
        raise InvalidOfficeHours("start_minute", _("Choose times from the lists."))
    if end_minute <= start_minute:
        raise InvalidOfficeHours("end_minute", _("The end must come after the start."))
    if slot_minutes not in SLOT_LENGTHS:
        raise InvalidOfficeHours("slot_minutes", _("Choose a slot length from the list."))
    if end_minute - start_minute < slot_minutes:
        raise InvalidOfficeHours("end_minute", _("The time from start to end must hold at least one slot."))
    if timezone not in available_timezones() or timezone in ("localtime", "Factory"):
        raise InvalidOfficeHours("timezone", _("Choose a time zone from the list."))
    try:
        fmt = InterviewFormat(format)
    except ValueError as exc:
        raise InvalidOfficeHours("format", _("Choose phone, video or in person.")) from exc
    where = _text(
        "location",
        location,
        LOCATION_LIMIT,
        ngettext(
            "The link or address can be at most %(num)d character.",
            "The link or address can be at most %(num)d characters.",
            LOCATION_LIMIT,
        ),
    )
    words = _text(
        "note",
        note,
        NOTE_LIMIT,
        ngettext(
            "The note can be at most %(num)d character.", "The note can be at most %(num)d characters.", NOTE_LIMIT
        ),
    )
    for field, value in (("location", where), ("note", words)):
        if value and has_html(value):
            raise InvalidOfficeHours(field, _("Write plain text here, without HTML tags."))
    return Values(weekday, start_minute, end_minute, slot_minutes, timezone, fmt, where, words)


def mine(firm: Firm, actor: User) -> list[OfficeHours]:
    return list(
        db.session.scalars(
            select(OfficeHours)
            .where(OfficeHours.recruiter_id == actor.id)
            .order_by(OfficeHours.active.desc(), OfficeHours.weekday, OfficeHours.start_minute, OfficeHours.id)
        )
    )


def own(actor: User, hours_id: int) -> OfficeHours:
    """The actor's own office-hours entry (NotFound for anyone else's)."""
    hours = db.session.get(OfficeHours, hours_id)
    if hours is None or hours.recruiter_id != actor.id:
        raise NotFound(_("No such office hours."))
    return hours


def add(firm: Firm, actor: User, values: Values) -> OfficeHours:
    hours = OfficeHours(firm_id=firm.id, recruiter_id=actor.id, active=True, **values.__dict__)
    db.session.add(hours)
    db.session.flush()
    return hours


def update(firm: Firm, actor: User, hours_id: int, values: Values) -> OfficeHours:
    """Change an entry; bookings already made keep their time (the candidate was told it)."""
    hours = own(actor, hours_id)
    for name, value in values.__dict__.items():
        setattr(hours, name, value)
    db.session.flush()
    return hours


def set_active(firm: Firm, actor: User, hours_id: int, active: bool) -> OfficeHours:
    """Stop (or resume) offering these office hours; bookings already made stand."""
    hours = own(actor, hours_id)
    hours.active = active
    db.session.flush()
    return hours


def upcoming_for_candidate(candidate: Candidate, now: datetime) -> list[Interview]:
    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.candidate_id == candidate.id,
                Interview.kind == InterviewKind.OFFICE_HOURS,
                Interview.state == InterviewState.SCHEDULED,
                Interview.starts_at >= now,
            )
            .order_by(Interview.starts_at, Interview.id)
        )
    )


def upcoming_for_recruiter(actor: User, now: datetime, limit: int = 200) -> list[Interview]:
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(Interview)
            .where(
                Interview.recruiter_id == actor.id,
                Interview.kind == InterviewKind.OFFICE_HOURS,
                Interview.state == InterviewState.SCHEDULED,
                Interview.starts_at >= now,
            )
            .options(selectinload(Interview.candidate))
            .order_by(Interview.starts_at, Interview.id)
            .limit(limit)
        )
    )


def _event(firm: Firm, interview: Interview, recruiter: User) -> CalendarEvent:
    assert interview.starts_at is not None and interview.ends_at is not None
    link = links.office_hours(firm)
    return CalendarEvent(
        uid=interview.uid,
        sequence=interview.sequence,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        summary=interview_words.title(interview, set(), recruiter.name),
        description=f"{interview_words.join_text(interview, set())}\nWith: {recruiter.name}\nDetails: {link}",
        location=interview.location,
        url=link,
        organizer_name=firm.from_name,
        organizer_email=firm.sender_email or firm.reply_to or recruiter.email,
        attendee_name=interview.candidate.name,
        attendee_email=interview.candidate.email,
        cancelled=interview.state == InterviewState.CANCELLED,
    )


def _tell(firm: Firm, interview: Interview, recruiter: User, what: str) -> None:
    """The candidate's email (with the invitation, or its cancellation) and the recruiter's."""
    candidate = interview.candidate
    assert interview.starts_at is not None
    context = {  # words as data (portal.phrases): in each reader's language when the email is rendered
        "title": interview_words.title_words(interview, set(), recruiter.name),
        "recruiter": recruiter.name,
        "join": interview_words.join_words(interview, set()),
        "duration": interview.duration_minutes,
    }
    zone = interview_words.zone_name(candidate, firm)
    msg = outbox.record(
        firm,
        kind=f"office_hours_{what}",
        dedupe_key=f"office-hours-{what}:{interview.id}:{interview.sequence}",
        audience=Audience.CANDIDATE,
        to_email=candidate.email,
        to_name=candidate.name,
        candidate=candidate,
        recipient_user_id=candidate.user_id,
        context={
            **context,
            "when": interview_words.Moment(interview.starts_at, zone),
            "link": links.office_hours(firm),
        },
    )
    _attach(msg, interview, invitation(_event(firm, interview, recruiter)))
    staff = outbox.record(
        firm,
        kind=f"office_hours_{what}_recruiter",
        dedupe_key=f"office-hours-{what}-recruiter:{interview.id}:{interview.sequence}",
        audience=Audience.RECRUITER,
        to_email=recruiter.email,
        to_name=recruiter.name,
        recipient_user_id=recruiter.id,
        context={
            **context,
            "candidate_name": candidate.name,
            "when": interview_words.Moment(interview.starts_at, interview.timezone),
            "link": links.recruiter_office_hours(firm),
        },
    )
    staff.interview_id = interview.id


def _attach(msg: Message, interview: Interview, calendar: str) -> None:
    msg.interview_id = interview.id
    msg.calendar = calendar


def book(firm: Firm, candidate: Candidate, value: str | None, now: datetime) -> Interview:
    """Book one free slot (the form's value, see office_hours_slots.slot_value) for this candidate."""
    parsed = slots.parse_value(value)
    if parsed is None:
        raise InvalidOfficeHours("slot", _("Choose one of the free times."))
    hours_id, starts_at = parsed
    hours = db.session.get(OfficeHours, hours_id)
    recruiter = db.session.get(User, hours.recruiter_id) if hours is not None else None
    if hours is None or recruiter is None or not recruiter.active or not slots.bookable(hours, starts_at, now):
        raise InvalidOfficeHours("slot", _("That time is no longer offered. Choose one of the free times."))
    held = db.session.scalar(
        select(func.count(Interview.id)).where(
            Interview.candidate_id == candidate.id,
            Interview.kind == InterviewKind.OFFICE_HOURS,
            Interview.state == InterviewState.SCHEDULED,
            Interview.starts_at >= now,
        )
    )
    if (held or 0) >= MAX_UPCOMING:
        raise InvalidOfficeHours(
            "slot",
            ngettext(
                "You already have %(num)d booking coming up. Cancel one to book another time.",
                "You already have %(num)d bookings coming up. Cancel one to book another time.",
                MAX_UPCOMING,
            ),
        )
    interview = Interview(
        firm_id=firm.id,
        candidacy_id=None,
        candidate_id=candidate.id,
        recruiter_id=recruiter.id,
        office_hours_id=hours.id,
        kind=InterviewKind.OFFICE_HOURS,
        format=hours.format,
        location=hours.location,
        duration_minutes=hours.slot_minutes,
        timezone=hours.timezone,
        starts_at=starts_at,
        state=InterviewState.SCHEDULED,
        candidate_notes_md=hours.note or "",
        candidate_notes_html=render_markdown(hours.note) if hours.note else "",
    )
    interview.candidate = candidate
    try:
        with db.session.begin_nested():  # the race is settled by the unique index, here
            db.session.add(interview)
            db.session.flush()
    except IntegrityError as exc:
        raise SlotTaken(hours.id, slots.next_free(hours, starts_at, now)) from exc
    _tell(firm, interview, recruiter, "booked")
    return interview


def cancel(firm: Firm, candidate: Candidate, interview_id: int, now: datetime) -> Interview:
    """The candidate cancels their booking: the slot is free again, their calendar drops it."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.candidate_id != candidate.id or interview.kind != InterviewKind.OFFICE_HOURS:
        raise NotFound(_("No such booking."))
    if interview.state != InterviewState.SCHEDULED:
        raise DomainError(_("This booking is already cancelled."))
    if interview.starts_at is None or interview.starts_at <= now:
        raise DomainError(_("This time has passed; there is nothing to cancel."))
    interview.state = InterviewState.CANCELLED
    interview.cancelled_at = now
    interview.sequence += 1
    db.session.flush()
    recruiter = db.session.get(User, interview.recruiter_id) if interview.recruiter_id else None
    if recruiter is not None:
        _tell(firm, interview, recruiter, "cancelled")
    return interview
