"""The debrief: the candidate's own account after a held interview (how it went, interest 1-5,
questions or concerns). The worker asks for it once, shortly after the interview ends (outbox,
deep link); the candidate answers once in the portal (then it is read-only); it lands on the
recruiter's needs-attention list until seen, and on the candidacy page.

Candidate lookups check the interview is the candidate's own (else NotFound, a 404). Writes
flush, never commit; the request email goes through the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import (
    Candidacy,
    Candidate,
    Debrief,
    Firm,
    Interview,
    InterviewKind,
    InterviewOutcome,
    InterviewState,
    Message,
    User,
    utcnow,
)
from portal.services import DomainError, NotFound, candidate_interviews, interview_feedback, interview_words
from portal.services.text import clean_text
from portal.web.templating import external_url

REQUEST_KIND = "debrief_request"
MAX_TEXT = 5_000
# Asked this long after the interview ends (it has ended; the candidate is out of the room) ...
REQUEST_DELAY = timedelta(minutes=15)
# ... and not any more once the interview is this old (a late scheduler run asks nothing stale).
REQUEST_UNTIL = timedelta(days=7)
# The to-do on the candidate's home offers the debrief this long after the interview.
DEBRIEF_LIST_DAYS = 14
# How interested the candidate is in the role after an interview, 1 to 5 (lazy: in the reader's language).
INTEREST_WORDS = {
    # Translators: a level of interest in a role after an interview (1 of 5).
    1: _l("Not interested"),
    # Translators: a level of interest in a role after an interview (2 of 5).
    2: _l("Not very interested"),
    # Translators: a level of interest in a role after an interview (3 of 5).
    3: _l("Unsure"),
    # Translators: a level of interest in a role after an interview (4 of 5).
    4: _l("Interested"),
    # Translators: a level of interest in a role after an interview (5 of 5).
    5: _l("Very interested"),
}
ALREADY_SENT = _l("You already sent us your debrief for this interview. Thank you!")


@dataclass
class DebriefPage:
    interview: Interview
    debrief: Debrief | None
    held: bool  # the interview is over: the form is open (unless already sent)
    when: str  # "Tuesday, May 12 at 10:00 AM" in the candidate's zone and language
    search_title: str


def _own_interview(candidate: Candidate, interview_id: int) -> Interview:
    iv = db.session.get(Interview, interview_id)
    if (
        iv is None
        or iv.candidate_id != candidate.id
        or iv.kind == InterviewKind.OFFICE_HOURS
        or iv.candidacy_id is None
        or iv.state != InterviewState.SCHEDULED
        or iv.starts_at is None
    ):
        raise NotFound(_("No such interview."))
    return iv


def page(firm: Firm, candidate: Candidate, interview_id: int) -> DebriefPage:
    iv = _own_interview(candidate, interview_id)
    debrief = db.session.scalar(select(Debrief).where(Debrief.interview_id == iv.id))
    zone = interview_words.candidate_zone(candidate, firm)
    assert iv.starts_at is not None and iv.candidacy is not None
    return DebriefPage(
        iv,
        debrief,
        interview_feedback.is_held(iv, utcnow()),
        candidate_interviews.day_and_time(iv.starts_at, zone),
        iv.candidacy.search.title,
    )


def submit(
    firm: Firm, candidate: Candidate, interview_id: int, how_it_went: str | None, interest, questions: str | None
) -> Debrief:
    """Record the candidate's debrief (once per interview)."""
    iv = _own_interview(candidate, interview_id)
    if not interview_feedback.is_held(iv, utcnow()):
        raise DomainError(_("You can tell us how it went once the interview is over."))
    if db.session.scalar(select(Debrief.id).where(Debrief.interview_id == iv.id)) is not None:
        raise DomainError(str(ALREADY_SENT))
    how = clean_text(how_it_went, _("How it went"), MAX_TEXT, required=True)
    asked = clean_text(questions, _("Questions or concerns"), MAX_TEXT)
    try:
        level = int(interest)
    except (TypeError, ValueError):
        level = 0
    if level not in INTEREST_WORDS:
        err = DomainError(_("Please choose how interested you are, from 1 to 5."))
        err.field = "interest"  # type: ignore[attr-defined]
        raise err
    debrief = Debrief(
        firm_id=firm.id, interview_id=iv.id, candidate_id=candidate.id, how_it_went=how, interest=level, questions=asked
    )
    db.session.add(debrief)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a second tab sent it a moment earlier
        raise DomainError(str(ALREADY_SENT)) from exc
    return debrief


def mark_seen(firm: Firm, actor: User, debrief: Debrief) -> Debrief:
    if not actor.is_staff:
        raise DomainError(_("Only the firm's recruiters handle debriefs."))
    if debrief.seen_at is None:
        debrief.seen_at = utcnow()
        db.session.flush()
    return debrief


def for_interviews(interview_ids: list[int]) -> dict[int, Debrief]:
    if not interview_ids:
        return {}
    return {
        d.interview_id: d for d in db.session.scalars(select(Debrief).where(Debrief.interview_id.in_(interview_ids)))
    }


@lru_cache(maxsize=1)
def _to_write_statement() -> Select:
    """to_write()'s statement, built once (the candidate's home reads it on every visit)."""
    now: Any = bindparam("now")
    return (
        select(Interview)
        .where(
            Interview.candidate_id == bindparam("candidate_id"),
            *interview_feedback.held_conditions(now),
            Interview.starts_at >= bindparam("since"),
            ~exists().where(Debrief.interview_id == Interview.id),
        )
        .order_by(Interview.starts_at.desc(), Interview.id)
    )


def to_write(firm: Firm, candidate: Candidate, now: datetime) -> list[tuple[Interview, str]]:
    """Held interviews of the last DEBRIEF_LIST_DAYS the candidate has not debriefed yet, with their time
    in words (one statement)."""
    rows: Sequence[Interview] = db.session.scalars(
        _to_write_statement(),
        {"candidate_id": candidate.id, "now": now, "since": now - timedelta(days=DEBRIEF_LIST_DAYS)},
    ).all()
    zone = interview_words.candidate_zone(candidate, firm)
    return [
        (iv, candidate_interviews.day_and_time(iv.starts_at, zone))  # type: ignore[arg-type]
        for iv in rows
        if interview_feedback.is_held(iv, now) and iv.outcome != InterviewOutcome.DID_NOT_TAKE_PLACE
    ]


def plan_requests(firm: Firm, now: datetime) -> int:
    """Ask every candidate with a portal login for a debrief shortly after a held interview
    ends: once per interview (dedupe key), through the outbox. Returns how many were written."""
    asked = exists().where(Message.interview_id == Interview.id, Message.kind == REQUEST_KIND)
    rows = db.session.execute(
        select(Interview, Candidacy)
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(
            *interview_feedback.held_conditions(now - REQUEST_DELAY),
            Interview.starts_at >= now - REQUEST_UNTIL,
            Candidate.deleted_at.is_(None),
            Candidate.user_id.is_not(None),
            ~asked,
            ~exists().where(Debrief.interview_id == Interview.id),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    written = 0
    for iv, candidacy in rows:
        if iv.ends_at is None or iv.ends_at > now - REQUEST_DELAY or iv.outcome == InterviewOutcome.DID_NOT_TAKE_PLACE:
            continue
        msg = outbox.record_for_candidacy(
            firm,
            candidacy,
            kind=REQUEST_KIND,
            dedupe_key=f"debrief-request:{iv.id}",
            context={
                "search": candidacy.search,
                "starts_at": iv.starts_at,  # said in the candidate's zone and language (email/debrief_request.*)
                "link": external_url(firm, "candidate.interview_debrief", interview_id=iv.id),
            },
        )
        msg.interview_id = iv.id
        written += 1
    db.session.flush()
    return written
