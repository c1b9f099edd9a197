"""Read models for the candidate's pages: only what the candidate may see, in candidate words.

Every function issues a fixed number of queries whatever the data size (eager loads and
one IN-query per related table). Internal notes are never read here: the Note table is
not imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    Candidacy,
    Candidate,
    Client,
    Consent,
    ConsentState,
    Feedback,
    Firm,
    Search,
    SearchState,
    Stage,
    StageChange,
    User,
    utcnow,
)
from portal.models.search import client_name_for_candidate
from portal.services import NotFound, candidate_interviews, debriefs, recruiter_profile

# Consent requests and messages live in candidate_inbox; re-exported for the candidate's pages.
from portal.services.candidate_inbox import consent_for as consent_for
from portal.services.candidate_inbox import consent_lines as consent_lines
from portal.services.candidate_inbox import consents as consents
from portal.services.candidate_inbox import message_for as message_for
from portal.services.candidate_inbox import messages as messages
from portal.services.candidate_inbox import open_consent_count as open_consent_count

# The stepper of a search, in candidate words (candidate_steps); re-exported for the pages.
from portal.services.candidate_steps import ENDED_STEP as ENDED_STEP
from portal.services.candidate_steps import STEPS as STEPS
from portal.services.candidate_steps import Step as Step
from portal.services.candidate_steps import furthest as _furthest
from portal.services.candidate_steps import steps_for as steps_for
from portal.web.templating import candidate_stage_text


def candidate_for_user(user: User) -> Candidate | None:
    """The talent-pool record behind a candidate login (none once the account is deleted).
    Read on every candidate page (the blueprint's guard): its statement is built once."""
    return db.session.scalar(_statements()["candidate"], {"user_id": user.id})


@dataclass
class TimelineEntry:
    when: datetime
    label: str
    detail: str | None = None


# A recruiter as candidates see them (the one rule deciding who: services/recruiter_profile.py).
Recruiter = recruiter_profile.Recruiter


@dataclass
class SearchCard:
    candidacy_id: int
    title: str
    client_name: str
    location: str | None
    remote_label: str
    is_open: bool
    label: str
    explanation: str
    stage_changed_at: datetime
    close_reason: str | None
    close_explanation: str | None
    recruiter: Recruiter | None
    open_consent_id: int | None
    feedback_count: int
    timeline: list[TimelineEntry] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


# The card queries read columns, not entities: a page of cards needs a handful of fields
# from five tables, and building ORM objects for them cost more than the SQL (see
# docs/PERFORMANCE.md, candidate home).


@lru_cache(maxsize=1)
def _statements() -> dict:
    """The cards' statements, built once with bound parameters (building them and their cache
    keys cost about 200 us per statement and request; the tenant filter keeps the filtered form
    of a statement object, so its cache key is computed once too)."""
    feedback_count = (
        select(func.count(Feedback.id))
        .where(Feedback.candidacy_id == Candidacy.id)
        .correlate(Candidacy)
        .scalar_subquery()
    )
    cards = (
        select(
            Candidacy.id,
            Candidacy.stage,
            Candidacy.stage_changed_at,
            Candidacy.close_reason,
            Candidacy.close_explanation,
            Search.title,
            Search.location,
            Search.remote_policy,
            Search.owner_id,
            Search.confidential,
            Client.name.label("client"),
            feedback_count.label("feedback_count"),
        )
        .join(Search, Search.id == Candidacy.search_id)
        .join(Client, Client.id == Search.client_id)
        .where(Candidacy.candidate_id == bindparam("candidate_id"))
    )
    ids: BindParameter[list[int]] = bindparam("ids", expanding=True)
    feedback = (
        select(
            Feedback.id,
            Feedback.created_at,
            Feedback.body_html,
            Feedback.candidacy_id,
            Feedback.author_id,
            Search.title,
            Search.confidential,
            Client.name.label("client"),
        )
        .join(Candidacy, Candidacy.id == Feedback.candidacy_id)
        .join(Search, Search.id == Candidacy.search_id)
        .join(Client, Client.id == Search.client_id)
        .where(Candidacy.candidate_id == bindparam("candidate_id"))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    return {
        "candidate": select(Candidate).where(Candidate.user_id == bindparam("user_id"), Candidate.deleted_at.is_(None)),
        "feedback": feedback,
        "feedback_one": feedback.where(Candidacy.id == bindparam("candidacy_id")),
        "revealed": select(Consent.candidacy_id).where(Consent.candidacy_id.in_(ids)),
        "cards": cards,
        "card": cards.where(Candidacy.id == bindparam("candidacy_id")),
        "changes": select(
            StageChange.candidacy_id, StageChange.to_stage, StageChange.close_reason, StageChange.created_at
        )
        .where(StageChange.candidacy_id.in_(ids), StageChange.undone_at.is_(None))
        .order_by(StageChange.created_at, StageChange.id),
        "consents": select(
            Consent.id,
            Consent.candidacy_id,
            Consent.state,
            Consent.requested_at,
            Consent.answered_at,
            Consent.cv_sent_at,
            Consent.client_name,
        )
        .where(Consent.candidacy_id.in_(ids))
        .order_by(Consent.requested_at, Consent.id),
    }


def _consents_by_candidacy(candidacy_ids: list[int]) -> dict[int, list]:
    """Each candidacy's consent requests, oldest first, as rows (state, dates, client_name)."""
    out: dict[int, list] = {}
    if not candidacy_ids:
        return out
    rows = db.session.execute(_statements()["consents"], {"ids": candidacy_ids}).all()
    for row in rows:
        out.setdefault(row.candidacy_id, []).append(row)
    return out


def _timeline(
    stage_text: Callable[[Stage], tuple[str, str]],
    changes: list[StageChange],
    consents: list[Consent],
    interviews: list[tuple] | None = None,
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = [TimelineEntry(*entry) for entry in interviews or []]
    for ch in changes:
        label, _explanation = stage_text(ch.to_stage)
        detail = ch.close_reason.label if ch.to_stage == Stage.CLOSED and ch.close_reason else None
        entries.append(TimelineEntry(ch.created_at, label, detail))
    for c in consents:
        entries.append(
            TimelineEntry(
                c.requested_at,
                _("We asked for your consent"),
                _("To send your profile to %(client)s", client=c.client_name),
            )
        )
        if c.answered_at and c.state in (ConsentState.APPROVED, ConsentState.DECLINED):
            entries.append(
                TimelineEntry(
                    c.answered_at,
                    _("You said yes") if c.state == ConsentState.APPROVED else _("You said no"),
                    # Translators: after "You said yes" or "You said no" (to sending the candidate's profile).
                    _("To sending your profile to %(client)s", client=c.client_name),
                )
            )
        if c.cv_sent_at:
            entries.append(
                TimelineEntry(
                    c.cv_sent_at,
                    _("Your profile was sent"),
                    # Translators: after "Your profile was sent": to whom (a client's name).
                    _("To %(client)s", client=c.client_name),
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _cards(
    firm: Firm, candidate: Candidate, candidacy_id: int | None = None, recruiters: dict[int, Recruiter] | None = None
) -> list[SearchCard]:
    """The candidate's searches as cards. Four statements: candidacies with their search,
    client and feedback count, stage changes, consents, recruiters (pass `recruiters` to
    share the last one with the caller: see home()). Each card's recruiter follows the one
    rule (recruiter_profile.candidacy_recruiter_id)."""
    built = _statements()
    if candidacy_id is None:
        stmt, params = built["cards"], {"candidate_id": candidate.id}
    else:
        stmt, params = built["card"], {"candidate_id": candidate.id, "candidacy_id": candidacy_id}
    candidacies = db.session.execute(stmt, params).all()
    if not candidacies:
        return []
    ids = [c.id for c in candidacies]
    changes: dict[int, list] = {}
    for ch in db.session.execute(built["changes"], {"ids": ids}).all():
        changes.setdefault(ch.candidacy_id, []).append(ch)
    consents = _consents_by_candidacy(ids)
    interviews = candidate_interviews.timeline(firm, candidate, ids, utcnow())
    known = recruiter_profile.recruiters([candidate.owner_id, *(c.owner_id for c in candidacies)])
    if recruiters is not None:
        recruiters.update(known)
    said: dict[Stage, tuple[str, str]] = {}  # a stage's words, worked out once for all the cards

    def stage_text(stage: Stage) -> tuple[str, str]:
        if stage not in said:
            said[stage] = candidate_stage_text(stage, firm)
        return said[stage]

    steppers: dict[tuple[Stage, Stage | None], list[Step]] = {}  # the same stepper on many cards: worked out once

    def stepper(stage: Stage, reached: Stage | None) -> list[Step]:
        if (stage, reached) not in steppers:
            steppers[(stage, reached)] = steps_for(stage, reached)
        return steppers[(stage, reached)]

    cards = []
    for c in candidacies:
        label, explanation = stage_text(c.stage)
        mine = consents.get(c.id, [])
        open_consent = next((x for x in reversed(mine) if x.state == ConsentState.REQUESTED), None)
        cards.append(
            SearchCard(
                candidacy_id=c.id,
                title=c.title,
                # Hidden while the search is confidential, unless a consent request named the
                # client (the rule of services.consent.client_revealed, for many at once).
                client_name=client_name_for_candidate(c.confidential, c.client, told=bool(mine)),
                location=c.location,
                remote_label=c.remote_policy.label,
                is_open=c.stage.is_open,
                label=label,
                explanation=explanation,
                stage_changed_at=c.stage_changed_at,
                close_reason=c.close_reason.label if c.stage == Stage.CLOSED and c.close_reason else None,
                close_explanation=c.close_explanation if c.stage == Stage.CLOSED else None,
                recruiter=_known(known, recruiter_profile.candidacy_recruiter_id(c.owner_id, candidate, known)),
                open_consent_id=open_consent.id if open_consent is not None and c.stage.is_open else None,
                feedback_count=c.feedback_count,
                timeline=_timeline(stage_text, changes.get(c.id, []), mine, interviews.get(c.id, [])),
                steps=stepper(c.stage, _furthest(changes.get(c.id, []))),
            )
        )
    # Open searches first (most recent movement first), then the ended ones.
    cards.sort(key=lambda k: (not k.is_open, -k.stage_changed_at.timestamp()))
    return cards


def _known(known: dict[int, Recruiter], chosen: int | None) -> Recruiter | None:
    return known.get(chosen) if chosen is not None else None


def my_searches(firm: Firm, candidate: Candidate) -> list[SearchCard]:
    return _cards(firm, candidate)


@dataclass
class Home:
    cards: list[SearchCard]
    recruiter: Recruiter | None  # the candidate's own recruiter (their contact person)
    # The next interviews (the next first) and the held ones waiting for the candidate's debrief.
    interviews: list = field(default_factory=list)
    to_debrief: list = field(default_factory=list)


def home(firm: Firm, candidate: Candidate) -> Home:
    """The candidate's home: every search, and their recruiter by the one rule for the
    candidate overall, looked up together with the searches' recruiters (one statement)."""
    recruiters: dict[int, Recruiter] = {}
    cards = _cards(firm, candidate, recruiters=recruiters)
    now = utcnow()
    interviews = candidate_interviews.upcoming(firm, candidate, now)
    to_debrief = debriefs.to_write(firm, candidate, now)
    if not cards:
        return Home(cards, own_recruiter(candidate), interviews, to_debrief)
    # The cards come most recently moved first (open ones, then ended ones), each with its
    # recruiter already chosen by the rule for one candidacy.
    resolved = [(c.recruiter.id if c.recruiter else None, c.is_open) for c in cards]
    chosen = _known(recruiters, recruiter_profile.overall_recruiter_id(resolved, candidate, recruiters))
    return Home(cards, chosen, interviews, to_debrief)


def search_card(firm: Firm, candidate: Candidate, candidacy_id: int) -> SearchCard:
    cards = _cards(firm, candidate, candidacy_id)
    if not cards:
        raise NotFound(_("No such search."))
    return cards[0]


def own_recruiter(candidate: Candidate) -> Recruiter | None:
    """The candidate's recruiter, by the one rule (recruiter_profile.candidate_recruiter)."""
    return recruiter_profile.candidate_recruiter(candidate)


# ---------------------------------------------------------------- feedback


@dataclass
class FeedbackItem:
    id: int
    created_at: datetime
    body_html: str
    title: str
    client_name: str
    author: str | None
    candidacy_id: int


def feedback_items(firm: Firm, candidate: Candidate, candidacy_id: int | None = None) -> list[FeedbackItem]:
    """Feedback written for this candidate, newest first (read as columns, like the cards)."""
    built = _statements()
    if candidacy_id is None:
        stmt, params = built["feedback"], {"candidate_id": candidate.id}
    else:
        stmt, params = built["feedback_one"], {"candidate_id": candidate.id, "candidacy_id": candidacy_id}
    rows = db.session.execute(stmt, params).all()
    if not rows:
        return []
    revealed = set(db.session.scalars(built["revealed"], {"ids": list({f.candidacy_id for f in rows})}).all())
    authors = recruiter_profile.recruiters(f.author_id for f in rows)
    return [
        FeedbackItem(
            id=f.id,
            created_at=f.created_at,
            body_html=f.body_html,
            title=f.title,
            client_name=client_name_for_candidate(f.confidential, f.client, told=f.candidacy_id in revealed),
            author=authors[f.author_id].name if f.author_id in authors else None,
            candidacy_id=f.candidacy_id,
        )
        for f in rows
    ]


# ---------------------------------------------------------------- referrals


def referral_roles(firm: Firm) -> list[tuple[int, str]]:
    """Open roles a candidate may refer someone for (confidential clients not named)."""
    rows = (
        db.session.scalars(
            select(Search)
            .options(joinedload(Search.client))
            .where(Search.state == SearchState.OPEN)
            .order_by(Search.title)
            .limit(200)
        )
        .unique()
        .all()
    )
    return [(s.id, f"{s.title} ({s.client_name_for_candidate()})") for s in rows]
