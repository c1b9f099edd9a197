"""How an interview reads to its candidate (a reminder, their calendar feed, office-hours pages):
its title, when it is in the candidate's own time zone, and how to join or get there.

One place decides what a candidate may read of an interview: never its internal notes, never a
confidential client's name (nor an alias of it in the location) before the candidate was told
(portal/services/disclosure.py). Pure reading: no writes, no email."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Candidacy, Candidate, Firm, Search, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind
from portal.services import disclosure

KIND_WORDS = {
    InterviewKind.RECRUITER_SCREEN: "Conversation with your recruiter",
    InterviewKind.CLIENT: "Interview",
    InterviewKind.ASSESSMENT: "Assessment",
    InterviewKind.OTHER: "Meeting",
    InterviewKind.OFFICE_HOURS: "Office hours",
}
FORMAT_WORDS = {
    InterviewFormat.PHONE: "By phone",
    InterviewFormat.VIDEO: "Video call",
    InterviewFormat.ON_SITE: "In person",
}


def zone_name(candidate: Candidate | None, firm: Firm) -> str:
    """The candidate's time zone (their profile's, else the firm's), always a valid one."""
    for name in (candidate.timezone if candidate is not None else None, firm.timezone, "UTC"):
        if name:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"


def when_text(instant: datetime, zone: str) -> str:
    """ "Monday 26 October 2026, 09:00 (Europe/Berlin, CET)": the wall time in that zone, with the
    zone's name and its abbreviation at that date (so a daylight-saving change reads right)."""
    local = instant.astimezone(ZoneInfo(zone))
    name, abbreviation = zone.replace("_", " "), local.strftime("%Z")
    where = name if abbreviation in (name, "") or abbreviation.startswith(("+", "-")) else f"{name}, {abbreviation}"
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({where})"


def time_text(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def day_text(instant: datetime, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}"


def load(interview_ids: Iterable[int]) -> list[Interview]:
    """Interviews with what their words need (candidate, candidacy, search, client): a few statements."""
    ids = sorted(set(interview_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Interview)
            .where(Interview.id.in_(ids))
            .options(
                selectinload(Interview.candidate),
                selectinload(Interview.candidacy).selectinload(Candidacy.search).selectinload(Search.client),
            )
            .order_by(Interview.starts_at, Interview.id)
        )
    )


def told(interviews: Iterable[Interview]) -> set[int]:
    """The candidacies (of these interviews) whose candidate was told the client's name."""
    return disclosure.told_ids(i.candidacy_id for i in interviews if i.candidacy_id is not None)


def recruiter_names(interviews: Iterable[Interview]) -> dict[int, str]:
    ids = {i.recruiter_id for i in interviews if i.recruiter_id is not None}
    if not ids:
        return {}
    return {uid: name for uid, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def _hidden_client(interview: Interview, told_ids: set[int]) -> Search | None:
    """The search whose client this candidate may not be told, or None."""
    candidacy = interview.candidacy
    if candidacy is None or not candidacy.search.confidential or candidacy.id in told_ids:
        return None
    return candidacy.search


def _safe(text: str, interview: Interview, told_ids: set[int]) -> str:
    search = _hidden_client(interview, told_ids)
    if search is None or not text:
        return text
    return disclosure.redact(text, disclosure.client_names(search.client), disclosure.wording(search))


def title(interview: Interview, told_ids: set[int], recruiter_name: str | None = None) -> str:
    """ "Interview: Data Engineer at Globex" (or "... at Confidential client" before consent)."""
    kind = KIND_WORDS[interview.kind]
    if interview.kind == InterviewKind.OFFICE_HOURS:
        return f"{kind} with {recruiter_name}" if recruiter_name else kind
    candidacy = interview.candidacy
    if candidacy is None:
        return kind
    search = candidacy.search
    client = search.client_name_for_candidate(candidacy.id in told_ids)
    return _safe(f"{kind}: {search.title} at {client}", interview, told_ids)


def join_text(interview: Interview, told_ids: set[int]) -> str:
    """How to join or get there: "Video call: https://…", "In person: 1 Main Street"."""
    where = _safe((interview.location or "").strip(), interview, told_ids)
    words = FORMAT_WORDS[interview.format]
    if where:
        return f"{words}: {where}"
    return f"{words} (your recruiter will send the details)"


def location(interview: Interview, told_ids: set[int]) -> str:
    return _safe((interview.location or "").strip(), interview, told_ids)


# ---------------------------------------------------------------- short forms (home, check-ins)


def candidate_zone(candidate: Candidate | None, firm: Firm) -> ZoneInfo:
    """The candidate's time zone (their profile's), else the firm's."""
    name = getattr(candidate, "timezone", None) if candidate is not None else None
    return zone_of(name, firm)


def zone_of(name: str | None, firm: Firm) -> ZoneInfo:
    """A zone by name (a candidate's setting read as a column), else the firm's."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return firm.zone


def date_words(value: date) -> str:
    """ "Tuesday 12 May"."""
    return f"{value:%A} {value.day} {value:%B}"


def short_when(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Tuesday 12 May at 10:00" in `zone`."""
    local = starts_at.astimezone(zone)
    return f"{date_words(local.date())} at {local:%H:%M}"


def interview_sentence(starts_at: datetime, zone: ZoneInfo) -> str:
    """ "Your interview on Tuesday 12 May at 10:00"."""
    return f"Your interview on {short_when(starts_at, zone)}"
