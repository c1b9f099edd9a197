"""The promises of the report, each as one grouped statement (the cadence: two): who was owed
what in the period, and whether they got it. Definitions: portal/services/reports.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.i18n import lazy as _l
from portal.models import (
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
)
from portal.models.base import utcnow
from portal.models.conversation import Author, ConversationMessage
from portal.models.interview import InterviewKind, InterviewOutcome, InterviewState
from portal.models.message import Audience
from portal.models.search import SearchState
from portal.services import interview_feedback
from portal.services.report_periods import EXCEPTIONS_KEPT, PromiseFigure, _iso, _scope

# Open stages the candidate knows about (the cadence's own rule, portal.services.cadence).
CHECKIN_STAGES = (Stage.APPLIED, Stage.CONTACTED, Stage.SCREENING, Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER)
BEFORE_PRESENTED = (Stage.APPLIED, Stage.IDENTIFIED, Stage.CONTACTED, Stage.SCREENING)
PRESENTED_OR_BEYOND = (Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED)
ACTIVE_SEARCH_STATES = (SearchState.OPEN, SearchState.ON_HOLD)
# Silence histogram buckets: (label, lowest whole day, highest whole day or None).
# The labels are the histogram's keys in stored reports (data); SILENCE_LABELS gives the words.
SILENCE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3 days", 0, 3),
    ("4-7 days", 4, 7),
    ("8-14 days", 8, 14),
    ("15-30 days", 15, 30),
    ("over 30 days", 31, None),
)
SILENCE_LABELS = {
    "0-3 days": _l("0-3 days"),
    "4-7 days": _l("4-7 days"),
    "8-14 days": _l("8-14 days"),
    "15-30 days": _l("15-30 days"),
    "over 30 days": _l("over 30 days"),
}

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
            owner == recruiter_id if recruiter_id is not None else true(),
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
