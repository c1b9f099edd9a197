"""Promise 7: every held interview is followed by candidate-facing feedback within the firm's
feedback window (Firm.feedback_window_days business days, Monday to Friday in the firm's time
zone), or by an honest word that the firm is still waiting for the client, until it comes.

- The window of an interview ends at midnight (firm's zone) after the Nth business day after
  the day the interview ended; "by" dates are that Nth business day.
- Held: scheduled, over, not office hours. Owed: held, its outcome is not "did not take
  place", no feedback for it yet (Interview.feedback_at), and its candidacy is not closed with
  an explanation (a close-the-loop message that says why counts as feedback).
- The recruiter sees owed interviews as due, then overdue, most overdue first; the worker tells
  the candidate once (Interview.waiting_notice_at) after the window, through the outbox.
Writes flush, never commit; the recruiter's feedback goes through services/feedback.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, not_, or_, select

from portal import outbox
from portal.extensions import db
from portal.i18n import lazy as _l  # refusals too: a lazy message is read (str) in the request that shows it
from portal.models import (
    Candidacy,
    Candidate,
    Feedback,
    Firm,
    Interview,
    InterviewKind,
    InterviewOutcome,
    InterviewState,
    Search,
    Stage,
    User,
    utcnow,
)
from portal.services import DomainError, consent
from portal.services import feedback as feedback_service
from portal.web.templating import external_url

WAITING_KIND = "interview_feedback_waiting"
# What the recruiter may record after an interview (internal words: the candidate reads feedback).
OUTCOME_LABELS = {
    InterviewOutcome.PROGRESSED: _l("Progressed to the next step"),
    InterviewOutcome.NOT_PROGRESSED: _l("Not progressed"),
    InterviewOutcome.AWAITING_CLIENT: _l("Awaiting the client's decision"),
    InterviewOutcome.DID_NOT_TAKE_PLACE: _l("Did not take place"),
}
# Owed interviews older than this are not looked at by the worker any more (the recruiter
# still sees them overdue): a bound on the job's work.
NOTICE_LOOKBACK = timedelta(days=120)


# ---------------------------------------------------------------- business days


def add_business_days(day: date, n: int) -> date:
    """The Nth weekday (Monday to Friday) after `day` (n=0: `day` itself)."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _midnight_after(firm: Firm, day: date) -> datetime:
    """The instant the day after `day` starts in the firm's zone (DST-safe), as UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=firm.zone).astimezone(UTC)


def last_day(firm: Firm, ended_at: datetime) -> date:
    """The last business day of the window of an interview that ended at `ended_at`."""
    return add_business_days(ended_at.astimezone(firm.zone).date(), max(firm.feedback_window_days or 2, 1))


def window_end(firm: Firm, ended_at: datetime) -> datetime:
    """When the window ends (UTC): midnight after its last business day, in the firm's zone."""
    return _midnight_after(firm, last_day(firm, ended_at))


def next_promise_day(firm: Firm, ended_at: datetime) -> date:
    """When the candidate told "still waiting" will hear: the end of the next window."""
    return add_business_days(last_day(firm, ended_at), max(firm.feedback_window_days or 2, 1))


def business_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n += 1
    return n


# ---------------------------------------------------------------- what is owed


def held_conditions(now: datetime):
    """SQL: scheduled, started (the caller checks `ends_at`), not office hours, in a candidacy."""
    return (
        Interview.state == InterviewState.SCHEDULED,
        Interview.starts_at.is_not(None),
        Interview.starts_at <= now,
        Interview.kind != InterviewKind.OFFICE_HOURS,
        Interview.candidacy_id.is_not(None),
    )


def closed_with_explanation():
    """SQL (on Candidacy): closed, and the close-the-loop message carries an explanation."""
    return and_(
        Candidacy.stage == Stage.CLOSED,
        Candidacy.close_explanation.is_not(None),
        func.length(func.trim(Candidacy.close_explanation)) > 0,
    )


def owed_conditions(now: datetime):
    """SQL (Interview joined to Candidacy): held interviews still owed candidate feedback."""
    return (
        *held_conditions(now),
        or_(Interview.outcome.is_(None), Interview.outcome != InterviewOutcome.DID_NOT_TAKE_PLACE),
        Interview.feedback_at.is_(None),
        not_(closed_with_explanation()),
    )


def is_held(interview: Interview, now: datetime) -> bool:
    return (
        interview.state == InterviewState.SCHEDULED
        and interview.kind != InterviewKind.OFFICE_HOURS
        and interview.candidacy_id is not None
        and interview.ends_at is not None
        and interview.ends_at <= now
    )


def has_feedback(interview: Interview, candidacy: Candidacy | None) -> bool:
    """Feedback written for it, or its candidacy closed with an explanation."""
    if interview.feedback_at is not None:
        return True
    return bool(
        candidacy is not None and candidacy.stage == Stage.CLOSED and (candidacy.close_explanation or "").strip()
    )


def owes_feedback(interview: Interview, candidacy: Candidacy | None, now: datetime) -> bool:
    return (
        is_held(interview, now)
        and interview.outcome != InterviewOutcome.DID_NOT_TAKE_PLACE
        and not has_feedback(interview, candidacy)
    )


@dataclass
class Owed:
    """One interview owed feedback, as the recruiter's lists show it."""

    interview: Interview
    candidacy_id: int
    candidate_id: int
    candidate_name: str
    search_title: str
    owner_id: int | None  # who should write it: the interview's recruiter, else the search's, else the candidate's
    ended_at: datetime
    deadline: datetime
    overdue: bool
    days: int  # business days overdue (overdue) or left (due)


def status_of(firm: Firm, interview: Interview, now: datetime) -> tuple[datetime, bool, int]:
    """(deadline, overdue?, business days overdue or left) of an ended interview."""
    assert interview.ends_at is not None
    deadline = window_end(firm, interview.ends_at)
    today = now.astimezone(firm.zone).date()
    last = last_day(firm, interview.ends_at)
    if now >= deadline:
        return deadline, True, max(business_days_between(last, today), 1)
    return deadline, False, business_days_between(today, last)


def owed_select(now, user_id, *columns) -> Select:
    """`columns` of the interviews owed feedback (joined to their candidacy, search and
    candidate), unordered. With `user_id`: those the user organises, in their searches or of
    their candidates. `now` and `user_id` may be values or bound parameters."""
    q = (
        select(*columns)
        .select_from(Interview)
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(*owed_conditions(now), Candidate.deleted_at.is_(None))
    )
    if user_id is not None:
        q = q.where(or_(Interview.recruiter_id == user_id, Search.owner_id == user_id, Candidate.owner_id == user_id))
    return q


# The order in which owed interviews are read, earliest first (a capped read keeps the most
# overdue); the lists then sort them by deadline.
OWED_ORDER = (Interview.starts_at, Interview.id)


def owed_row(
    firm: Firm,
    now: datetime,
    iv: Interview,
    candidacy_id: int,
    candidate_id: int,
    name: str,
    title: str,
    search_owner: int | None,
    candidate_owner: int | None,
) -> Owed | None:
    """One owed interview as the lists show it; None while it has not ended yet."""
    if iv.ends_at is None or iv.ends_at > now:
        return None
    deadline, overdue, days = status_of(firm, iv, now)
    owner = iv.recruiter_id or search_owner or candidate_owner
    return Owed(iv, candidacy_id, candidate_id, name, title, owner, iv.ends_at, deadline, overdue, days)


def owed(firm: Firm, now: datetime, *, user: User | None = None, limit: int | None = None) -> list[Owed]:
    """Interviews owed feedback, most overdue first (one statement). With `user`: those they
    organise, in their searches or of their candidates."""
    q = owed_select(
        now,
        user.id if user is not None else None,
        Interview,
        Candidacy.id.label("candidacy_id"),
        Candidate.id.label("candidate_id"),
        Candidate.name,
        Candidate.owner_id.label("candidate_owner"),
        Search.title,
        Search.owner_id.label("search_owner"),
    ).order_by(*OWED_ORDER)
    if limit is not None:
        q = q.limit(limit)
    out = []
    for r in db.session.execute(q):
        row = owed_row(
            firm, now, r.Interview, r.candidacy_id, r.candidate_id, r.name, r.title, r.search_owner, r.candidate_owner
        )
        if row is not None:
            out.append(row)
    out.sort(key=lambda o: (o.deadline, o.interview.id))
    return out


# ---------------------------------------------------------------- the recruiter's side


def _held_or_refuse(interview: Interview, now: datetime) -> Candidacy:
    if interview.candidacy is None or interview.kind == InterviewKind.OFFICE_HOURS:
        raise DomainError(_l("This meeting is not an interview in a search."))
    if not is_held(interview, now):
        raise DomainError(_l("This interview has not taken place yet."))
    return interview.candidacy


def record_outcome(firm: Firm, actor: User, interview: Interview, outcome: InterviewOutcome) -> Interview:
    """The recruiter records what came of a held interview (internal; the candidate reads feedback)."""
    if not actor.is_staff:
        raise DomainError(_l("Only the firm's recruiters record outcomes."))
    if not isinstance(outcome, InterviewOutcome):
        raise DomainError(_l("Choose an outcome."))
    _held_or_refuse(interview, utcnow())
    interview.outcome = outcome
    interview.outcome_at = utcnow()
    db.session.flush()
    return interview


def write_feedback(firm: Firm, actor: User, interview: Interview, body_md: str) -> Feedback:
    """Feedback for the candidate after this interview: a Feedback row tied to it, written
    through the feedback service (its outbox message), which keeps the promise."""
    candidacy = _held_or_refuse(interview, utcnow())
    return feedback_service.post_feedback(firm, actor, candidacy, body_md, interview=interview)


def feedback_for(interview_ids: list[int]) -> dict[int, list[Feedback]]:
    out: dict[int, list[Feedback]] = {i: [] for i in interview_ids}
    if interview_ids:
        for fb in db.session.scalars(
            select(Feedback).where(Feedback.interview_id.in_(interview_ids)).order_by(Feedback.created_at, Feedback.id)
        ):
            out[fb.interview_id].append(fb)  # type: ignore[index]
    return out


# ---------------------------------------------------------------- the worker's side


def plan_waiting_notices(firm: Firm, now: datetime) -> int:
    """Tell each candidate whose interview's window passed without feedback, once, that the firm
    is still waiting for the client's view and when they will hear. Idempotent (dedupe key and
    Interview.waiting_notice_at). Returns how many were written."""
    rows = db.session.execute(
        select(Interview, Candidacy)
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .where(
            *owed_conditions(now),
            Interview.waiting_notice_at.is_(None),
            Interview.starts_at >= now - NOTICE_LOOKBACK,
            Candidate.deleted_at.is_(None),
        )
        .order_by(Interview.starts_at, Interview.id)
    ).all()
    written = 0
    for iv, candidacy in rows:
        if iv.ends_at is None or now < window_end(firm, iv.ends_at):
            continue
        search = candidacy.search
        msg = outbox.record_for_candidacy(
            firm,
            candidacy,
            kind=WAITING_KIND,
            dedupe_key=f"interview-waiting:{iv.id}",
            context={
                "search": search,
                "client_name": search.client_name_for_candidate(consent.client_revealed(candidacy)),
                # Days the email says in the candidate's zone and language (email/interview_feedback_waiting.*).
                "interview_at": iv.starts_at,
                "by": next_promise_day(firm, iv.ends_at),
                "link": external_url(firm, "candidate.candidacy", candidacy_id=candidacy.id)
                if candidacy.candidate.user_id
                else None,
            },
        )
        msg.interview_id = iv.id
        iv.waiting_notice_at = now
        written += 1
    db.session.flush()
    return written
