"""The promises report (issue 23): for a firm or one recruiter and a period, how well each promise
was kept, the exceptions, the pipeline and the candidates' own verdict (the survey).

Every figure is computed here, once, and everything else reads it: the report page (through
the worker's snapshot, portal/services/report_snapshots.py), the CSV exports, the weekly admin
email and the public figures (`headline`). A few grouped statements per report whatever the
data size (never one query per row); rows are folded in Python where a figure needs them
(the silences, the time in each stage).

Definitions (decided; the README's "The promises report" repeats them):
- Scope: the firm, or one recruiter = the candidacies of the searches they own
  (`Search.owner_id`); a candidate message outside any search counts for the candidate's owner;
  survey answers count for the recruiter the response names.
- Period: [start, end) in UTC, from the firm's own calendar days (see `standard_periods`).
- Cadence (promise 1), measured at the period's end (or now, if sooner): a candidate is active
  when one of their candidacies was then at an open stage they know about (latest move not
  undone), in a search not closed then, and their account was not deleted then. Their silence
  is the time since the last candidate-facing transactional message written to them (not
  cancelled), or since their earliest active candidacy was added. Kept: silence <= cadence days.
- Close the loop (promise 2): every move to "closed" in the period that was not undone (a
  candidacy reopened by undo does not count), except the closes made by deleting the
  candidate's account (nobody left to tell). Kept: a close-the-loop message exists for it.
- Consent (promise 3): every move in the period to "presented" or beyond from a stage before
  it (not undone). Kept: the candidate had approved (answered_at at or before the move).
- Feedback (promise 7): interviews held in the period (start in the period, not "did not take
  place"). Kept: feedback, or the honest "still waiting" word, or a close with a reason, by the
  end of the firm's feedback window. Interviews whose window is still open and unanswered are
  pending: counted nowhere yet.
- Replies (promise 8): candidate messages written in the period that carry a reply deadline.
  Kept: answered by the deadline, or marked as needing no reply. Unanswered before the
  deadline: pending.
- Survey: answers given in the period; NPS = % promoters (9-10) - % detractors (0-6).
- Funnel: candidacies that reached each stage in the period (moves not undone).
- Time in stage: for each move in the period (not undone), the time since the previous move
  of the same candidacy that was not undone, counted for the stage it left. An undone move
  is as if it never happened; a reopened candidacy's close is undone, so the stage before it
  runs on.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models import (
    Application,
    Candidacy,
    Candidate,
    Consent,
    ConsentState,
    Firm,
    Interview,
    Message,
    MessageState,
    Search,
    Stage,
    StageChange,
    User,
)
from portal.models.application import ApplicationSource
from portal.models.base import utcnow
from portal.models.conversation import Author, ConversationMessage
from portal.models.insight import SurveyResponse
from portal.models.interview import InterviewKind, InterviewOutcome, InterviewState
from portal.models.message import Audience
from portal.models.search import SearchState
from portal.services import interview_feedback

# Open stages the candidate knows about (the cadence's own rule, portal.services.cadence).
CHECKIN_STAGES = (Stage.APPLIED, Stage.CONTACTED, Stage.SCREENING, Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER)
BEFORE_PRESENTED = (Stage.APPLIED, Stage.IDENTIFIED, Stage.CONTACTED, Stage.SCREENING)
PRESENTED_OR_BEYOND = (Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED)
ACTIVE_SEARCH_STATES = (SearchState.OPEN, SearchState.ON_HOLD)
# Silence histogram buckets: (label, lowest whole day, highest whole day or None).
SILENCE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3 days", 0, 3),
    ("4-7 days", 4, 7),
    ("8-14 days", 8, 14),
    ("15-30 days", 15, 30),
    ("over 30 days", 31, None),
)
EXCEPTIONS_KEPT = 200  # exceptions listed per promise (the count is always complete)
COMMENTS_KEPT = 50
PROMISES = ("cadence", "close_loop", "consent", "feedback", "reply")
PROMISE_LABELS = {
    "cadence": "Active candidates heard from within the cadence",
    "close_loop": "Closed candidacies told why (close the loop)",
    "consent": "Presentations with the candidate's consent first",
    "feedback": "Interviews followed by feedback within the window",
    "reply": "Candidate messages answered within the reply window",
}


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    key: str  # week, 30d, quarter, last_quarter, or custom:YYYY-MM-DD:YYYY-MM-DD
    label: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    @property
    def days(self) -> tuple[date, date]:
        """First and last calendar day (in the firm's zone the bounds were made in)."""
        return self.start.date(), (self.end - timedelta(seconds=1)).date()


STANDARD_PERIODS = ("week", "30d", "quarter", "last_quarter")


def _midnight(firm: Firm, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=firm.zone).astimezone(UTC)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def standard_periods(firm: Firm, now: datetime | None = None) -> dict[str, Period]:
    """This week (from Monday), the last 30 days (today included), this quarter and the last
    quarter, all from midnight in the firm's time zone; periods ending now end at `now`."""
    now = now or utcnow()
    today = now.astimezone(firm.zone).date()
    monday = today - timedelta(days=today.weekday())
    q = _quarter_start(today)
    last_q = _quarter_start(q - timedelta(days=1))
    return {
        "week": Period("week", "This week", _midnight(firm, monday), now),
        "30d": Period("30d", "Last 30 days", _midnight(firm, today - timedelta(days=29)), now),
        "quarter": Period("quarter", "This quarter", _midnight(firm, q), now),
        "last_quarter": Period("last_quarter", "Last quarter", _midnight(firm, last_q), _midnight(firm, q)),
    }


def custom_period(firm: Firm, first: date, last: date, now: datetime | None = None) -> Period:
    """From the first day's midnight to the end of the last day (both in the firm's zone)."""
    if last < first:
        first, last = last, first
    end = min(_midnight(firm, last + timedelta(days=1)), now or utcnow())
    label = f"{first.isoformat()} to {last.isoformat()}"
    return Period(f"custom:{first.isoformat()}:{last.isoformat()}", label, _midnight(firm, first), end)


def period(firm: Firm, key: str, now: datetime | None = None) -> Period | None:
    """A period from its key (a standard one, or custom:YYYY-MM-DD:YYYY-MM-DD), or None."""
    if key in STANDARD_PERIODS:
        return standard_periods(firm, now)[key]
    if key.startswith("custom:"):
        try:
            _, a, b = key.split(":")
            return custom_period(firm, date.fromisoformat(a), date.fromisoformat(b), now)
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------- results


@dataclass
class PromiseFigure:
    """One promise in one scope and period: how many cases, how many kept, the exceptions
    (dicts with ids and names for links), and the same per search and per recruiter."""

    key: str
    kept: int = 0
    total: int = 0
    exceptions: list[dict] = field(default_factory=list)
    exception_count: int = 0
    pending: int = 0
    by_search: dict[int, list[int]] = field(default_factory=dict)  # search id: [kept, total]
    by_recruiter: dict[int, list[int]] = field(default_factory=dict)  # owner id (0: none): [kept, total]

    @property
    def share(self) -> float | None:
        return share(self.kept, self.total)

    def add(self, search_id: int | None, owner_id: int | None, ok: bool, exception: dict | None) -> None:
        self.total += 1
        self.kept += ok
        if search_id is not None:
            row = self.by_search.setdefault(search_id, [0, 0])
            row[0] += ok
            row[1] += 1
        row = self.by_recruiter.setdefault(owner_id or 0, [0, 0])
        row[0] += ok
        row[1] += 1
        if not ok and exception is not None:
            self.exception_count += 1
            if len(self.exceptions) < EXCEPTIONS_KEPT:
                self.exceptions.append(exception)


def share(kept: int, total: int) -> float | None:
    """Kept / total as a fraction (0..1), or None when there was nothing to keep."""
    return kept / total if total else None


@dataclass(frozen=True)
class Headline:
    """The figures a sentence can carry (weekly email, public figures). None: no data."""

    cadence_share: float | None
    close_loop_share: float | None
    consent_share: float | None
    feedback_share: float | None
    reply_share: float | None
    survey_average: float | None
    nps: float | None
    survey_count: int
    cadence_days: int
    cadence_count: int = 0  # how many active candidates the cadence share is out of


def _scope(recruiter_id: int | None):
    """The Search.owner_id condition of a recruiter's scope (True for the firm)."""
    return Search.owner_id == recruiter_id if recruiter_id is not None else True


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


# ---------------------------------------------------------------- promise 1: the cadence


def cadence(firm: Firm, at: datetime, recruiter_id: int | None = None) -> tuple[PromiseFigure, dict[str, int]]:
    """Active candidates at `at` within the cadence, and the histogram of their silences
    (label: count). One candidate counts once for the firm (their longest silence) and once in
    each search they are active in. Two statements."""
    latest = (
        select(StageChange.candidacy_id, func.max(StageChange.id).label("change_id"))
        .where(StageChange.firm_id == firm.id, StageChange.undone_at.is_(None), StageChange.created_at <= at)
        .group_by(StageChange.candidacy_id)
        .subquery()
    )
    now_change = aliased(StageChange)
    rows = db.session.execute(
        select(
            Candidacy.id,
            Candidacy.candidate_id,
            Candidate.name,
            Candidacy.search_id,
            Search.title,
            Search.owner_id,
            Candidacy.created_at,
        )
        .join(latest, latest.c.candidacy_id == Candidacy.id)
        .join(now_change, now_change.id == latest.c.change_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Candidacy.firm_id == firm.id,
            now_change.to_stage.in_(CHECKIN_STAGES),
            or_(Search.state.in_(ACTIVE_SEARCH_STATES), Search.closed_at > at),
            or_(Candidate.deleted_at.is_(None), Candidate.deleted_at > at),
            _scope(recruiter_id),
        )
    ).all()
    figure = PromiseFigure("cadence")
    histogram = {label: 0 for label, _, _ in SILENCE_BUCKETS}
    if not rows:
        return figure, histogram
    heard = dict(
        db.session.execute(
            select(Message.candidate_id, func.max(Message.created_at))
            .where(
                Message.firm_id == firm.id,
                Message.audience == Audience.CANDIDATE,
                Message.stream.is_(None),
                Message.state != MessageState.CANCELLED,
                Message.created_at <= at,
                Message.candidate_id.in_(
                    select(Candidacy.candidate_id)
                    .join(Search, Search.id == Candidacy.search_id)
                    .where(Candidacy.firm_id == firm.id, _scope(recruiter_id))
                ),
            )
            .group_by(Message.candidate_id)
        ).all()
    )
    started: dict[int, datetime] = {}
    for row in rows:
        started[row.candidate_id] = min(started.get(row.candidate_id, row.created_at), row.created_at)
    limit = timedelta(days=firm.cadence_days or 7)
    silence: dict[int, timedelta] = {}
    for cid, first in started.items():
        last = heard.get(cid)
        silence[cid] = at - (last if last is not None and last > first else first)
    for row in rows:  # per search and recruiter: each active candidacy
        ok = silence[row.candidate_id] <= limit
        if row.search_id is not None:
            r = figure.by_search.setdefault(row.search_id, [0, 0])
            r[0] += ok
            r[1] += 1
        r = figure.by_recruiter.setdefault(row.owner_id or 0, [0, 0])
        r[0] += ok
        r[1] += 1
    seen: set[int] = set()
    for row in sorted(rows, key=lambda r: -silence[r.candidate_id].total_seconds()):  # firm: each candidate once
        if row.candidate_id in seen:
            continue
        seen.add(row.candidate_id)
        gap = silence[row.candidate_id]
        ok = gap <= limit
        figure.total += 1
        figure.kept += ok
        days = max(gap.days, 0)
        for label, low, high in SILENCE_BUCKETS:
            if days >= low and (high is None or days <= high):
                histogram[label] += 1
                break
        if not ok:
            figure.exception_count += 1
            if len(figure.exceptions) < EXCEPTIONS_KEPT:
                figure.exceptions.append(
                    {
                        "candidate_id": row.candidate_id,
                        "name": row.name,
                        "candidacy_id": row.id,
                        "search_id": row.search_id,
                        "search": row.title,
                        "days": days,
                        "last_heard": _iso(heard.get(row.candidate_id)),
                    }
                )
    return figure, histogram


# ---------------------------------------------------------------- promise 2: close the loop


def close_loop(firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None) -> PromiseFigure:
    """Candidacies closed in the period (not undone; not by deleting the account), told or not.
    One statement."""
    told = (
        select(Message.id)
        .where(
            Message.candidacy_id == StageChange.candidacy_id,
            Message.kind == "candidacy_closed",
            Message.state != MessageState.CANCELLED,
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            StageChange.id,
            StageChange.candidacy_id,
            StageChange.created_at,
            Candidacy.candidate_id,
            Candidate.name,
            Candidacy.search_id,
            Search.title,
            Search.owner_id,
            told.label("told"),
        )
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            StageChange.firm_id == firm.id,
            StageChange.to_stage == Stage.CLOSED,
            StageChange.undone_at.is_(None),
            StageChange.created_at >= start,
            StageChange.created_at < end,
            ~and_(Candidate.deleted_at.is_not(None), StageChange.created_at >= Candidate.deleted_at),
            _scope(recruiter_id),
        )
        .order_by(StageChange.created_at)
    ).all()
    figure = PromiseFigure("close_loop")
    for r in rows:
        figure.add(r.search_id, r.owner_id, bool(r.told), _exception(r, when=r.created_at))
    return figure


def _exception(r, when: datetime | None, **extra) -> dict:
    return {
        "candidate_id": r.candidate_id,
        "name": r.name,
        "candidacy_id": getattr(r, "candidacy_id", None),
        "search_id": r.search_id,
        "search": r.title,
        "when": _iso(when),
        **extra,
    }


# ---------------------------------------------------------------- promise 3: consent


def consent(firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None) -> PromiseFigure:
    """Moves to "presented" or beyond from before it, in the period, with consent first."""
    approved = (
        select(Consent.id)
        .where(
            Consent.candidacy_id == StageChange.candidacy_id,
            Consent.state.in_((ConsentState.APPROVED, ConsentState.WITHDRAWN)),
            Consent.answered_at.is_not(None),
            Consent.answered_at <= StageChange.created_at,
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            StageChange.id,
            StageChange.candidacy_id,
            StageChange.created_at,
            Candidacy.candidate_id,
            Candidate.name,
            Candidacy.search_id,
            Search.title,
            Search.owner_id,
            approved.label("approved"),
        )
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            StageChange.firm_id == firm.id,
            StageChange.to_stage.in_(PRESENTED_OR_BEYOND),
            or_(StageChange.from_stage.is_(None), StageChange.from_stage.in_(BEFORE_PRESENTED)),
            StageChange.undone_at.is_(None),
            StageChange.created_at >= start,
            StageChange.created_at < end,
            _scope(recruiter_id),
        )
        .order_by(StageChange.created_at)
    ).all()
    figure = PromiseFigure("consent")
    for r in rows:
        figure.add(r.search_id, r.owner_id, bool(r.approved), _exception(r, when=r.created_at))
    return figure


# ---------------------------------------------------------------- promise 7: feedback


def feedback(
    firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None, now: datetime | None = None
) -> PromiseFigure:
    """Interviews held in the period, followed by feedback (or the honest "still waiting")
    by the end of the firm's feedback window. One statement; windows computed here."""
    now = now or utcnow()
    closed_told = interview_feedback.closed_with_explanation()
    rows = db.session.execute(
        select(
            Interview.id,
            Interview.candidacy_id,
            Interview.starts_at,
            Interview.duration_minutes,
            Interview.feedback_at,
            Interview.waiting_notice_at,
            Candidacy.closed_at,
            closed_told.label("closed_told"),
            Candidacy.candidate_id,
            Candidate.name,
            Candidacy.search_id,
            Search.title,
            Search.owner_id,
        )
        .join(Candidacy, Candidacy.id == Interview.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Candidate, Candidate.id == Candidacy.candidate_id)
        .where(
            Interview.firm_id == firm.id,
            Interview.state == InterviewState.SCHEDULED,
            Interview.kind != InterviewKind.OFFICE_HOURS,
            Interview.starts_at >= start,
            Interview.starts_at < end,
            Interview.starts_at <= now,
            or_(Interview.outcome.is_(None), Interview.outcome != InterviewOutcome.DID_NOT_TAKE_PLACE),
            _scope(recruiter_id),
        )
        .order_by(Interview.starts_at)
    ).all()
    figure = PromiseFigure("feedback")
    for r in rows:
        ends = r.starts_at + timedelta(minutes=r.duration_minutes or 0)
        if ends > now:
            continue
        due = interview_feedback.window_end(firm, ends)
        answers = [t for t in (r.feedback_at, r.waiting_notice_at) if t is not None]
        if r.closed_told and r.closed_at is not None:
            answers.append(r.closed_at)
        ok = any(t <= due for t in answers)
        if not ok and due > now:
            figure.pending += 1
            continue
        figure.add(r.search_id, r.owner_id, ok, _exception(r, when=r.starts_at, interview_id=r.id))
    return figure


# ---------------------------------------------------------------- promise 8: replies


def replies(
    firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None, now: datetime | None = None
) -> PromiseFigure:
    """Candidate messages written in the period, answered within the reply window."""
    now = now or utcnow()
    owner = func.coalesce(Search.owner_id, Candidate.owner_id)
    rows = db.session.execute(
        select(
            ConversationMessage.id,
            ConversationMessage.candidacy_id,
            ConversationMessage.created_at,
            ConversationMessage.reply_due_at,
            ConversationMessage.answered_at,
            ConversationMessage.no_reply_reason,
            ConversationMessage.candidate_id,
            Candidate.name,
            Candidacy.search_id,
            Search.title,
            owner.label("owner_id"),
        )
        .join(Candidate, Candidate.id == ConversationMessage.candidate_id)
        .outerjoin(Candidacy, Candidacy.id == ConversationMessage.candidacy_id)
        .outerjoin(Search, Search.id == Candidacy.search_id)
        .where(
            ConversationMessage.firm_id == firm.id,
            ConversationMessage.author == Author.CANDIDATE,
            ConversationMessage.reply_due_at.is_not(None),
            ConversationMessage.created_at >= start,
            ConversationMessage.created_at < end,
            owner == recruiter_id if recruiter_id is not None else True,
        )
        .order_by(ConversationMessage.created_at)
    ).all()
    figure = PromiseFigure("reply")
    for r in rows:
        ok = r.no_reply_reason is not None or (r.answered_at is not None and r.answered_at <= r.reply_due_at)
        if not ok and r.answered_at is None and r.reply_due_at > now:
            figure.pending += 1
            continue
        figure.add(r.search_id, r.owner_id, ok, _exception(r, when=r.created_at, message_id=r.id))
    return figure


# ---------------------------------------------------------------- the survey


def nps(scores: list[int]) -> float | None:
    """% promoters (9-10) minus % detractors (0-6), or None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def survey(firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None) -> dict[str, Any]:
    """Answers in the period: average, NPS, count, per recruiter and search, the comments
    (newest first) and a monthly trend (months in the firm's zone). One statement."""
    rows = db.session.execute(
        select(
            SurveyResponse.id,
            SurveyResponse.score,
            SurveyResponse.comment,
            SurveyResponse.answered_at,
            SurveyResponse.occasion,
            SurveyResponse.candidate_id,
            SurveyResponse.candidacy_id,
            SurveyResponse.search_id,
            SurveyResponse.recruiter_id,
        )
        .where(
            SurveyResponse.firm_id == firm.id,
            SurveyResponse.score.is_not(None),
            SurveyResponse.answered_at >= start,
            SurveyResponse.answered_at < end,
            SurveyResponse.recruiter_id == recruiter_id if recruiter_id is not None else True,
        )
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())
    ).all()
    scores = [r.score for r in rows]
    by_search: dict[int, list[int]] = defaultdict(list)
    by_recruiter: dict[int, list[int]] = defaultdict(list)
    by_month: dict[str, list[int]] = defaultdict(list)
    comments = []
    for r in rows:
        if r.search_id is not None:
            by_search[r.search_id].append(r.score)
        by_recruiter[r.recruiter_id or 0].append(r.score)
        by_month[r.answered_at.astimezone(firm.zone).strftime("%Y-%m")].append(r.score)
        if r.comment and r.comment.strip() and len(comments) < COMMENTS_KEPT:
            comments.append(
                {
                    "score": r.score,
                    "comment": r.comment.strip(),
                    "when": _iso(r.answered_at),
                    "occasion": r.occasion,
                    "candidate_id": r.candidate_id,
                    "candidacy_id": r.candidacy_id,
                    "search_id": r.search_id,
                }
            )

    def summary(values: list[int]) -> dict[str, Any]:
        return {"count": len(values), "average": statistics.fmean(values) if values else None, "nps": nps(values)}

    return {
        **summary(scores),
        "by_search": {k: summary(v) for k, v in by_search.items()},
        "by_recruiter": {k: summary(v) for k, v in by_recruiter.items()},
        "trend": [{"month": m, **summary(by_month[m])} for m in sorted(by_month)],
        "comments": comments,
    }


# ---------------------------------------------------------------- the pipeline


def funnel(firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None) -> dict[str, int]:
    """Candidacies that reached each stage in the period (moves not undone): one GROUP BY."""
    rows = db.session.execute(
        select(StageChange.to_stage, func.count(func.distinct(StageChange.candidacy_id)))
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .where(
            StageChange.firm_id == firm.id,
            StageChange.undone_at.is_(None),
            StageChange.created_at >= start,
            StageChange.created_at < end,
            _scope(recruiter_id),
        )
        .group_by(StageChange.to_stage)
    ).all()
    counts = {Stage(stage).value: int(n) for stage, n in rows}
    return {s.value: counts.get(s.value, 0) for s in Stage}


def time_in_stage(firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None) -> dict[str, dict]:
    """For each stage left in the period: how many left it, median and mean days spent in it
    (from the previous move not undone of the same candidacy). One statement with a window."""
    moves = (
        select(
            StageChange.candidacy_id,
            StageChange.created_at,
            func.lag(StageChange.created_at)
            .over(partition_by=StageChange.candidacy_id, order_by=StageChange.id)
            .label("entered_at"),
            func.lag(StageChange.to_stage)
            .over(partition_by=StageChange.candidacy_id, order_by=StageChange.id)
            .label("stage"),
        )
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .where(
            StageChange.firm_id == firm.id,
            StageChange.undone_at.is_(None),
            StageChange.created_at < end,
            _scope(recruiter_id),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(moves.c.stage, moves.c.created_at, moves.c.entered_at).where(
            moves.c.created_at >= start, moves.c.entered_at.is_not(None)
        )
    ).all()
    spans: dict[str, list[float]] = defaultdict(list)
    for stage, left, entered in rows:
        left, entered = _aware(left), _aware(entered)
        spans[Stage(stage).value].append(max((left - entered).total_seconds(), 0) / 86400)
    return {
        s.value: {
            "count": len(spans[s.value]),
            "median_days": statistics.median(spans[s.value]) if spans[s.value] else None,
            "mean_days": statistics.fmean(spans[s.value]) if spans[s.value] else None,
        }
        for s in Stage
        if s is not Stage.CLOSED
    }


def _aware(value: datetime | str) -> datetime:
    """A window function's result loses the column type on SQLite (a naive string/datetime)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def applications_by_source(
    firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None
) -> dict[str, int]:
    """Applications in the period by source (a recruiter: those to the searches they own)."""
    q = (
        select(Application.source, func.count(Application.id))
        .where(Application.firm_id == firm.id, Application.created_at >= start, Application.created_at < end)
        .group_by(Application.source)
    )
    if recruiter_id is not None:
        q = q.join(Search, Search.id == Application.search_id).where(Search.owner_id == recruiter_id)
    counts = {ApplicationSource(src).value: int(n) for src, n in db.session.execute(q).all()}
    return {s.value: counts.get(s.value, 0) for s in ApplicationSource}


# ---------------------------------------------------------------- the headline


def headline(
    firm: Firm, start: datetime, end: datetime, recruiter_id: int | None = None, now: datetime | None = None
) -> Headline:
    """The headline figures of the report for this scope and period (the same functions the
    report uses, so a sentence never disagrees with the page)."""
    now = now or utcnow()
    cad, _ = cadence(firm, min(end, now), recruiter_id)
    sv = survey(firm, start, end, recruiter_id)
    return Headline(
        cadence_share=cad.share,
        close_loop_share=close_loop(firm, start, end, recruiter_id).share,
        consent_share=consent(firm, start, end, recruiter_id).share,
        feedback_share=feedback(firm, start, end, recruiter_id, now).share,
        reply_share=replies(firm, start, end, recruiter_id, now).share,
        survey_average=sv["average"],
        nps=sv["nps"],
        survey_count=sv["count"],
        cadence_days=firm.cadence_days or 7,
        cadence_count=cad.total,
    )


def build(firm: Firm, per: Period, recruiter_id: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The whole report for a scope and period, as JSON-ready data (what a snapshot stores).
    About a dozen statements whatever the firm's size."""
    now = now or utcnow()
    at = min(per.end, now)
    cad, histogram = cadence(firm, at, recruiter_id)
    figures = [
        cad,
        close_loop(firm, per.start, per.end, recruiter_id),
        consent(firm, per.start, per.end, recruiter_id),
        feedback(firm, per.start, per.end, recruiter_id, now),
        replies(firm, per.start, per.end, recruiter_id, now),
    ]
    sv = survey(firm, per.start, per.end, recruiter_id)
    search_ids = set(sv["by_search"])
    owner_ids = set(sv["by_recruiter"])
    for f in figures:
        search_ids |= set(f.by_search)
        owner_ids |= set(f.by_recruiter)
    searches = (
        {
            sid: (title, owner)
            for sid, title, owner in db.session.execute(
                select(Search.id, Search.title, Search.owner_id).where(
                    Search.firm_id == firm.id, Search.id.in_(search_ids)
                )
            ).all()
        }
        if search_ids
        else {}
    )
    names = (
        dict(
            db.session.execute(select(User.id, User.name).where(User.firm_id == firm.id, User.id.in_(owner_ids))).all()
        )
        if owner_ids - {0}
        else {}
    )

    def rows(by: str) -> list[dict]:
        keys = search_ids if by == "search" else owner_ids
        out = []
        for key in keys:
            row: dict[str, Any] = {"id": key}
            if by == "search":
                title, owner = searches.get(key, ("(deleted search)", None))
                row["name"], row["owner"] = title, names.get(owner or 0)
            else:
                row["name"] = names.get(key, "No owner" if key == 0 else "(former recruiter)")
            for f in figures:
                kept, total = (f.by_search if by == "search" else f.by_recruiter).get(key, [0, 0])
                row[f.key] = {"kept": kept, "total": total}
            sv_row = sv["by_search" if by == "search" else "by_recruiter"].get(key)
            row["survey"] = sv_row or {"count": 0, "average": None, "nps": None}
            out.append(row)
        return sorted(out, key=lambda r: (str(r["name"]).lower(), r["id"]))

    return {
        "period": {"key": per.key, "label": per.label, "start": _iso(per.start), "end": _iso(per.end)},
        "scope": "firm" if recruiter_id is None else f"recruiter:{recruiter_id}",
        "measured_at": _iso(at),
        "cadence_days": firm.cadence_days or 7,
        "feedback_window_days": firm.feedback_window_days or 2,
        "reply_window_days": firm.reply_window_days or 1,
        "promises": {
            f.key: {
                "label": PROMISE_LABELS[f.key],
                "kept": f.kept,
                "total": f.total,
                "pending": f.pending,
                "exception_count": f.exception_count,
                "exceptions": f.exceptions,
            }
            for f in figures
        },
        "silence_histogram": histogram,
        "by_recruiter": rows("recruiter") if recruiter_id is None else [],
        "by_search": rows("search"),
        "funnel": funnel(firm, per.start, per.end, recruiter_id),
        "time_in_stage": time_in_stage(firm, per.start, per.end, recruiter_id),
        "applications": applications_by_source(firm, per.start, per.end, recruiter_id),
        "survey": {k: v for k, v in sv.items() if k not in ("by_search", "by_recruiter")},
    }


def headline_from(report: dict[str, Any]) -> Headline:
    """The headline of a computed report (a snapshot's data): no query."""
    p = report["promises"]
    return Headline(
        cadence_share=share(p["cadence"]["kept"], p["cadence"]["total"]),
        close_loop_share=share(p["close_loop"]["kept"], p["close_loop"]["total"]),
        consent_share=share(p["consent"]["kept"], p["consent"]["total"]),
        feedback_share=share(p["feedback"]["kept"], p["feedback"]["total"]),
        reply_share=share(p["reply"]["kept"], p["reply"]["total"]),
        survey_average=report["survey"]["average"],
        nps=report["survey"]["nps"],
        survey_count=report["survey"]["count"],
        cadence_days=report["cadence_days"],
        cadence_count=p["cadence"]["total"],
    )


def as_dict(h: Headline) -> dict[str, Any]:
    return asdict(h)


__all__ = [
    "build",
    "Headline",
    "Period",
    "PromiseFigure",
    "cadence",
    "close_loop",
    "consent",
    "custom_period",
    "feedback",
    "headline",
    "headline_from",
    "nps",
    "period",
    "replies",
    "share",
    "standard_periods",
    "survey",
]
