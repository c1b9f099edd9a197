"""The debrief: the candidate's own account after a held interview (how it went, interest 1-5,
questions or concerns). The worker asks for it once, shortly after the interview ends (outbox,
deep link); the candidate answers once in the portal (then it is read-only); it lands on the
recruiter's needs-attention list until seen, and on the candidacy page.

Candidate lookups check the interview is the candidate's own (else NotFound, a 404). Writes
flush, never commit; the request email goes through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from portal import outbox
from portal.extensions import db
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
from portal.services import DomainError, NotFound, interview_feedback, interview_words
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
INTEREST_WORDS = {1: "Not interested", 2: "Not very interested", 3: "Unsure", 4: "Interested", 5: "Very interested"}


@dataclass
class DebriefPage:
    interview: Interview
    debrief: Debrief | None
    held: bool  # the interview is over: the form is open (unless already sent)
    when: str  # "Tuesday 12 May at 10:00" in the candidate's zone
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
        raise NotFound("No such interview.")
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
        interview_words.short_when(iv.starts_at, zone),
        iv.candidacy.search.title,
    )


def submit(
    firm: Firm, candidate: Candidate, interview_id: int, how_it_went: str | None, interest, questions: str | None
) -> Debrief:
    """Record the candidate's debrief (once per interview)."""
    iv = _own_interview(candidate, interview_id)
    if not interview_feedback.is_held(iv, utcnow()):
        raise DomainError("You can tell us how it went once the interview is over.")
    if db.session.scalar(select(Debrief.id).where(Debrief.interview_id == iv.id)) is not None:
        raise DomainError("You already sent us your debrief for this interview. Thank you!")
    how = clean_text(how_it_went, "How it went", MAX_TEXT, required=True)
    asked = clean_text(questions, "Questions or concerns", MAX_TEXT)
    try:
        level = int(interest)
    except (TypeError, ValueError):
        level = 0
    if level not in INTEREST_WORDS:
        err = DomainError("Please choose how interested you are, from 1 to 5.")
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
        raise DomainError("You already sent us your debrief for this interview. Thank you!") from exc
    return debrief


def mark_seen(firm: Firm, actor: User, debrief: Debrief) -> Debrief:
    if not actor.is_staff:
        raise DomainError("Only the firm's recruiters handle debriefs.")
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


def to_write(firm: Firm, candidate: Candidate, now: datetime) -> list[tuple[Interview, str]]:
    """Held interviews of the last DEBRIEF_LIST_DAYS the candidate has not debriefed yet, with their time
    in words (one statement)."""
    rows = db.session.scalars(
        select(Interview)
        .where(
            Interview.candidate_id == candidate.id,
            *interview_feedback.held_conditions(now),
            Interview.starts_at >= now - timedelta(days=DEBRIEF_LIST_DAYS),
            ~exists().where(Debrief.interview_id == Interview.id),
        )
        .order_by(Interview.starts_at.desc(), Interview.id)
    ).all()
    zone = interview_words.candidate_zone(candidate, firm)
    return [
        (iv, interview_words.short_when(iv.starts_at, zone))  # type: ignore[arg-type]
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
