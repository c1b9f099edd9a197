"""The pipeline: adding candidates to searches, moving and closing candidacies.

Every change keeps its history (StageChange) and writes the candidate's message in the
same transaction. Moves carry the version the recruiter saw: a stale one is a Conflict.
Services here flush, never commit; they never send (the outbox does, after the caller's commit).
What each candidate reads when a whole search closes is portal.services.close_texts; the
messages themselves (a stage move, close the loop) are portal.services.pipeline_messages.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import outbox
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    OPEN_STAGES,
    PIPELINE,
    Candidacy,
    Candidate,
    CloseReason,
    Firm,
    Message,
    MessageState,
    Search,
    SearchState,
    Stage,
    StageChange,
    User,
    utcnow,
)
from portal.services import Conflict, DomainError, close_texts, disclosure, webhook_payloads, webhooks
from portal.services import consent as consent_service

# What each candidate reads when a search closes, and its preview (also this module's API).
from portal.services.close_texts import MAX_EXPLANATION, CloseGroup, ClosePreview, close_preview  # noqa: F401
from portal.services.matching import pools as match_pools
from portal.services.pipeline_messages import coalesce_key, notify_closed, notify_stage

# Feedback's name for it (portal.services.feedback imports it, with coalesce_key, from here).
from portal.services.pipeline_messages import recruiter_for as _recruiter_for  # noqa: F401

# Stages at which the candidate knows they are in the search (and so hears about changes).
CANDIDATE_KNOWS = frozenset(s for s in Stage if s is not Stage.IDENTIFIED)


def add_to_search(
    firm: Firm, actor: User, search: Search, candidate: Candidate, stage: Stage = Stage.IDENTIFIED
) -> Candidacy:
    if search.state.is_closed:
        raise DomainError(_("This search is closed; reopen it before adding candidates."))
    if candidate.deleted_at is not None:
        raise DomainError(_("This candidate deleted their account."))
    if stage not in PIPELINE or stage in (Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED):
        raise DomainError(_("New candidates start at identified, contacted or screening."))
    exists = db.session.scalar(
        select(Candidacy.id).where(Candidacy.search_id == search.id, Candidacy.candidate_id == candidate.id)
    )
    if exists:
        raise DomainError(_("%(name)s is already in this search.", name=candidate.name))
    candidacy = Candidacy(
        firm_id=firm.id,
        search_id=search.id,
        candidate_id=candidate.id,
        stage=stage,
        added_by_id=actor.id,
        stage_changed_at=utcnow(),
    )
    db.session.add(candidacy)
    db.session.flush()
    change = StageChange(firm_id=firm.id, candidacy_id=candidacy.id, from_stage=None, to_stage=stage, actor_id=actor.id)
    db.session.add(change)
    db.session.flush()
    if stage in CANDIDATE_KNOWS:
        notify_stage(firm, actor, candidacy, change)
    return candidacy


def _check_version(candidacy: Candidacy, expected_version: int | None) -> None:
    if expected_version is not None and candidacy.version != expected_version:
        raise Conflict(
            _(
                "Someone else changed %(name)s's candidacy a moment ago (it is now at “%(stage)s”). "
                "Nothing was overwritten: review it and try again.",
                name=candidacy.candidate.name,
                stage=candidacy.stage.label,
            )
        )


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            _("Someone else changed this candidacy at the same moment. Nothing was overwritten: reload and try again.")
        ) from exc


def move(
    firm: Firm, actor: User, candidacy: Candidacy, to_stage: Stage, expected_version: int | None = None
) -> StageChange:
    """Move an open candidacy to another pipeline stage (closing is `close`)."""
    _check_version(candidacy, expected_version)
    if not candidacy.stage.is_open:
        raise DomainError(_("This candidacy is closed; it cannot move any more."))
    if to_stage not in PIPELINE:
        raise DomainError(_("Use “Close” to end a candidacy, with a reason."))
    if to_stage == candidacy.stage:
        raise DomainError(_("The candidacy is already at “%(stage)s”.", stage=to_stage.label))
    consent = None
    if to_stage == Stage.PRESENTED or (
        PIPELINE.index(to_stage) > PIPELINE.index(Stage.PRESENTED)
        and PIPELINE.index(candidacy.stage) < PIPELINE.index(Stage.PRESENTED)
    ):
        consent = consent_service.approved(candidacy)
        if consent is None:
            raise DomainError(
                _(
                    "The candidate has not approved sending their profile to this client. "
                    "Request their consent first; the move is possible once they say yes."
                )
            )
    change = StageChange(
        firm_id=firm.id, candidacy_id=candidacy.id, from_stage=candidacy.stage, to_stage=to_stage, actor_id=actor.id
    )
    candidacy.stage = to_stage
    candidacy.stage_changed_at = utcnow()
    if consent is not None:
        consent_service.mark_cv_sent(consent)
    db.session.add(change)
    _flush_versioned()
    if to_stage in CANDIDATE_KNOWS:
        notify_stage(firm, actor, candidacy, change)
    webhooks.emit(firm.id, "candidacy.moved", lambda: webhook_payloads.candidacy(candidacy, change, actor))
    return change


def close(
    firm: Firm,
    actor: User,
    candidacy: Candidacy,
    reason: CloseReason,
    explanation: str,
    expected_version: int | None = None,
    *,
    names_checked: bool = False,
) -> StageChange:
    """Close with a reason the candidate is told (close the loop). An explanation that names
    a confidential client the candidate was not told is refused (disclosure.ClientNamed)
    unless the caller checked it already (`names_checked`, closing a whole search)."""
    _check_version(candidacy, expected_version)
    if not candidacy.stage.is_open:
        raise DomainError(_("This candidacy is already closed."))
    explanation = (explanation or "").strip()
    if len(explanation) > MAX_EXPLANATION:
        raise DomainError(_("Please keep the explanation under %(num)d characters.", num=MAX_EXPLANATION))
    if not names_checked:
        disclosure.ensure_not_named(candidacy.search, explanation, [candidacy.id], what=_("Your explanation"))
    now = utcnow()
    change = StageChange(
        firm_id=firm.id,
        candidacy_id=candidacy.id,
        from_stage=candidacy.stage,
        to_stage=Stage.CLOSED,
        actor_id=actor.id,
        close_reason=reason,
        explanation=explanation or None,
    )
    candidacy.stage = Stage.CLOSED
    candidacy.stage_changed_at = now
    candidacy.closed_at = now
    candidacy.close_reason = reason
    candidacy.close_explanation = explanation or None
    db.session.add(change)
    _flush_versioned()
    notify_closed(firm, actor, candidacy, change)
    webhooks.emit(firm.id, "candidacy.closed", lambda: webhook_payloads.candidacy(candidacy, change, actor))
    return change


def close_search(
    firm: Firm,
    actor: User,
    search: Search,
    state: SearchState,
    reason: CloseReason = CloseReason.ROLE_CLOSED,
    explanation: str = "",
    untold_explanation: str | None = None,
) -> int:
    """Fill or cancel a search: every open candidacy is closed and told why. Returns the count.

    For a confidential search, candidates who were not told the client read
    `untold_explanation` when it is given (the version without the client's name); an
    explanation naming the client to one of them is refused (disclosure.ClientNamed). The
    close-the-loop messages wait for the grace window: `undo_close_search` takes it all back."""
    if state not in (SearchState.FILLED, SearchState.CANCELLED):
        raise DomainError(_("A search closes as filled or cancelled."))
    if search.state.is_closed:
        raise DomainError(_("This search is already closed."))
    explanation = (explanation or "").strip()
    open_ones = db.session.scalars(
        select(Candidacy).where(Candidacy.search_id == search.id, Candidacy.stage.in_(OPEN_STAGES))
    ).all()
    texts = close_texts.for_candidacies(search, explanation, untold_explanation, [c.id for c in open_ones])
    # The search's close time comes first: every close it causes is at or after it (undo).
    search.closed_at = utcnow()
    for candidacy in open_ones:
        close(firm, actor, candidacy, reason, texts.get(candidacy.id, explanation), names_checked=True)
    search.state = state
    db.session.flush()
    match_pools.drop(firm, [search])
    return len(open_ones)


def undo_close_search(firm: Firm, actor: User, search: Search, state: SearchState = SearchState.OPEN) -> int:
    """Within the grace window, take a search close back: the search is open (or on hold)
    again, every candidacy it closed is reopened where it was, and their close-the-loop
    messages are cancelled (the board's undo, for each). Returns how many were reopened."""
    if state not in (SearchState.OPEN, SearchState.ON_HOLD):
        raise DomainError(_("A search reopens as open or on hold."))
    if not search.state.is_closed or search.closed_at is None:
        raise DomainError(_("This search is not closed; there is nothing to undo."))
    if utcnow() - search.closed_at > timedelta(seconds=current_app.config["GRACE_SECONDS"]):
        raise DomainError(
            _(
                "Too late to undo: the grace period is over and the candidates are being told. "
                "Reopen the search from its edit page instead."
            )
        )
    changes = db.session.scalars(
        select(StageChange)
        .join(Candidacy, Candidacy.id == StageChange.candidacy_id)
        .where(
            Candidacy.search_id == search.id,
            Candidacy.stage == Stage.CLOSED,
            StageChange.to_stage == Stage.CLOSED,
            StageChange.undone_at.is_(None),
            StageChange.created_at >= search.closed_at,
        )
        .order_by(StageChange.id)
    ).all()
    search.state = state
    search.closed_at = None
    search.updated_at = utcnow()
    db.session.flush()
    for change in changes:
        undo_last_change(firm, actor, db.session.get_one(Candidacy, change.candidacy_id), change_id=change.id)
    match_pools.build(firm, [search])
    return len(changes)


def latest_change(candidacy: Candidacy) -> StageChange | None:
    """The candidacy's most recent move that has not been undone."""
    return db.session.scalar(
        select(StageChange)
        .where(StageChange.candidacy_id == candidacy.id, StageChange.undone_at.is_(None))
        .order_by(StageChange.id.desc())
        .limit(1)
    )


def _own_message(candidacy: Candidacy, change: StageChange) -> Message | None:
    keys = [f"stage:{change.id}", f"close:{candidacy.id}:{change.id}"]
    return db.session.scalar(select(Message).where(Message.dedupe_key.in_(keys)))


def undoable(candidacy: Candidacy, change: StageChange | None = None) -> StageChange | None:
    """The move an "Undo" button may revert now, or None (too late, or nothing to undo)."""
    change = change or latest_change(candidacy)
    if change is None or change.from_stage is None:
        return None
    if utcnow() - change.created_at > timedelta(seconds=current_app.config["GRACE_SECONDS"]):
        return None
    own = _own_message(candidacy, change)
    if own is not None and own.state != MessageState.PENDING:
        return None
    return change


def undo_last_change(firm: Firm, actor: User, candidacy: Candidacy, change_id: int | None = None) -> StageChange:
    """Revert the latest move within the grace window, while its message has not gone out.

    The move stays in the history, marked undone; its pending message is cancelled and the
    other changes held in the same grace window still go out (as one email).
    """
    change = latest_change(candidacy)
    if change is None or change.from_stage is None:
        raise DomainError(_("There is no move to undo."))
    if change_id is not None and change.id != change_id:
        raise Conflict(
            _(
                "%(name)s's candidacy changed again since that move; nothing was undone. "
                "Review it and move the card if needed.",
                name=candidacy.candidate.name,
            )
        )
    if utcnow() - change.created_at > timedelta(seconds=current_app.config["GRACE_SECONDS"]):
        raise DomainError(_("Too late to undo: the grace period is over. Move the card back instead."))
    own = _own_message(candidacy, change)
    if own is not None and own.state != MessageState.PENDING:
        raise DomainError(
            _(
                "Too late to undo: the candidate's message about this change has gone out "
                "or was merged into a later one. Move the card back instead."
            )
        )
    if change.to_stage is Stage.CLOSED and candidacy.search.state.is_closed:
        raise DomainError(_("The search is closed; reopen it before reopening a candidacy."))
    now = utcnow()
    key = coalesce_key(candidacy)
    if own is not None:
        # Only this change's message: the group's other changes still go out together.
        outbox.cancel_pending(key, message_ids=[own.id])
    before = db.session.scalar(
        select(StageChange)
        .where(StageChange.candidacy_id == candidacy.id, StageChange.undone_at.is_(None), StageChange.id < change.id)
        .order_by(StageChange.id.desc())
        .limit(1)
    )
    passed_presented = (
        change.to_stage in PIPELINE
        and change.from_stage in PIPELINE
        and PIPELINE.index(change.from_stage) < PIPELINE.index(Stage.PRESENTED) <= PIPELINE.index(change.to_stage)
    )
    if passed_presented:
        reached_before = db.session.scalar(
            select(StageChange.id)
            .where(
                StageChange.candidacy_id == candidacy.id,
                StageChange.undone_at.is_(None),
                StageChange.id < change.id,
                StageChange.to_stage.in_([Stage.PRESENTED, Stage.INTERVIEWING, Stage.OFFER, Stage.PLACED]),
            )
            .limit(1)
        )
        consent = consent_service.approved(candidacy)
        if reached_before is None and consent is not None:
            consent.cv_sent_at = None
    candidacy.stage = change.from_stage
    candidacy.stage_changed_at = before.created_at if before is not None else now
    if change.to_stage is Stage.CLOSED:
        candidacy.closed_at = None
        candidacy.close_reason = None
        candidacy.close_explanation = None
    change.undone_at = now
    _flush_versioned()
    webhooks.emit(firm.id, "candidacy.moved", lambda: webhook_payloads.candidacy(candidacy, change, actor, undone=True))
    return change
