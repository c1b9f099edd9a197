"""What a candidate has to do now, as one to-do list at the top of their home page.

Each kind of task has its own source function here (today: consent requests to answer; later
slots to pick, debriefs to write, messages to read); `todo_items` gathers them, most urgent
first. Read-only: it must never write, and never list another candidate's tasks (each source
reads only the candidate's own rows, already scoped by the caller's cards)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from portal.i18n import gettext as _
from portal.services.candidate_portal import SearchCard


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: what (in candidate words) and where to do it (an endpoint and its
    arguments, turned into a link by the template)."""

    kind: str
    title: str
    detail: str
    action: str
    endpoint: str
    args: dict = field(default_factory=dict)


def consents_to_answer(cards: Sequence[SearchCard]) -> list[TodoItem]:
    """A consent request waits for the candidate on each open search that has one."""
    return [
        TodoItem(
            kind="consent",
            # Translators: %(role)s is the title of a role (a search), e.g. "Data Engineer".
            title=_("We need your answer: may we send your profile for %(role)s?", role=card.title),
            # Translators: %(client)s is the client's name (or "Confidential client").
            detail=_("%(client)s. We send nothing until you say yes.", client=card.client_name),
            # Translators: a button on the candidate's to-do list.
            action=_("Answer now"),
            endpoint="candidate.consent",
            args={"consent_id": card.open_consent_id},
        )
        for card in cards
        if card.open_consent_id and card.is_open
    ]


# The sources, in the order their items are listed (new kinds of task join here).
SOURCES = (consents_to_answer,)


def debriefs_to_write(to_debrief: Sequence[tuple]) -> list[TodoItem]:
    """A debrief waits after each held interview (services/debriefs.to_write: (interview, when))."""
    return [
        TodoItem(
            kind="debrief",
            # Translators: %(when)s is "Tuesday, May 12 at 10:00 AM".
            title=_("How did your interview on %(when)s go?", when=when),
            detail=_("Two minutes: how it went, how interested you are, any questions. Your recruiter reads it."),
            # Translators: a button on the candidate's to-do list.
            action=_("Tell us how it went"),
            endpoint="candidate.interview_debrief",
            args={"interview_id": interview.id},
        )
        for interview, when in to_debrief
    ]


def todo_items(cards: Sequence[SearchCard], to_debrief: Sequence[tuple] = ()) -> list[TodoItem]:
    """Everything the candidate has to do now, from what the home page already read (no
    further query)."""
    return [item for source in SOURCES for item in source(cards)] + debriefs_to_write(to_debrief)
