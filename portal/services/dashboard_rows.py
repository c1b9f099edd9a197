"""The rows and sections of "needs attention" (portal/services/dashboard.py builds them): what
the page and the digest read, one dataclass per kind of row."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.models import Candidacy, Candidate, Consent, ConversationMessage, Message


@dataclass
class OverdueRow:
    candidate: Candidate
    days: int | None  # None: never contacted
    candidacies: list[Candidacy]


@dataclass
class UnreachableRow:
    candidate: Candidate
    reason: str  # in plain words
    message: Message | None  # the latest update that did not reach them
    days: int


@dataclass
class ConsentRow:
    consent: Consent
    candidacy: Candidacy
    days: int


@dataclass
class WaitingMessageRow:
    """A candidate's message nobody has answered yet (promise 8)."""

    post: ConversationMessage
    candidate: Candidate
    waited: str  # "3 days", "5 hours"
    overdue: bool


@dataclass
class Section:
    rows: list
    more: bool = False


@dataclass
class Attention:
    scope: str
    cadence_days: int
    section: str | None = None  # one kind only ("show all"), else the home
    messages: Section = field(default_factory=lambda: Section([]))  # candidates waiting for an answer: first
    unreachable: Section = field(default_factory=lambda: Section([]))
    applications: Section = field(default_factory=lambda: Section([]))
    overdue: Section = field(default_factory=lambda: Section([]))
    consents: Section = field(default_factory=lambda: Section([]))
    interests: Section = field(default_factory=lambda: Section([]))
    updates: Section = field(default_factory=lambda: Section([]))
    availability: Section = field(default_factory=lambda: Section([]))
    failed: Section = field(default_factory=lambda: Section([]))
    # After interviews (services/interview_attention.py): feedback owed (promise 7), debriefs.
    interview_feedback: Section = field(default_factory=lambda: Section([]))
    debriefs: Section = field(default_factory=lambda: Section([]))
    interview_answers: Section = field(default_factory=lambda: Section([]))  # services/dashboard_interviews.py

    @property
    def empty(self) -> bool:
        return not any(
            s.rows
            for s in (
                self.messages,
                self.unreachable,
                self.applications,
                self.overdue,
                self.consents,
                self.interests,
                self.updates,
                self.availability,
                self.failed,
                self.interview_feedback,
                self.debriefs,
                self.interview_answers,
            )
        )
