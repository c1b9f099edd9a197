"""What a failed delivery does beyond its message (promise 1 and the recruiter's view): the
candidate's failure count and suppression, "cannot be reached" and their last real contact
recomputed (portal.services.contact), and a `message.failed` webhook event. One set of rules for
an SMTP-time refusal (worker.delivery_outcome) and for a delivery report that arrives later
(a DSN, portal.services.inbound_mail). Flushes, never commits."""

from __future__ import annotations

from sqlalchemy import func, update

from portal.extensions import db
from portal.models import Audience, Candidate, MessageState, utcnow
from portal.services import contact, webhook_payloads, webhooks
from portal.services.preferences import NO_CHECKIN_EMAILS

SUPPRESS_AFTER = 3  # permanent failures in a row: email to that address stops until it changes
_C = Candidate.__table__


def permanent_failure_counts() -> dict:
    """The candidate's changes for one more permanent failure, counted in SQL (two workers
    failing at once both count)."""
    return {"email_failures": _C.c.email_failures + 1, "email_suppressed": _C.c.email_failures + 1 >= SUPPRESS_AFTER}


def emit_failures(firm_id: int, msgs: list, changes: dict[int, dict]) -> None:
    """A `message.failed` webhook event for each message that failed for good, in the
    transaction that records the failure (keyed by the message: one event id, ever)."""
    for m in msgs:
        change = changes.get(m.id, {})
        if change.get("state") == MessageState.FAILED:
            data = webhook_payloads.message_failed(m, change.get("last_error"))
            webhooks.emit(firm_id, "message.failed", data, key=str(m.id))


def candidate_outcome(candidate, firm_id: int, msgs: list, changes: dict[int, dict], candidate_changes: dict) -> None:
    """The candidate's side of a delivery's outcome, in the same transaction as the messages'.
    An update that could not be emailed (failed, or skipped: no address, suppressed) is not
    contact: their last contact is recomputed and they are marked as not reachable (see
    portal.services.contact); an email that reached them lifts the mark."""
    values = dict(candidate_changes)
    to_candidate = [m for m in msgs if m.audience == Audience.CANDIDATE]
    states = {changes[m.id].get("state") for m in to_candidate if m.id in changes}
    missed = [
        m
        for m in to_candidate
        if m.stream is None
        and changes.get(m.id, {}).get("state") in (MessageState.FAILED, MessageState.SKIPPED)
        and changes[m.id].get("last_error") != NO_CHECKIN_EMAILS
    ]  # portal-only by choice: reached
    if missed and candidate.deleted_at is None:
        values["unreachable_since"] = func.coalesce(_C.c.unreachable_since, utcnow())
    elif MessageState.SENT in states and candidate.unreachable_since is not None:
        values["unreachable_since"] = None
    if values:
        db.session.connection().execute(
            update(Candidate).where(_C.c.firm_id == firm_id, _C.c.id == candidate.id).values(**values)
        )
    if missed:
        contact.recompute_last_contacted([candidate.id])
