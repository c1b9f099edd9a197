"""The report's survey figures and pipeline (funnel, time in each stage, applications by
source): grouped statements, folded here. Definitions: portal/services/reports.py."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, true

from portal.extensions import db
from portal.models import Application, Candidacy, Firm, Search, Stage, StageChange
from portal.models.application import ApplicationSource
from portal.models.insight import SurveyResponse
from portal.services.report_periods import _iso, _scope

COMMENTS_KEPT = 50


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
            SurveyResponse.recruiter_id == recruiter_id if recruiter_id is not None else true(),
        )
        .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc())
    ).all()
    scores = [r.score for r in rows]
    by_search: dict[int, list[int]] = defaultdict(list)
    by_recruiter: dict[int, list[int]] = defaultdict(list)
    by_month: dict[str, list[int]] = defaultdict(list)
    comments: list[dict[str, Any]] = []
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
