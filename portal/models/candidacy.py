"""A candidate in a search (the candidacy), its stage history, feedback, internal notes, consent,
interest and updates. Tables only: never imports a service. CANDIDATE_STAGE_TEXT holds the
stage words candidates see, never the raw codes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.i18n import lazy as _l
from portal.models.base import FirmOwned, Model, UTCDateTime, enum_type, utcnow
from portal.models.candidate import Candidate
from portal.models.search import Search


class Stage(str, enum.Enum):
    APPLIED = "applied"  # applied through the careers site (the first stage)
    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    SCREENING = "screening"
    PRESENTED = "presented"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    PLACED = "placed"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The recruiter's (internal) word for the stage, in the reader's language."""
        return str(INTERNAL_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self not in (Stage.PLACED, Stage.CLOSED)


PIPELINE: tuple[Stage, ...] = tuple(s for s in Stage if s is not Stage.CLOSED)
OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s.is_open)

# Translators: the stages of a search's pipeline as recruiters name them (staff pages; short).
INTERNAL_LABELS = {
    Stage.APPLIED: _l("Applied"),
    Stage.IDENTIFIED: _l("Identified"),
    Stage.CONTACTED: _l("Contacted"),
    Stage.SCREENING: _l("Screening"),
    Stage.PRESENTED: _l("Presented to client"),
    Stage.INTERVIEWING: _l("Interviewing"),
    Stage.OFFER: _l("Offer"),
    Stage.PLACED: _l("Placed"),
    Stage.CLOSED: _l("Closed"),
}

# Candidate-facing words: what the stage means and what happens next, in the reader's language
# (lazy: translated when shown). A firm may reword them per language (Firm.stage_labels, and
# Firm.texts[lang]["stage_labels"]); "%(days)s" stands for the firm's cadence
# (portal.web.templating.candidate_stage_text fills it in).
CANDIDATE_STAGE_TEXT: dict[Stage, tuple[Any, Any]] = {
    Stage.APPLIED: (
        # Translators: a stage of a search as the candidate reads it (a short badge): they applied.
        _l("We have your application"),
        # Translators: the candidate's stage explained; %(days)s is the number of days the firm allows without news (1 to 60).
        _l("We have your application and will reply within %(days)s days."),
    ),
    Stage.IDENTIFIED: (
        # Translators: a stage of a search as the candidate reads it (a short badge).
        _l("We think you may fit"),
        # Translators: the candidate's stage explained.
        _l("We noted you as a possible fit. We will be in touch before anything happens."),
    ),
    Stage.CONTACTED: (
        # Translators: a stage of a search as the candidate reads it (a short badge).
        _l("We have been in touch"),
        # Translators: the candidate's stage explained.
        _l("We reached out about this role. Next, we arrange a conversation."),
    ),
    Stage.SCREENING: (
        # Translators: a stage of a search as the candidate reads it (a short badge): the recruiter screens them.
        _l("Getting to know you"),
        # Translators: the candidate's stage explained.
        _l("We are talking with you about the role. Next, we decide together whether to put you forward."),
    ),
    Stage.PRESENTED: (
        # Translators: a stage of a search as the candidate reads it (a short badge): their CV went to the client.
        _l("Your profile is with the client"),
        # Translators: the candidate's stage explained.
        _l("With your consent, we sent your profile to the client. They usually reply within one to two weeks."),
    ),
    Stage.INTERVIEWING: (
        # Translators: a stage of a search as the candidate reads it (a short badge).
        _l("Interviewing"),
        # Translators: the candidate's stage explained.
        _l("You are interviewing with the client. We share their feedback after each round."),
    ),
    Stage.OFFER: (
        # Translators: a stage of a search as the candidate reads it (a short badge): the client makes an offer.
        _l("Offer stage"),
        # Translators: the candidate's stage explained.
        _l("The client wants to make you an offer. We help you with the details."),
    ),
    Stage.PLACED: (
        # Translators: a stage of a search as the candidate reads it (a short badge): they were hired.
        _l("You got the job"),
        # Translators: the candidate's stage explained.
        _l("Congratulations! You accepted the role."),
    ),
    Stage.CLOSED: (
        # Translators: a stage of a search as the candidate reads it (a short badge): the process ended.
        _l("This search has ended for you"),
        # Translators: the candidate's stage explained.
        _l("This process has ended for you. We told you why, and we keep you in mind for future roles."),
    ),
}


class CloseReason(str, enum.Enum):
    NOT_A_FIT = "not_a_fit"
    WITHDREW = "withdrew"
    CLIENT_DECLINED = "client_declined"
    ROLE_CLOSED = "role_closed"

    @property
    def label(self) -> str:
        """Why a search ended, as the candidate reads it (in the reader's language)."""
        return str(CLOSE_REASON_TEXT[self.value])

    @property
    def internal_label(self) -> str:
        """Why a candidacy was closed, as recruiters name it (in the reader's language)."""
        return str(CLOSE_REASON_STAFF[self.value])


# Translators: why a candidacy was closed, as recruiters name it (staff pages; short).
CLOSE_REASON_STAFF = {
    "not_a_fit": _l("Not a fit"),
    "withdrew": _l("Withdrew"),
    "client_declined": _l("Client declined"),
    "role_closed": _l("Role closed"),
}


# Why a search ended for the candidate, in their words ("Why: ...").
CLOSE_REASON_TEXT = {
    # Translators: why a search ended for the candidate (shown after "Why:").
    "not_a_fit": _l("Not a fit for this role"),
    # Translators: why a search ended for the candidate (shown after "Why:"): they withdrew themselves.
    "withdrew": _l("You withdrew"),
    # Translators: why a search ended for the candidate (shown after "Why:").
    "client_declined": _l("The client decided not to proceed"),
    # Translators: why a search ended for the candidate (shown after "Why:").
    "role_closed": _l("The role was closed"),
}


class Candidacy(FirmOwned, Model):
    """One candidate in one search, at one stage. `version` guards concurrent moves."""

    __tablename__ = "candidacies"
    __table_args__ = (
        UniqueConstraint("firm_id", "search_id", "candidate_id"),
        # A stage's candidacies, oldest first, with whose they are: the dashboard's new
        # applications walk the applied ones and test "mine" from the index alone (issue 24).
        Index("ix_candidacies_firm_stage", "firm_id", "stage", "created_at", "id", "candidate_id", "search_id"),
        # Covering indexes for "who is active, where": a search's pipeline by stage, and a
        # candidate's candidacies by stage (the needs-attention and check-in queries).
        Index("ix_candidacies_search_stage", "firm_id", "search_id", "stage", "candidate_id"),
        Index("ix_candidacies_candidate_stage", "firm_id", "candidate_id", "stage", "search_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(enum_type(Stage), default=Stage.IDENTIFIED)
    version: Mapped[int] = mapped_column(Integer, default=1)
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_type(CloseReason))
    close_explanation: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    search: Mapped[Search] = relationship()
    candidate: Mapped[Candidate] = relationship()

    __mapper_args__ = {"version_id_col": version}


class StageChange(FirmOwned, Model):
    """Every move of a candidacy: who, when, from, to (and why, on close)."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[Stage | None] = mapped_column(enum_type(Stage))
    to_stage: Mapped[Stage] = mapped_column(enum_type(Stage))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_type(CloseReason))
    explanation: Mapped[str | None] = mapped_column(Text)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(FirmOwned, Model):
    """Recruiter-written text the candidate sees. Markdown source plus sanitised HTML."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The interview this feedback follows (the feedback promise), if any.
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), index=True)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidacy: Mapped[Candidacy] = relationship()


class Note(FirmOwned, Model):
    """An internal note. Never shown to the candidate: a table no candidate page reads."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    candidacy_id: Mapped[int | None] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentState(str, enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Consent(FirmOwned, Model):
    """The candidate's yes/no to having their CV sent to this client for this role."""

    __tablename__ = "consents"
    __table_args__ = (
        # Waiting requests, oldest first (needs attention), with whose they are: the dashboard
        # reads its list and its "mine" test from the index alone, not from each request's
        # candidacy (issue 24; docs/PERFORMANCE.md, the dashboard at a million candidates).
        Index(
            "ix_consents_firm_state_requested",
            "firm_id",
            "state",
            "requested_at",
            "id",
            "candidate_id",
            "search_id",
            "candidacy_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidacy_id: Mapped[int] = mapped_column(ForeignKey("candidacies.id", ondelete="CASCADE"), index=True)
    # The candidacy's candidate and search, copied when the request is made (a candidacy never
    # changes either), so the dashboard's "mine" test reads them from the index above. No
    # foreign keys of their own: the row goes with its candidacy (ON DELETE CASCADE above), and
    # a key would make every deleted candidate or search look up consents by these columns.
    candidate_id: Mapped[int] = mapped_column(Integer)
    search_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[ConsentState] = mapped_column(enum_type(ConsentState), default=ConsentState.REQUESTED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(Text)
    cv_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the candidate was shown, frozen at request time.
    client_name: Mapped[str] = mapped_column(String(120))
    role_title: Mapped[str] = mapped_column(String(200))

    candidacy: Mapped[Candidacy] = relationship()


class Interest(FirmOwned, Model):
    """A candidate said "I'm interested" in a search."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("firm_id", "candidate_id", "search_id"),
        Index("ix_interests_firm_open", "firm_id", "handled_at", "created_at"),
        # The dashboard's unhandled interests, oldest first, and whose they are: read from the
        # index alone (issue 24; docs/PERFORMANCE.md, the dashboard at a million candidates).
        Index(
            "ix_interests_firm_unhandled",
            "firm_id",
            "created_at",
            "id",
            "candidate_id",
            "search_id",
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship()
    search: Mapped[Search] = relationship()


class UpdateKind(str, enum.Enum):
    UPDATE = "update"
    REFERRAL = "referral"
    AVAILABILITY = "availability"


class CandidateUpdate(FirmOwned, Model):
    """Something the candidate told the firm: a short update, a referral, a profile change."""

    __tablename__ = "candidate_updates"
    __table_args__ = (
        Index("ix_candidate_updates_firm_open", "firm_id", "handled_at", "created_at"),
        # The dashboard's unhandled updates, oldest first, and whose they are (issue 24).
        Index(
            "ix_candidate_updates_firm_unhandled",
            "firm_id",
            "created_at",
            "id",
            "candidate_id",
            "search_id",
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[UpdateKind] = mapped_column(enum_type(UpdateKind))
    body: Mapped[str] = mapped_column(Text, default="")
    search_id: Mapped[int | None] = mapped_column(ForeignKey("searches.id", ondelete="SET NULL"))
    referral_name: Mapped[str | None] = mapped_column(String(120))
    referral_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship()


class SuggestedRole(FirmOwned, Model):
    """A role already suggested to a candidate (nurture never repeats a role)."""

    __tablename__ = "suggested_roles"
    __table_args__ = (UniqueConstraint("firm_id", "candidate_id", "search_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("searches.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
