"""Interviews in a candidacy, the slots a candidate may pick from, a recruiter's office hours and
the candidate's debrief. Tables only: never imports a service. Times are UTC instants; `timezone`
is the zone the interview is held in (invitations carry it, pages show the reader's own zone)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow
from portal.models.candidacy import Candidacy
from portal.models.candidate import Candidate


class InterviewKind(str, enum.Enum):
    RECRUITER_SCREEN = "recruiter_screen"
    CLIENT = "client"
    ASSESSMENT = "assessment"
    OTHER = "other"
    OFFICE_HOURS = "office_hours"  # a booking of a recruiter's office hours (no candidacy)


class InterviewFormat(str, enum.Enum):
    PHONE = "phone"
    VIDEO = "video"
    ON_SITE = "on_site"


class InterviewState(str, enum.Enum):
    PROPOSED = "proposed"  # slots offered; the candidate has not picked one yet
    SCHEDULED = "scheduled"  # a time is set (fixed by the recruiter or picked by the candidate)
    NEEDS_NEW_TIME = "needs_new_time"  # the candidate asked to reschedule, or no slot suited them
    DECLINED = "declined"  # the candidate declined the interview
    CANCELLED = "cancelled"  # the recruiter (or office-hours booker) cancelled it


class InterviewOutcome(str, enum.Enum):
    """What the recruiter recorded after the interview (internal; the candidate reads feedback)."""

    PROGRESSED = "progressed"
    NOT_PROGRESSED = "not_progressed"
    AWAITING_CLIENT = "awaiting_client"
    DID_NOT_TAKE_PLACE = "did_not_take_place"


def new_uid() -> str:
    return uuid.uuid4().hex


class Interview(FirmOwned, Model):
    """One meeting. `uid` is the iCalendar UID (stable for the interview's life); `sequence` grows
    on every change a calendar must follow (moved, cancelled, details changed)."""

    __tablename__ = "interviews"
    __table_args__ = (
        UniqueConstraint("firm_id", "uid"),
        Index("ix_interviews_firm_candidate_starts", "firm_id", "candidate_id", "starts_at"),
        Index("ix_interviews_firm_candidacy", "firm_id", "candidacy_id"),
        Index("ix_interviews_firm_recruiter_starts", "firm_id", "recruiter_id", "starts_at"),
        Index("ix_interviews_firm_state_starts", "firm_id", "state", "starts_at"),
        # One booking per office-hours slot: the database settles a race between two candidates.
        Index(
            "uq_interviews_office_hours_slot",
            "office_hours_id",
            "starts_at",
            unique=True,
            sqlite_where=text("office_hours_id IS NOT NULL AND state = 'scheduled'"),
            postgresql_where=text("office_hours_id IS NOT NULL AND state = 'scheduled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), default=new_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # None for an office-hours booking; set for every interview in a search.
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    # The recruiter who organises it (owner of the follow-up and of the feedback promise).
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    office_hours_id: Mapped[int | None] = mapped_column(ForeignKey("office_hours.id", ondelete="SET NULL"))
    kind: Mapped[InterviewKind] = mapped_column(enum_type(InterviewKind))
    round: Mapped[int] = mapped_column(Integer, default=1)
    format: Mapped[InterviewFormat] = mapped_column(enum_type(InterviewFormat))
    # The video link, the on-site address or the phone arrangement, per `format`.
    location: Mapped[str | None] = mapped_column(String(500))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None while proposed
    # Who the candidate meets: [{"name": ..., "title": ...}] (names the candidate may see).
    attendees: Mapped[list | None] = mapped_column(JSON)
    candidate_notes_md: Mapped[str] = mapped_column(Text, default="")
    candidate_notes_html: Mapped[str] = mapped_column(Text, default="")
    internal_notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InterviewState] = mapped_column(enum_type(InterviewState), default=InterviewState.SCHEDULED)
    # The candidate's answer when they decline, ask to reschedule or find no slot that suits.
    candidate_reason: Mapped[str | None] = mapped_column(Text)
    candidate_availability: Mapped[str | None] = mapped_column(Text)
    candidate_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the recruiter has seen the candidate's answer (it leaves needs-attention).
    answer_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[InterviewOutcome | None] = mapped_column(enum_type(InterviewOutcome))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The feedback promise: when candidate-facing feedback for this interview was written, and
    # when the candidate was told honestly that the firm is still waiting for the client.
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waiting_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidacy: Mapped[Candidacy | None] = relationship()
    candidate: Mapped[Candidate] = relationship()
    slots: Mapped[list[InterviewSlot]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="InterviewSlot.starts_at"
    )

    @property
    def ends_at(self) -> datetime | None:
        return self.starts_at + timedelta(minutes=self.duration_minutes) if self.starts_at else None

    def __repr__(self) -> str:
        return f"<Interview {self.id} {self.kind.value} {self.state.value}>"


class InterviewSlot(FirmOwned, Model):
    """One proposed time of a self-scheduled interview (2-10 per interview)."""

    __tablename__ = "interview_slots"
    __table_args__ = (UniqueConstraint("firm_id", "interview_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    picked: Mapped[bool] = mapped_column(Boolean, default=False)

    interview: Mapped[Interview] = relationship(back_populates="slots")


class OfficeHours(FirmOwned, Model):
    """A recruiter's weekly open time: every `weekday` from `start_minute` to `end_minute` (minutes
    after midnight in `timezone`), cut into slots of `slot_minutes`. Bookings are Interviews of
    kind OFFICE_HOURS pointing here."""

    __tablename__ = "office_hours"
    __table_args__ = (Index("ix_office_hours_firm_recruiter", "firm_id", "recruiter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recruiter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)  # Monday=0 ... Sunday=6
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    format: Mapped[InterviewFormat] = mapped_column(enum_type(InterviewFormat), default=InterviewFormat.VIDEO)
    location: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Debrief(FirmOwned, Model):
    """The candidate's own account after an interview; lands on the recruiter's needs-attention."""

    __tablename__ = "debriefs"
    __table_args__ = (
        UniqueConstraint("firm_id", "interview_id"),
        Index("ix_debriefs_firm_seen", "firm_id", "seen_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    how_it_went: Mapped[str] = mapped_column(Text, default="")
    interest: Mapped[int] = mapped_column(Integer)  # 1 (not interested) ... 5 (very interested)
    questions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    interview: Mapped[Interview] = relationship()
