"""The talent pool: candidates, their availability and preferences, skills and tags.
Tables only: never imports a service or commits."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.i18n import lazy as _l
from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow


class JobSeeking(str, enum.Enum):
    ACTIVE = "active"
    OPEN = "open"
    NOT_LOOKING = "not_looking"

    @property
    def label(self) -> str:
        return str(JOB_SEEKING_LABELS[self.value])


# Labels a candidate (and a recruiter) reads, in the reader's language: never the raw value.
JOB_SEEKING_LABELS = {
    # Translators: a candidate's job-seeking status.
    "active": _l("Actively looking"),
    # Translators: a candidate's job-seeking status.
    "open": _l("Open to offers"),
    # Translators: a candidate's job-seeking status.
    "not_looking": _l("Not looking"),
}


class Seniority(str, enum.Enum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"
    EXECUTIVE = "executive"

    @property
    def label(self) -> str:
        return str(SENIORITY_LABELS[self.value])

    @property
    def rank(self) -> int:
        return list(Seniority).index(self)


SENIORITY_LABELS = {
    # Translators: a seniority level (of a candidate or a role).
    "junior": _l("Junior"),
    # Translators: a seniority level (of a candidate or a role): mid-level.
    "mid": _l("Mid"),
    # Translators: a seniority level (of a candidate or a role).
    "senior": _l("Senior"),
    # Translators: a seniority level (of a candidate or a role): a team or tech lead.
    "lead": _l("Lead"),
    # Translators: a seniority level (of a candidate or a role).
    "executive": _l("Executive"),
}


class RemotePreference(str, enum.Enum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"
    ANY = "any"

    @property
    def label(self) -> str:
        return str(REMOTE_LABELS[self.value])


REMOTE_LABELS = {
    # Translators: where a role is worked, or where a candidate wants to work: at the office.
    "onsite": _l("On-site"),
    # Translators: where a role is worked: partly at the office, partly at home.
    "hybrid": _l("Hybrid"),
    # Translators: where a role is worked: from home.
    "remote": _l("Remote"),
    # Translators: a candidate's remote-work preference: any of on-site, hybrid or remote.
    "any": _l("Any"),
}


class EmploymentStatus(str, enum.Enum):
    EMPLOYED = "employed"
    NOTICE = "notice"
    UNEMPLOYED = "unemployed"
    FREELANCE = "freelance"
    STUDENT = "student"

    @property
    def label(self) -> str:
        return str(EMPLOYMENT_LABELS[self.value])


EMPLOYMENT_LABELS = {
    # Translators: a candidate's current situation.
    "employed": _l("Employed"),
    # Translators: a candidate's current situation: they resigned and work their notice period.
    "notice": _l("Serving notice"),
    # Translators: a candidate's current situation.
    "unemployed": _l("Not employed"),
    # Translators: a candidate's current situation.
    "freelance": _l("Freelance / contracting"),
    # Translators: a candidate's current situation.
    "student": _l("Student"),
}


class SuggestionFrequency(str, enum.Enum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    NEVER = "never"

    @property
    def label(self) -> str:
        return str(SUGGESTION_LABELS[self.value])


SUGGESTION_LABELS = {
    # Translators: how often a candidate hears about roles that may fit them.
    "weekly": _l("Weekly"),
    # Translators: how often a candidate hears about roles that may fit them.
    "monthly": _l("Monthly"),
    # Translators: how often a candidate hears about roles that may fit them.
    "never": _l("Never"),
}


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


POOL_WALK_COLUMNS = ("firm_id", "name", "id", "deleted_at", "job_seeking", "last_contacted_at", "owner_id", "location")


class Candidate(FirmOwned, Model):
    """A person in the firm's talent pool; may or may not have a portal login."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("firm_id", "email"),
        # Least recently contacted first, with what the firm-wide overdue list tests of each
        # person before its candidacies (issue 24): the walk reads the index, not the rows.
        Index("ix_candidates_firm_last_contacted", "firm_id", "last_contacted_at", "id", "deleted_at"),
        # A recruiter's own candidates, least recently contacted first (needs attention).
        Index(
            "ix_candidates_owner_last_contacted", "firm_id", "owner_id", "last_contacted_at", postgresql_include=["id"]
        ),  # index-only "my candidates" on PostgreSQL too
        Index("ix_candidates_owner_availability", "firm_id", "owner_id", "availability_changed_at"),
        Index("ix_candidates_firm_unreachable", "firm_id", "unreachable_since"),
        Index("ix_candidates_firm_updated", "firm_id", "updated_at", "id"),  # the API's list and cursor
        # The talent pool's own order with the columns its filters test, so that a page walks
        # index entries by name and reads only the rows it shows (talent_pool._walk_by_name).
        Index("ix_candidates_firm_name", *POOL_WALK_COLUMNS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    headline: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(120))
    # The zone the candidate reads times in (interviews, reminders); None = the firm's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The language the candidate reads their portal and emails in (None: the firm's default);
    # kept equal to their account's User.language (portal/services/languages.py).
    language: Mapped[str | None] = mapped_column(String(10))
    seniority: Mapped[Seniority | None] = mapped_column(enum_type(Seniority))
    summary: Mapped[str | None] = mapped_column(Text)

    # Availability (kept current by the candidate)
    job_seeking: Mapped[JobSeeking] = mapped_column(enum_type(JobSeeking), default=JobSeeking.OPEN)
    available_from: Mapped[date | None] = mapped_column(Date)
    notice_weeks: Mapped[int | None] = mapped_column(Integer)
    employment_status: Mapped[EmploymentStatus | None] = mapped_column(enum_type(EmploymentStatus))
    desired_roles: Mapped[str | None] = mapped_column(String(300))
    desired_locations: Mapped[str | None] = mapped_column(String(300))
    remote_preference: Mapped[RemotePreference] = mapped_column(
        enum_type(RemotePreference), default=RemotePreference.ANY
    )
    pay_expectation: Mapped[int | None] = mapped_column(Integer)
    pay_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    profile_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The retention policy told them their data will be erased (portal/services/retention.py);
    # cleared when they are active again.
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    availability_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # CV, stored outside the web root under UPLOAD_DIR
    cv_path: Mapped[str | None] = mapped_column(String(300))
    cv_filename: Mapped[str | None] = mapped_column(String(200))
    cv_mime: Mapped[str | None] = mapped_column(String(100))
    cv_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What they want to hear (updates about their own searches are never optional)
    suggestion_frequency: Mapped[SuggestionFrequency] = mapped_column(
        enum_type(SuggestionFrequency), default=SuggestionFrequency.WEEKLY
    )
    allow_availability_prompts: Mapped[bool] = mapped_column(Boolean, default=True)
    unsubscribed_all: Mapped[bool] = mapped_column(Boolean, default=False)
    # Check-ins ("no news yet") by email; they are written to the portal either way.
    checkin_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The one-question experience survey ("How well did we keep you informed?") by email.
    survey_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # When the candidate was last sent a survey: at most one per 30 days, claimed with a
    # conditional UPDATE so two planners never both ask (portal/services/surveys.py).
    surveyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribe_token: Mapped[str] = mapped_column(String(40), default=new_unsubscribe_token, unique=True)
    email_failures: Mapped[int] = mapped_column(Integer, default=0)
    email_suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when a candidate-facing update could not be emailed (failed permanently, or
    # skipped: no address, suppressed); cleared by a delivered email or a recorded contact.
    # The candidate then stands at the top of needs-attention and of the recruiter digest.
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # When the candidate last heard from the firm (kept by the outbox; indexed for "overdue")
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_nurtured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_availability_prompt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    skills: Mapped[list[CandidateSkill]] = relationship(back_populates="candidate", cascade="all, delete-orphan")
    tags: Mapped[list[CandidateTag]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.name}>"


class Skill(FirmOwned, Model):
    """One skill of the firm's vocabulary; `key` is the folded form used for matching."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("firm_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SkillAlias(FirmOwned, Model):
    """A synonym ("JS") that resolves to a skill of the vocabulary ("JavaScript")."""

    __tablename__ = "skill_aliases"
    __table_args__ = (UniqueConstraint("firm_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)


class CandidateSkill(FirmOwned, Model):
    __tablename__ = "candidate_skills"
    # Covering index for matching: the people holding a skill, read from the index alone.
    __table_args__ = (Index("ix_candidate_skills_firm_skill", "firm_id", "skill_id", "candidate_id"),)

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)

    candidate: Mapped[Candidate] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship(lazy="joined")


class CandidateTag(FirmOwned, Model):
    """Free tags on a talent-pool member beyond skills: function, sector, languages..."""

    __tablename__ = "candidate_tags"
    __table_args__ = (Index("ix_candidate_tags_firm_name", "firm_id", "name"),)

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
