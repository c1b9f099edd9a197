"""What an interview says to the people in it: the candidate's invitation emails (set, moved,
details changed, times to choose from, cancelled) with the iCalendar they carry (RFC 5546:
REQUEST or CANCEL, one UID for the interview's life, SEQUENCE = the interview's), the .ics a
candidate downloads, and the email that tells the recruiter the candidate answered.

Everything the candidate reads names the client only if they may know it (the disclosure rule:
told when they were asked for consent), and never carries the internal notes. Records through
the outbox, flushes, never commits or sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from portal import outbox
from portal.extensions import db
from portal.models import Audience, Firm, Message, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewState
from portal.outbox import links
from portal.services import calendar, disclosure
from portal.services.interview_times import local, reader_zone

KIND_WORDS = {
    InterviewKind.RECRUITER_SCREEN: "Conversation with your recruiter",
    InterviewKind.CLIENT: "Interview",
    InterviewKind.ASSESSMENT: "Assessment",
    InterviewKind.OTHER: "Meeting",
    InterviewKind.OFFICE_HOURS: "Office hours",
}
# How the recruiter's pages name each kind.
KIND_LABELS = {
    InterviewKind.RECRUITER_SCREEN: "Recruiter screen",
    InterviewKind.CLIENT: "Client interview",
    InterviewKind.ASSESSMENT: "Assessment",
    InterviewKind.OTHER: "Other",
    InterviewKind.OFFICE_HOURS: "Office hours",
}
FORMAT_WORDS = {
    InterviewFormat.PHONE: "Phone call",
    InterviewFormat.VIDEO: "Video call",
    InterviewFormat.ON_SITE: "In person",
}
STATE_WORDS = {
    InterviewState.PROPOSED: "Waiting for the candidate to choose a time",
    InterviewState.SCHEDULED: "Set",
    InterviewState.NEEDS_NEW_TIME: "Needs a new time",
    InterviewState.DECLINED: "Declined by the candidate",
    InterviewState.CANCELLED: "Cancelled",
}
CANDIDATE_STATE_WORDS = {
    InterviewState.PROPOSED: "Please choose a time",
    InterviewState.SCHEDULED: "Confirmed",
    InterviewState.NEEDS_NEW_TIME: "We are finding a new time",
    InterviewState.DECLINED: "You declined",
    InterviewState.CANCELLED: "Cancelled",
}
WHEN_FORMAT = "%A %d %B %Y, %H:%M"


def when_text(value: datetime | None, zone_name: str, minutes: int | None = None) -> str:
    """ "Monday 26 October 2026, 09:00–10:00 (Europe/Berlin)" on the reader's wall clock."""
    at = local(value, zone_name)
    if at is None:
        return ""
    text = at.strftime(WHEN_FORMAT)
    if minutes:
        text += "–" + (at + timedelta(minutes=minutes)).strftime("%H:%M")
    return f"{text} ({zone_name})"


@dataclass
class Facts:
    """What the candidate may read about an interview, in their words and their zone."""

    title: str
    company: str | None  # None: a confidential client they were not told
    what: str
    how: str
    where: str | None
    zone: str
    when: str
    people: list[dict]
    link: str


def told(interview: Interview) -> bool:
    """Whether the candidate may read the client's name (not confidential, or told at consent)."""
    candidacy = interview.candidacy
    if candidacy is None or not candidacy.search.confidential:
        return True
    return candidacy.id in disclosure.told_ids([candidacy.id])


def company_for(interview: Interview, was_told: bool) -> str | None:
    candidacy = interview.candidacy
    if candidacy is None:
        return None
    search = candidacy.search
    return search.client.name if (not search.confidential or was_told) else None


def facts(firm: Firm, interview: Interview, was_told: bool | None = None) -> Facts:
    search = interview.candidacy.search if interview.candidacy is not None else None
    zone_name = reader_zone(interview.candidate.timezone, firm.timezone)
    return Facts(
        title=search.title if search is not None else KIND_WORDS[interview.kind],
        company=company_for(interview, told(interview) if was_told is None else was_told),
        what=KIND_WORDS[interview.kind] + (f" (round {interview.round})" if interview.round > 1 else ""),
        how=FORMAT_WORDS[interview.format],
        where=interview.location,
        zone=zone_name,
        when=when_text(interview.starts_at, zone_name, interview.duration_minutes),
        people=list(interview.attendees or []),
        link=links.interview(firm, interview.id),
    )


def _organizer(firm: Firm) -> str:
    cfg = current_app.config
    sender = firm.sender_email or cfg.get("MAIL_FROM") or ""
    return sender or f"no-reply@{cfg.get('BASE_DOMAIN') or 'localhost'}"


def event(
    firm: Firm, interview: Interview, was_told: bool | None = None, previous: datetime | None = None
) -> calendar.CalendarEvent:
    """The interview as the candidate's calendar sees it. `previous`: the time it had before it
    gave way to proposed times (that event, cancelled)."""
    f = facts(firm, interview, was_told)
    starts_at = previous or interview.starts_at
    assert starts_at is not None
    summary = f"{f.what}: {f.title}" + (f" ({f.company})" if f.company else "")
    lines = [f"{f.what} for {f.title}" + (f" at {f.company}" if f.company else ""), f"Format: {f.how}"]
    if f.where:
        lines.append(("Join: " if interview.format == InterviewFormat.VIDEO else "Where: ") + f.where)
    if f.people:
        lines.append(
            "You meet: " + "; ".join(p["name"] + (f", {p['title']}" if p.get("title") else "") for p in f.people)
        )
    if interview.candidate_notes_md:
        lines += ["", interview.candidate_notes_md]
    lines += ["", f"Your preparation page: {f.link}"]
    candidate = interview.candidate
    return calendar.CalendarEvent(
        uid=f"{interview.uid}@{firm.slug}",
        sequence=interview.sequence,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=interview.duration_minutes),
        summary=summary,
        description="\n".join(lines),
        location=f.where,
        url=f.link,
        organizer_name=firm.from_name,
        organizer_email=_organizer(firm),
        attendee_name=candidate.name,
        attendee_email=candidate.email or None,
        cancelled=previous is not None or interview.state in (InterviewState.CANCELLED, InterviewState.DECLINED),
    )


def invitation(firm: Firm, interview: Interview, was_told: bool | None = None) -> str | None:
    """The .ics of the interview as it stands (REQUEST, or CANCEL once cancelled); None while it
    has no time."""
    if interview.starts_at is None:
        return None
    return calendar.invitation(event(firm, interview, was_told))


KINDS = {
    "scheduled": "interview_scheduled",
    "moved": "interview_scheduled",
    "updated": "interview_scheduled",
    "proposed": "interview_proposed",
    "cancelled": "interview_cancelled",
}


def tell_candidate(firm: Firm, interview: Interview, what: str, previous: datetime | None = None) -> Message:
    """Email the candidate about a change (`what`: a key of KINDS), with the invitation when
    the interview has a time (a CANCEL when it is cancelled, or when a set time, `previous`,
    gives way to proposed ones)."""
    db.session.refresh(interview)
    was_told = told(interview)
    f = facts(firm, interview, was_told)
    ics = None
    if what == "proposed" and previous is not None:
        ics = calendar.invitation(event(firm, interview, was_told, previous))
    elif interview.starts_at is not None:
        ics = invitation(firm, interview, was_told)
    context = {
        "iv": f,
        "what": what,
        "interview": interview,
        # When each proposed time starts (the email says them in its reader's zone and language).
        "slots": [s.starts_at for s in interview.slots],
        "notes_html": interview.candidate_notes_html,
        "link": f.link + ("#pick" if what == "proposed" else ""),
    }
    candidate = interview.candidate
    msg = outbox.record(
        firm,
        kind=KINDS[what],
        dedupe_key=f"interview:{interview.id}:{interview.sequence}:{what}",
        audience=Audience.CANDIDATE,
        to_email=candidate.email,
        to_name=candidate.name,
        candidate=candidate,
        candidacy_id=interview.candidacy_id,
        recipient_user_id=candidate.user_id,
        context=context,
    )
    msg.interview_id = interview.id
    msg.calendar = ics
    db.session.flush()
    return msg


ANSWER_WORDS = {
    "no_slot": "none of the proposed times suits them",
    "reschedule": "asked to reschedule",
    "declined": "declined the interview",
}


def recruiter_for(interview: Interview) -> User | None:
    """Who hears the candidate's answers: the interview's organiser, else the search's owner."""
    ids = [interview.recruiter_id]
    if interview.candidacy is not None:
        ids.append(interview.candidacy.search.owner_id)
    for user_id in ids:
        user = db.session.get(User, user_id) if user_id else None
        if user is not None and user.active and user.is_staff:
            return user
    return None


def tell_recruiter(firm: Firm, interview: Interview, what: str) -> Message | None:
    """Email the recruiter that the candidate answered (`what`: a key of ANSWER_WORDS)."""
    db.session.refresh(interview)
    user = recruiter_for(interview)
    if user is None:
        return None
    search = interview.candidacy.search if interview.candidacy is not None else None
    link = (
        links.recruiter_candidacy(firm, interview.candidacy_id) + "#interviews"
        if interview.candidacy_id
        else links.dashboard(firm, "interview-answers")
    )
    msg = outbox.record(
        firm,
        kind="interview_answer",
        dedupe_key=f"interview:{interview.id}:{interview.sequence}:answer:{what}:{interview.candidate_answered_at}",
        audience=Audience.RECRUITER,
        to_email=user.email,
        to_name=user.name,
        recipient_user_id=user.id,
        show_in_portal=False,
        context={
            "candidate_obj": interview.candidate,
            "search": search,
            "interview": interview,
            "answer_code": what,  # the email says it in its reader's language (email/interview_answer.*)
            "link": link,
        },
    )
    msg.interview_id = interview.id
    db.session.flush()
    return msg
