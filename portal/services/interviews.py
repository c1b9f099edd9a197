"""Interviews in a candidacy: the recruiter schedules one (a fixed time, or 2-10 proposed slots),
moves, edits or cancels it; the candidate picks a slot, says none suits, asks to reschedule or
declines. Each change the candidate's calendar must follow raises `sequence` and emails an
invitation (portal/services/interview_messages.py); each answer of the candidate lands on the
recruiter's needs-attention list (services/dashboard_interviews.py) until they have seen it.

The candidate's side (picking a slot, answering) is services/interview_choices.py.
Plain functions: flush, never commit; internal notes never go into anything a candidate reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Firm, Stage, User, utcnow
from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewSlot, InterviewState
from portal.services import Conflict, DomainError, disclosure, interview_messages, webhook_payloads, webhooks
from portal.services.interview_times import clean_zone, to_utc
from portal.services.text import clean_line, clean_text

MIN_SLOTS, MAX_SLOTS = 2, 10
MAX_ATTENDEES = 10
MAX_ROUND = 20
MIN_MINUTES, MAX_MINUTES = 10, 8 * 60
MAX_NOTES = 10_000
MAX_LOCATION = 500
# The kinds a recruiter schedules in a candidacy (office-hours bookings are made elsewhere).
CANDIDACY_KINDS = (InterviewKind.RECRUITER_SCREEN, InterviewKind.CLIENT, InterviewKind.ASSESSMENT, InterviewKind.OTHER)
OPEN_STATES = (InterviewState.PROPOSED, InterviewState.SCHEDULED, InterviewState.NEEDS_NEW_TIME)
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


@dataclass
class Details:
    """What the recruiter's form says about an interview (validated by `clean_details`)."""

    kind: InterviewKind
    format: InterviewFormat
    timezone: str
    round: int = 1
    duration_minutes: int = 60
    location: str | None = None
    attendees: list[dict] = field(default_factory=list)
    candidate_notes_md: str = ""
    internal_notes: str = ""


def _clean_attendees(rows: list[dict]) -> list[dict]:
    out = []
    for i, row in enumerate(rows or [], 1):
        name = clean_line(row.get("name"), _("Person %(num)d: name", num=i), 120)
        title = clean_line(row.get("title"), _("Person %(num)d: title", num=i), 120)
        if title and not name:
            raise DomainError(_("Person %(num)d: please give a name with the title.", num=i))
        if name:
            out.append({"name": name, "title": title or ""})
    if len(out) > MAX_ATTENDEES:
        raise DomainError(_("Who the candidate meets: up to %(num)d people, please.", num=MAX_ATTENDEES))
    return out


def clean_details(details: Details) -> Details:
    """The details checked and tidied, or a refusal in plain words (nothing is half-stored)."""
    if details.kind not in CANDIDACY_KINDS:
        raise DomainError(_("Kind: please choose one from the list."))
    if not isinstance(details.format, InterviewFormat):
        raise DomainError(_("Format: please choose phone, video or on site."))
    if not (1 <= int(details.round or 0) <= MAX_ROUND):
        raise DomainError(_("Round: a number from 1 to %(num)d.", num=MAX_ROUND))
    if not (MIN_MINUTES <= int(details.duration_minutes or 0) <= MAX_MINUTES):
        raise DomainError(
            _("Duration: from %(least)d minutes to %(most)d hours.", least=MIN_MINUTES, most=MAX_MINUTES // 60)
        )
    location = clean_line(details.location, _("Where"), MAX_LOCATION)
    if details.format == InterviewFormat.VIDEO and not (location and _URL.match(location)):
        raise DomainError(_("Video link: please give the meeting's address (starting with https://)."))
    if details.format == InterviewFormat.ON_SITE and not location:
        raise DomainError(_("Address: please say where the candidate should go."))
    return Details(
        kind=details.kind,
        format=details.format,
        timezone=clean_zone(details.timezone, _("Held in time zone")),
        round=int(details.round),
        duration_minutes=int(details.duration_minutes),
        location=location,
        attendees=_clean_attendees(details.attendees),
        candidate_notes_md=clean_text(details.candidate_notes_md, _("Notes for the candidate"), MAX_NOTES),
        internal_notes=clean_text(details.internal_notes, _("Internal notes"), MAX_NOTES),
    )


def _candidate_words(details: Details) -> str:
    """Everything the candidate reads of the details (checked for a confidential client's name)."""
    people = [f"{a['name']} {a['title']}" for a in details.attendees]
    return "\n".join([details.location or "", *people, details.candidate_notes_md])


def _times(zone_name: str, starts_at: datetime | None, slots: list[datetime] | None) -> tuple[datetime | None, list]:
    """(fixed UTC time, []) or (None, sorted distinct UTC slots): exactly one of the two, in the future."""
    slots = list(slots or [])
    if starts_at is not None and slots:
        raise DomainError(_("Give either a fixed time or proposed times, not both."))
    now = utcnow()
    if starts_at is not None:
        when = to_utc(starts_at, zone_name, _("Time"))
        if when <= now:
            raise DomainError(_("Time: that is in the past. Please choose a time to come."))
        return when, []
    if not slots:
        raise DomainError(_("When: give a fixed time, or propose 2 to 10 times for the candidate to choose from."))
    instants = sorted({to_utc(s, zone_name, _("Proposed time")) for s in slots})
    if len(instants) < MIN_SLOTS:
        raise DomainError(
            _("Proposed times: give at least %(num)d different times (or one fixed time).", num=MIN_SLOTS)
        )
    if len(instants) > MAX_SLOTS:
        raise DomainError(_("Proposed times: up to %(num)d, please.", num=MAX_SLOTS))
    if instants[0] <= now:
        raise DomainError(_("Proposed times: one of them is in the past. Please choose times to come."))
    return None, instants


def _apply(interview: Interview, details: Details) -> None:
    from portal.markdown import render_markdown

    interview.kind = details.kind
    interview.round = details.round
    interview.format = details.format
    interview.location = details.location
    interview.duration_minutes = details.duration_minutes
    interview.timezone = details.timezone
    interview.attendees = details.attendees
    interview.candidate_notes_md = details.candidate_notes_md
    interview.candidate_notes_html = render_markdown(details.candidate_notes_md)
    interview.internal_notes = details.internal_notes


def _set_times(interview: Interview, starts_at: datetime | None, slots: list[datetime]) -> None:
    db.session.execute(delete(InterviewSlot).where(InterviewSlot.interview_id == interview.id))
    db.session.expire(interview, ["slots"])
    interview.starts_at = starts_at
    interview.state = InterviewState.SCHEDULED if starts_at else InterviewState.PROPOSED
    for when in slots:
        db.session.add(InterviewSlot(firm_id=interview.firm_id, interview_id=interview.id, starts_at=when))


def schedule(
    firm: Firm,
    actor: User,
    candidacy: Candidacy,
    details: Details,
    *,
    starts_at: datetime | None = None,
    slots: list[datetime] | None = None,
) -> Interview:
    """A new interview in a candidacy: at a fixed time (wall clock of `details.timezone`), or
    proposed `slots` for the candidate to pick from. Emails the candidate (with the invitation)."""
    if not candidacy.stage.is_open:
        raise DomainError(_("This candidacy is closed: reopen it before scheduling an interview."))
    if candidacy.stage == Stage.IDENTIFIED:
        raise DomainError(_("The candidate does not know about this search yet: move them to “Contacted” first."))
    details = clean_details(details)
    disclosure.ensure_not_named(candidacy.search, _candidate_words(details), [candidacy.id], _("The interview details"))
    when, proposed = _times(details.timezone, starts_at, slots)
    interview = Interview(
        firm_id=firm.id,
        candidacy_id=candidacy.id,
        candidate_id=candidacy.candidate_id,
        recruiter_id=actor.id,
        created_by_id=actor.id,
        kind=details.kind,
        format=details.format,
        sequence=0,
    )
    _apply(interview, details)
    db.session.add(interview)
    db.session.flush()
    _set_times(interview, when, proposed)
    db.session.flush()
    interview_messages.tell_candidate(firm, interview, "scheduled" if when else "proposed")
    emit(firm, interview, "scheduled" if when else "proposed")
    return interview


def emit(firm: Firm, interview: Interview, change: str) -> None:
    """The webhook event of a change (interview.scheduled for a new one, else interview.changed);
    its internal notes go only to endpoints with the notes scope."""
    event = (
        "interview.scheduled"
        if change in ("scheduled", "proposed") and interview.sequence == 0
        else "interview.changed"
    )
    webhooks.emit(
        firm.id,
        event,
        lambda: webhook_payloads.interview(interview, change),
        key=f"{interview.id}:{interview.sequence}:{change}:{interview.state.value}",
        notes=[interview.internal_notes] if interview.internal_notes else None,
    )


def _open(interview: Interview) -> None:
    if interview.state not in OPEN_STATES:
        raise DomainError(
            _("This interview was declined: it cannot be changed.")
            if interview.state == InterviewState.DECLINED
            else _("This interview is cancelled: it cannot be changed.")
        )


def reschedule(
    firm: Firm,
    actor: User,
    interview: Interview,
    *,
    starts_at: datetime | None = None,
    slots: list[datetime] | None = None,
    expected_sequence: int | None = None,
) -> Interview:
    """Move the interview to a new fixed time or new proposed slots (the candidate's answer, if
    any, counts as handled). The same calendar event, a higher SEQUENCE."""
    _open(interview)
    _check_sequence(interview, expected_sequence)
    held = (InterviewState.SCHEDULED, InterviewState.NEEDS_NEW_TIME)
    previous = interview.starts_at if interview.state in held else None  # in the candidate's calendar
    when, proposed = _times(interview.timezone, starts_at, slots)
    _set_times(interview, when, proposed)
    interview.sequence += 1
    _handled(interview)
    db.session.flush()
    interview_messages.tell_candidate(firm, interview, "moved" if when else "proposed", previous=previous)
    emit(firm, interview, "moved" if when else "proposed")
    return interview


def edit(
    firm: Firm, actor: User, interview: Interview, details: Details, expected_sequence: int | None = None
) -> Interview:
    """Change the details (not the time). A set interview's invitation is sent again, updated."""
    _open(interview)
    _check_sequence(interview, expected_sequence)
    details = clean_details(details)
    if interview.candidacy is not None:
        disclosure.ensure_not_named(
            interview.candidacy.search, _candidate_words(details), [interview.candidacy_id], _("The interview details")
        )
    before = _visible(interview)
    _apply(interview, details)
    if _visible(interview) != before:
        interview.sequence += 1
        db.session.flush()
        if interview.state == InterviewState.SCHEDULED:
            interview_messages.tell_candidate(firm, interview, "updated")
        emit(firm, interview, "updated")
    db.session.flush()
    return interview


def _visible(interview: Interview) -> tuple:
    return (
        interview.kind,
        interview.round,
        interview.format,
        interview.location,
        interview.duration_minutes,
        interview.timezone,
        tuple((a.get("name"), a.get("title")) for a in interview.attendees or []),
        interview.candidate_notes_md,
    )


def cancel(firm: Firm, actor: User, interview: Interview, expected_sequence: int | None = None) -> Interview:
    """Cancel it: the candidate is emailed a METHOD:CANCEL for the same event."""
    if interview.state == InterviewState.CANCELLED:
        return interview
    if interview.state == InterviewState.DECLINED:
        raise DomainError(_("The candidate declined this interview already; there is nothing to cancel."))
    _check_sequence(interview, expected_sequence)
    interview.state = InterviewState.CANCELLED
    interview.cancelled_at = utcnow()
    interview.sequence += 1
    _handled(interview)
    db.session.flush()
    interview_messages.tell_candidate(firm, interview, "cancelled")
    emit(firm, interview, "cancelled")
    return interview


def mark_answer_seen(firm: Firm, actor: User, interview: Interview) -> Interview:
    """The recruiter has seen the candidate's answer: it leaves needs-attention."""
    _handled(interview)
    db.session.flush()
    return interview


def _handled(interview: Interview) -> None:
    if interview.candidate_answered_at is not None and interview.answer_seen_at is None:
        interview.answer_seen_at = utcnow()


def _check_sequence(interview: Interview, expected: int | None) -> None:
    if expected is not None and interview.sequence != expected:
        raise Conflict(_("the interview was changed meanwhile (by you in another window, or by the candidate)."))
