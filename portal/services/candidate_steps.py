"""A search's stepper as the candidate sees it (their home, a search's page, an interview's page):
six steps in candidate words, in the reader's language, each done, current or ahead. Pure: no
database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.i18n import lazy as _l
from portal.models import Stage


@dataclass
class Step:
    """One step of a search's stepper, in candidate words: done, current or ahead."""

    label: str
    state: str  # "done" | "current" | "ahead"


# The stepper's steps, in candidate words (short enough for six across a phone). Identified
# and contacted (and applied, for someone who applied) are one step for the candidate: "we are in touch".
STEPS: tuple[tuple[Any, tuple[Stage, ...]], ...] = (
    # Translators: a step of a search (the candidate's stepper): the firm and the candidate are in touch.
    (_l("In touch"), (Stage.APPLIED, Stage.IDENTIFIED, Stage.CONTACTED)),
    # Translators: a step of a search (the candidate's stepper): the recruiter's screening conversations.
    (_l("Getting to know you"), (Stage.SCREENING,)),
    # Translators: a step of a search (the candidate's stepper): their profile is with the client.
    (_l("With the client"), (Stage.PRESENTED,)),
    # Translators: a step of a search (the candidate's stepper).
    (_l("Interviews"), (Stage.INTERVIEWING,)),
    # Translators: a step of a search (the candidate's stepper): the client makes an offer.
    (_l("Offer"), (Stage.OFFER,)),
    # Translators: a step of a search (the candidate's stepper): the candidate got the job.
    (_l("Hired"), (Stage.PLACED,)),
)
# Translators: the last step of a search that ended without the candidate being hired (the stepper).
ENDED_STEP = _l("Ended")


def steps_for(stage: Stage, reached: Stage | None = None) -> list[Step]:
    """The stepper of a candidacy at `stage`: steps before it done, its own current, the rest
    ahead. A closed candidacy shows the steps it reached (`reached`: the furthest stage before
    it closed) as done, then one current step "Ended"."""
    where = stage if stage != Stage.CLOSED else reached
    index = next((i for i, (_label, stages) in enumerate(STEPS) if where in stages), -1)
    if stage == Stage.CLOSED:
        done = [Step(str(label), "done") for label, _stages in STEPS[: index + 1]]
        return done + [Step(str(ENDED_STEP), "current")]
    return [
        Step(str(label), "done" if i < index else "current" if i == index else "ahead")
        for i, (label, _stages) in enumerate(STEPS)
    ]


def furthest(changes: list) -> Stage | None:
    """The furthest pipeline stage a candidacy reached (from its stage changes)."""
    order = [s for s in Stage if s != Stage.CLOSED]
    reached = [ch.to_stage for ch in changes if ch.to_stage != Stage.CLOSED]
    return max(reached, key=order.index) if reached else None
