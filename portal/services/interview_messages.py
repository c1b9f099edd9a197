"""What an interview says to the people in it: the candidate's invitation emails (set, moved,
details changed, times to choose from, cancelled) with the iCalendar they carry (RFC 5546:
REQUEST or CANCEL, one UID for the interview's life, SEQUENCE = the interview's), the .ics a
candidate downloads, and the email that tells the recruiter the candidate answered.

Everything the candidate reads names the client only if they may know it (the disclosure rule:
told when they were asked for consent), and never carries the internal notes. Records through
the outbox, flushes, never commits or sends.

The words are portal.phrases values (the module's dicts, `Facts`, `Span`): spelled in the
reader's language when printed, so an email's context keeps them as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from portal import i18n, outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Audience, Firm, Message, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind, InterviewState
from portal.outbox import links
from portal.phrases import Phrase
from portal.phrases import lazy as _l
from portal.services import calendar, disclosure
from portal.services.interview_times import local, reader_zone

# What each kind of interview is, as the candidate reads it.
KIND_WORDS = {
    InterviewKind.RECRUITER_SCREEN: _l("Conversation with your recruiter"),
    # Translators: a meeting with the client, as the candidate reads it
    InterviewKind.CLIENT: _l("Interview"),
    InterviewKind.ASSESSMENT: _l("Assessment"),
    InterviewKind.OTHER: _l("Meeting"),
    InterviewKind.OFFICE_HOURS: _l("Office hours"),
}
# How the recruiter's pages name each kind.
KIND_LABELS = {
    InterviewKind.RECRUITER_SCREEN: _l("Recruiter screen"),
    InterviewKind.CLIENT: _l("Client interview"),
    InterviewKind.ASSESSMENT: _l("Assessment"),
    # Translators: a kind of interview on the recruiter's form: none of the others
    InterviewKind.OTHER: _l("Other"),
    InterviewKind.OFFICE_HOURS: _l("Office hours"),
}
FORMAT_WORDS = {
    InterviewFormat.PHONE: _l("Phone call"),
    InterviewFormat.VIDEO: _l("Video call"),
    InterviewFormat.ON_SITE: _l("In person"),
}
# Where an interview stands, as the recruiter reads it.
STATE_WORDS = {
    InterviewState.PROPOSED: _l("Waiting for the candidate to choose a time"),
    # Translators: an interview's state on the recruiter's pages: its time is agreed
    InterviewState.SCHEDULED: _l("Set"),
    InterviewState.NEEDS_NEW_TIME: _l("Needs a new time"),
    InterviewState.DECLINED: _l("Declined by the candidate"),
    InterviewState.CANCELLED: _l("Cancelled"),
}
# Where an interview stands, as the candidate reads it.
CANDIDATE_STATE_WORDS = {
    InterviewState.PROPOSED: _l("Please choose a time"),
    InterviewState.SCHEDULED: _l("Confirmed"),
    InterviewState.NEEDS_NEW_TIME: _l("We are finding a new time"),
    InterviewState.DECLINED: _l("You declined"),
    InterviewState.CANCELLED: _l("Cancelled"),
}


def when_text(value: datetime | None, zone_name: str, minutes: int | None = None) -> str:
    """ "Monday, October 26, 2026, 9:00 AM–10:00 AM (Europe/Berlin)" on the reader's wall clock,
    in the current locale."""
    at = local(value, zone_name)
    if at is None:
        return ""
    begins = i18n.when(at, None, "full", zone_name)
    if not minutes:
        # Translators: a moment and the time zone it is read in: "Monday, October 26, 2026, 9:00 AM (Europe/Berlin)"
        return _("%(start)s (%(zone)s)", start=begins, zone=zone_name)
    ends = i18n.when(at + timedelta(minutes=minutes), None, "time", zone_name)
    # Translators: a time range and the time zone it is read in: "Monday, October 26, 2026, 9:00 AM–10:00 AM (Europe/Berlin)"
    return _("%(start)s–%(end)s (%(zone)s)", start=begins, end=ends, zone=zone_name)


@dataclass(frozen=True)
class Span:
    """`when_text` kept as data (an email's context): spelled in the reader's language when printed."""

    starts_at: datetime | None
    zone: str
    minutes: int | None = None

    def __str__(self) -> str:
        return when_text(self.starts_at, self.zone, self.minutes)

    def __bool__(self) -> bool:
        return self.starts_at is not None


def what_words(kind: InterviewKind, round: int) -> Phrase:
    """ "Interview", "Interview (round 2)", as data."""
    if round > 1:
        # Translators: what an interview is and its round: "Interview (round 2)"
        return _l("%(what)s (round %(round)d)", what=KIND_WORDS[kind], round=round)
    return KIND_WORDS[kind]


@dataclass
class Facts:
    """What the candidate may read about an interview, in their words (in their language when
    printed) and their zone."""

    title: str | Phrase
    company: str | None  # None: a confidential client they were not told
    what: Phrase
    how: Phrase
    where: str | None
    zone: str
    when: Span
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
        what=what_words(interview.kind, interview.round),
        how=FORMAT_WORDS[interview.format],
        where=interview.location,
        zone=zone_name,
        when=Span(interview.starts_at, zone_name, interview.duration_minutes),
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
    """The interview as the candidate's calendar sees it, in the candidate's language (the
    language of their emails). `previous`: the time it had before it gave way to proposed times
    (that event, cancelled)."""
    with i18n.force_locale(i18n.email_language(firm, interview.candidate.language)):
        return _event(firm, interview, was_told, previous)


def _event(
    firm: Firm, interview: Interview, was_told: bool | None, previous: datetime | None
) -> calendar.CalendarEvent:
    """`event` in the current locale."""
    f = facts(firm, interview, was_told)
    starts_at = previous or interview.starts_at
    assert starts_at is not None
    if f.company:
        # Translators: a calendar event's title: "Interview: Data Engineer (Globex)"
        summary = _("%(what)s: %(title)s (%(company)s)", what=f.what, title=f.title, company=f.company)
        # Translators: the first line of a calendar event: "Interview for Data Engineer at Globex"
        first = _("%(what)s for %(title)s at %(company)s", what=f.what, title=f.title, company=f.company)
    else:
        summary = _("%(what)s: %(title)s", what=f.what, title=f.title)
        first = _("%(what)s for %(title)s", what=f.what, title=f.title)
    lines = [first, _("Format: %(how)s", how=f.how)]
    if f.where:
        if interview.format == InterviewFormat.VIDEO:
            lines.append(_("Join: %(where)s", where=f.where))
        else:
            lines.append(_("Where: %(where)s", where=f.where))
    if f.people:
        people = "; ".join(p["name"] + (f", {p['title']}" if p.get("title") else "") for p in f.people)
        lines.append(_("You meet: %(people)s", people=people))
    if interview.candidate_notes_md:
        lines += ["", interview.candidate_notes_md]
    lines += ["", _("Your preparation page: %(url)s", url=f.link)]
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


# What the candidate answered, as the recruiter's email says it (after the candidate's name).
ANSWER_WORDS = {
    # Translators: in an email to a recruiter, after the candidate's name: "Anna Berg: none of the proposed times suits them"
    "no_slot": _l("none of the proposed times suits them"),
    # Translators: in an email to a recruiter, after the candidate's name
    "reschedule": _l("asked to reschedule"),
    # Translators: in an email to a recruiter, after the candidate's name
    "declined": _l("declined the interview"),
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
