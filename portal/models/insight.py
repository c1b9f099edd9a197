"""Insight: the candidate-experience survey and the precomputed promises report. Tables only:
the rules live in portal/services/surveys.py, portal/services/reports.py and
portal/services/report_snapshots.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import FirmOwned, Model, UTCDateTime, utcnow


class SurveyResponse(FirmOwned, Model):
    """One "How well did we keep you informed?" question put to a candidate after a
    close-the-loop message, a placement or an interview, and their answer (0-10 and an
    optional comment) once they give it. The link carries a token whose hash only is kept."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_answered", "firm_id", "answered_at"),
        Index("ix_survey_responses_candidate", "firm_id", "candidate_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="SET NULL"))
    search_id: Mapped[int | None] = mapped_column(ForeignKey("searches.id", ondelete="SET NULL"), index=True)
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    occasion: Mapped[str] = mapped_column(String(20))  # closed, placed, interview
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportSnapshot(FirmOwned, Model):
    """The promises report for one firm, scope ("firm" or "recruiter:<id>") and period,
    computed by the worker so the page answers at once; `computed_at` says how fresh it is."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("firm_id", "scope", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The report (portal.services.reports.build) without its "by_search" rows, which are kept
    # apart (ReportSnapshotRow; their number is "by_search_count"). A snapshot written before
    # they were (migration 0036) still holds them here until its next refresh.
    data: Mapped[dict] = mapped_column(JSON)


class ReportSnapshotRow(FirmOwned, Model):
    """One row of a snapshot's "By search" table (a search's figures, as `reports.build` makes
    it), at its place in the table's order: the page reads one page of them by `position`, the
    CSV download all of them in order, and neither decodes the others (a firm's report has a
    row per search: 95% of a snapshot at 100,000 candidates). Written with its snapshot by
    `report_snapshots.refresh`, replaced with it, deleted with it."""

    __tablename__ = "report_snapshot_rows"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("report_snapshots.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, ... in the table's order
    data: Mapped[dict] = mapped_column(JSON)
