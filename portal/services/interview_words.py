"""How an interview reads to its candidate (a reminder, their calendar feed, office-hours pages):
its title, when it is in the candidate's own time zone, and how to join or get there.

One place decides what a candidate may read of an interview: never its internal notes, never a
confidential client's name (nor an alias of it in the location) before the candidate was told
(portal/services/disclosure.py). Pure reading: no writes, no email.

The words are in the reader's language: the functions here return text in the current locale
(a page's, an email's while it is rendered); `title_words`, `join_words` and `Moment` keep the
same words as data (portal.phrases) for an email's context, spelled when the email is rendered
(again, at send time, in its reader's language)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import Candidacy, Candidate, Firm, Search, User
from portal.models.interview import Interview, InterviewFormat, InterviewKind
from portal.phrases import Day, Phrase
from portal.phrases import lazy as _l
from portal.services import disclosure
from portal.web.templating import time_range

# What an interview is, as its candidate reads it (printed in the reader's language).
KIND_WORDS = {
    InterviewKind.RECRUITER_SCREEN: _l("Conversation with your recruiter"),
    # Translators: a meeting with the client, as the candidate reads it
    InterviewKind.CLIENT: _l("Interview"),
    InterviewKind.ASSESSMENT: _l("Assessment"),
    InterviewKind.OTHER: _l("Meeting"),
    InterviewKind.OFFICE_HOURS: _l("Office hours"),
}
# How it happens: the start of "Video call: https://…" (and a choice on the recruiter's form).
FORMAT_WORDS = {
    InterviewFormat.PHONE: _l("By phone"),
    InterviewFormat.VIDEO: _l("Video call"),
    InterviewFormat.ON_SITE: _l("In person"),
}
# How it happens when there is no address or link yet: whole sentences.
_FORMAT_NO_DETAILS = {
    InterviewFormat.PHONE: _l("By phone (your recruiter will send the details)"),
    InterviewFormat.VIDEO: _l("Video call (your recruiter will send the details)"),
    InterviewFormat.ON_SITE: _l("In person (your recruiter will send the details)"),
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


def time_text(instant: datetime, zone: str) -> str:
    """ "2:30 PM" (the current locale's clock) in `zone`."""
    return i18n.when(instant, None, "time", zone)


def day_text(instant: datetime, zone: str) -> str:
    """ "Monday, October 26" in `zone`."""
    return i18n.day(instant.astimezone(ZoneInfo(zone)).date(), "weekday_long")


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


def title_words(interview: Interview, told_ids: set[int], recruiter_name: str | None = None) -> Phrase:
    """ "Interview: Data Engineer at Globex" (or "... at Confidential client" before consent), as
    data: in the reader's language when printed."""
    kind = KIND_WORDS[interview.kind]
    if interview.kind == InterviewKind.OFFICE_HOURS:
        # Translators: "Office hours with Anna Berg" (a recruiter's open slots a candidate booked)
        return _l("Office hours with %(name)s", name=recruiter_name) if recruiter_name else kind
    candidacy = interview.candidacy
    if candidacy is None:
        return kind
    search = candidacy.search
    told = candidacy.id in told_ids
    # Translators: what the meeting is, the role and the client: "Interview: Data Engineer at Globex"
    return _l(
        "%(what)s: %(title)s at %(client)s",
        what=kind,
        title=_safe(search.title, interview, told_ids),
        client=search.client.name if told or not search.confidential else _l("Confidential client"),
    )


def title(interview: Interview, told_ids: set[int], recruiter_name: str | None = None) -> str:
    """`title_words` in the current language."""
    return str(title_words(interview, told_ids, recruiter_name))


def join_words(interview: Interview, told_ids: set[int]) -> Phrase:
    """How to join or get there, as data: "Video call: https://…", "In person: 1 Main Street"."""
    where = _safe((interview.location or "").strip(), interview, told_ids)
    if where:
        # Translators: how a meeting happens, then its link or address: "Video call: https://…"
        return _l("%(how)s: %(where)s", how=FORMAT_WORDS[interview.format], where=where)
    return _FORMAT_NO_DETAILS[interview.format]


def join_text(interview: Interview, told_ids: set[int]) -> str:
    """`join_words` in the current language."""
    return str(join_words(interview, told_ids))


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
    """ "Tuesday, May 12" in the current locale."""
    return i18n.day(value, "weekday_long")


def day_words(value: date) -> Day:
    """`date_words` as data (an email's context): spelled when printed."""
    return Day(value, "weekday_long")


@dataclass(frozen=True)
class Moment:
    """When an interview starts, in words, in the reader's language when printed (an email's
    context keeps it as data): `style` "full" ("Monday, October 26, 2026, 9:00 AM (Europe/Berlin,
    CET)"), "short" ("Tuesday, May 12 at 10:00 AM") or "sentence" ("Your interview on Tuesday,
    May 12 at 10:00 AM"), on the wall clock of `zone`."""

    starts_at: datetime
    zone: str
    style: str = "full"

    def __str__(self) -> str:
        if self.style == "full":
            return time_range(self.starts_at, None, None, self.zone)
        local = self.starts_at.astimezone(ZoneInfo(self.zone))
        day, time = date_words(local.date()), i18n.when(local, None, "time", self.zone)
        if self.style == "sentence":
            # Translators: the next interview, in a candidate's update: "Your interview on Tuesday, May 12 at 10:00 AM"
            return _("Your interview on %(day)s at %(time)s", day=day, time=time)
        # Translators: a day and a time: "Tuesday, May 12 at 10:00 AM"
        return _("%(day)s at %(time)s", day=day, time=time)


def _name(zone: ZoneInfo | str) -> str:
    return zone if isinstance(zone, str) else zone.key


def short_when(starts_at: datetime, zone: ZoneInfo | str) -> str:
    """ "Tuesday, May 12 at 10:00 AM" in `zone`, in the current locale."""
    return str(Moment(starts_at, _name(zone), "short"))


def interview_sentence(starts_at: datetime, zone: ZoneInfo | str) -> str:
    """ "Your interview on Tuesday, May 12 at 10:00 AM", in the current locale."""
    return str(Moment(starts_at, _name(zone), "sentence"))
