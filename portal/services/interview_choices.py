"""The candidate's side of an interview: their own interview (else NotFound), picking one of the
proposed slots, saying none suits (with when they could), asking to reschedule and declining
(with a reason), and the time zone they read times in. Each answer lands on the recruiter's
needs-attention list (services/dashboard_interviews.py) and in their inbox.

A slot is picked with a conditional UPDATE on the interview's state and sequence, so of two
requests racing for it (two tabs, two devices) exactly one wins and the other is told why.
Plain functions: flush, never commit."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.engine import CursorResult

from portal.extensions import db
from portal.i18n import gettext as _
from portal.i18n import lazy as _l
from portal.models import Candidate, Firm, Stage, utcnow
from portal.models.interview import Interview, InterviewSlot, InterviewState
from portal.services import Conflict, DomainError, NotFound, interview_messages
from portal.services.interview_times import clean_zone
from portal.services.interviews import OPEN_STATES, emit
from portal.services.text import clean_text

MAX_ANSWER = 2_000
CHANGED = _l("This interview changed while your page was open. Here it is as it stands now.")
TAKEN = _l(
    "That time is no longer available: a time for this interview was already chosen, perhaps in another "
    "window. Here is the interview as it stands now."
)


def for_candidate(candidate: Candidate, interview_id: int) -> Interview:
    """The candidate's own interview (any other id: NotFound, a 404)."""
    interview = db.session.get(Interview, interview_id)
    if interview is None or interview.candidate_id != candidate.id:
        raise NotFound(_("No such interview."))
    if interview.candidacy is not None and interview.candidacy.stage == Stage.IDENTIFIED:
        raise NotFound(_("No such interview."))
    return interview


def _conditional(interview: Interview, expected: int, from_states, **values) -> None:
    """One UPDATE that succeeds only if nobody changed the interview since the candidate saw it
    (its state and sequence); the loser of a race is refused with TAKEN."""
    result: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(Interview)
        .where(
            Interview.firm_id == interview.firm_id,
            Interview.id == interview.id,
            Interview.state.in_(from_states),
            Interview.sequence == expected,
        )
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(interview)
        raise Conflict(str(TAKEN))
    db.session.expire(interview)


def pick_slot(
    firm: Firm, candidate: Candidate, interview: Interview, slot_id: int, expected_sequence: int
) -> Interview:
    """The candidate picks one proposed slot: confirmed at once, the other slots released."""
    if interview.state != InterviewState.PROPOSED:
        raise Conflict(str(TAKEN))
    slot = next((s for s in interview.slots if s.id == slot_id), None)
    if slot is None:
        raise DomainError(_("Please choose one of the times offered."))
    if slot.starts_at <= utcnow():
        raise DomainError(_("That time has passed. Please choose another, or tell us none of them suits you."))
    _conditional(
        interview,
        expected_sequence,
        (InterviewState.PROPOSED,),
        state=InterviewState.SCHEDULED,
        starts_at=slot.starts_at,
        sequence=Interview.sequence + 1,
    )
    db.session.execute(
        delete(InterviewSlot).where(InterviewSlot.interview_id == interview.id, InterviewSlot.id != slot.id)
    )
    db.session.execute(update(InterviewSlot).where(InterviewSlot.id == slot.id).values(picked=True))
    db.session.expire(interview)
    db.session.flush()
    interview_messages.tell_candidate(firm, interview, "scheduled")
    emit(firm, interview, "picked")
    return interview


def _answer(
    firm: Firm,
    candidate: Candidate,
    interview: Interview,
    expected: int,
    *,
    from_states,
    state: InterviewState,
    reason: str | None,
    availability: str | None,
    what: str,
) -> Interview:
    now = utcnow()
    _conditional(
        interview,
        expected,
        from_states,
        state=state,
        candidate_reason=reason,
        candidate_availability=availability,
        candidate_answered_at=now,
        answer_seen_at=None,
    )
    db.session.flush()
    interview_messages.tell_recruiter(firm, interview, what)
    emit(firm, interview, what)
    return interview


def none_suits(
    firm: Firm, candidate: Candidate, interview: Interview, availability: str, expected_sequence: int
) -> Interview:
    """No proposed slot suits the candidate: they say when they can (state needs_new_time)."""
    if interview.state != InterviewState.PROPOSED:
        raise Conflict(str(TAKEN))
    when = clean_text(availability, _("When you could"), MAX_ANSWER, required=True)
    return _answer(
        firm,
        candidate,
        interview,
        expected_sequence,
        from_states=(InterviewState.PROPOSED,),
        state=InterviewState.NEEDS_NEW_TIME,
        reason=None,
        availability=when,
        what="no_slot",
    )


def ask_to_reschedule(
    firm: Firm, candidate: Candidate, interview: Interview, reason: str, availability: str, expected_sequence: int
) -> Interview:
    """The candidate cannot make the time set: they ask for another, with a reason."""
    if interview.state != InterviewState.SCHEDULED:
        raise Conflict(_("This interview has no time set to move any more. Here it is as it stands now."))
    why = clean_text(reason, _("Why"), MAX_ANSWER, required=True)
    when = clean_text(availability, _("When you could"), MAX_ANSWER)
    return _answer(
        firm,
        candidate,
        interview,
        expected_sequence,
        from_states=(InterviewState.SCHEDULED,),
        state=InterviewState.NEEDS_NEW_TIME,
        reason=why,
        availability=when or None,
        what="reschedule",
    )


def decline(firm: Firm, candidate: Candidate, interview: Interview, reason: str, expected_sequence: int) -> Interview:
    """The candidate declines the interview, with a reason."""
    if interview.state not in OPEN_STATES:
        raise Conflict(_("This interview cannot be declined any more. Here it is as it stands now."))
    why = clean_text(reason, _("Why"), MAX_ANSWER, required=True)
    return _answer(
        firm,
        candidate,
        interview,
        expected_sequence,
        from_states=OPEN_STATES,
        state=InterviewState.DECLINED,
        reason=why,
        availability=None,
        what="declined",
    )


def set_timezone(firm: Firm, candidate: Candidate, name: str | None) -> str | None:
    """The zone the candidate reads times in (their profile); empty = the firm's."""
    value = (name or "").strip()
    candidate.timezone = clean_zone(value, _("Your time zone")) if value else None
    db.session.flush()
    return candidate.timezone
