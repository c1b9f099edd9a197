"""What counts as contact, and candidates we cannot reach (promise 1).

Contact is a candidate-facing transactional message on its way or delivered (pending, sending,
sent; a check-in read in the portal by choice counts too), dated when it was written, or a
contact a recruiter recorded, dated when it happened. A message that failed or was never emailed
is never contact: when one fails, `last_contacted_at` is recomputed (they are overdue again at
once) and `unreachable_since` puts them at the top of their recruiter's needs-attention list."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update

from portal import i18n
from portal.extensions import db
from portal.i18n import gettext as _
from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    ContactKind,
    ContactRecord,
    Firm,
    Message,
    MessageState,
    User,
    utcnow,
)
from portal.services import DomainError, audit
from portal.services.preferences import NO_CHECKIN_EMAILS

CONTACT_STATES = (MessageState.PENDING, MessageState.SENDING, MessageState.SENT)
NOTE_MAX = 500
RECORD_DAYS_BACK = 366


def message_counts_as_contact():
    """The SQL condition: this message is contact (see the module's docstring). A check-in
    the candidate chose to read in the portal only (no check-in emails) reached them the way
    they asked: it counts."""
    return (
        Message.audience == Audience.CANDIDATE,
        Message.stream.is_(None),
        or_(
            Message.state.in_(CONTACT_STATES),
            and_(Message.state == MessageState.SKIPPED, Message.last_error == NO_CHECKIN_EMAILS),
        ),
    )


def last_contact_times(candidate_ids) -> dict[int, datetime | None]:
    """Each candidate's latest real contact, recomputed from messages and recorded contacts
    (two grouped queries, whatever the number of candidates)."""
    ids = sorted(set(candidate_ids))
    out: dict[int, datetime | None] = {i: None for i in ids}
    if not ids:
        return out
    for cid, at in db.session.execute(
        select(Message.candidate_id, func.max(Message.created_at))
        .where(Message.candidate_id.in_(ids), *message_counts_as_contact())
        .group_by(Message.candidate_id)
    ):
        assert cid is not None  # the WHERE names candidates
        out[cid] = at
    for cid, at in db.session.execute(
        select(ContactRecord.candidate_id, func.max(ContactRecord.occurred_at))
        .where(ContactRecord.candidate_id.in_(ids))
        .group_by(ContactRecord.candidate_id)
    ):
        latest = out[cid]
        if latest is None or at > latest:  # occurred_at is never NULL
            out[cid] = at
    return out


def recompute_last_contacted(candidate_ids) -> None:
    """Set each candidate's last_contacted_at back to their latest real contact. Fenced on
    the value read: a contact written meanwhile by another transaction (a new message sets
    it to now) is newer and is kept, not overwritten with an older time."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return
    current = dict(
        db.session.execute(select(Candidate.id, Candidate.last_contacted_at).where(Candidate.id.in_(ids))).all()
    )
    for cid, at in last_contact_times(ids).items():
        if cid not in current or current[cid] == at:
            continue
        old = current[cid]
        fence = Candidate.last_contacted_at.is_(None) if old is None else Candidate.last_contacted_at == old
        db.session.execute(
            update(Candidate)
            .where(Candidate.id == cid, fence)
            .values(last_contacted_at=at)
            .execution_options(synchronize_session="fetch")
        )


# ---------------------------------------------------------------- "I told them another way"


def today(firm: Firm) -> date:
    """Today in the firm's time zone (the latest day a contact can be recorded for)."""
    return utcnow().astimezone(firm.zone).date()


def _when(firm: Firm, on: date, now: datetime) -> datetime:
    """A day as a moment: now for today (in the firm's time zone), else midday that day."""
    tz = firm.zone
    if on == now.astimezone(tz).date():
        return now
    return datetime.combine(on, time(12), tzinfo=tz).astimezone(UTC)


def record_contact(
    firm: Firm,
    actor: User,
    candidate: Candidate,
    *,
    kind: ContactKind | str,
    on: date | None,
    note: str | None = None,
    candidacy: Candidacy | None = None,
) -> ContactRecord:
    """A recruiter reached the candidate another way (a call, a meeting ...). Counts as
    contact from that day; audited; lifts the "cannot be reached" mark."""
    if candidate.deleted_at is not None:
        raise DomainError(_("This candidate deleted their account."))
    try:
        kind = ContactKind(kind)
    except ValueError:
        raise DomainError(_("Choose how you were in touch: a call, a meeting or another way.")) from None
    now = utcnow()
    if on is None:
        raise DomainError(_("Date: enter the day you were in touch."))
    today = now.astimezone(firm.zone).date()
    if on > today:
        raise DomainError(_("Date: the day you were in touch cannot be in the future."))
    if on < today - timedelta(days=RECORD_DAYS_BACK):
        raise DomainError(_("Date: record contact from the last twelve months only."))
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError(_("Note: keep it under %(num)d characters.", num=NOTE_MAX))
    if candidacy is not None and candidacy.candidate_id != candidate.id:
        raise DomainError(_("That search is not one of this candidate's."))
    at = _when(firm, on, now)
    record = ContactRecord(
        firm_id=firm.id,
        candidate_id=candidate.id,
        candidacy_id=candidacy.id if candidacy is not None else None,
        author_id=actor.id,
        kind=kind,
        occurred_at=at,
        note=note,
        created_at=now,
    )
    db.session.add(record)
    if candidate.last_contacted_at is None or candidate.last_contacted_at < at:
        candidate.last_contacted_at = at
    candidate.unreachable_since = None
    db.session.flush()
    audit.record(
        firm,
        actor,
        "contact.recorded",
        f"candidate:{candidate.id}",
        {"kind": kind.value, "on": on.isoformat(), "contact": record.id},
    )
    return record


# ---------------------------------------------------------------- cannot be reached


def unreachable_reason(candidate: Candidate, failed: Message | None) -> str:
    """Why we cannot reach them, in plain words (for recruiters)."""
    if not candidate.email:
        return _("We have no email address for them, so our updates cannot reach them.")
    if candidate.email_suppressed:
        return _(
            "Emails to %(email)s were refused again and again, so we stopped sending "
            "them: our updates no longer reach this candidate.",
            email=candidate.email,
        )
    if failed is not None:
        when = i18n.day(failed.created_at)
        if failed.to_email and failed.to_email.lower() != candidate.email.lower():
            return _(
                "Our email “%(subject)s” (%(day)s) could not be delivered to %(old)s. "
                "The address is now %(new)s: send it again.",
                subject=failed.subject,
                day=when,
                old=failed.to_email,
                new=candidate.email,
            )
        if failed.last_error:
            return _(
                "Our email “%(subject)s” (%(day)s) could not be delivered: %(reason)s",
                subject=failed.subject,
                day=when,
                reason=failed.last_error,
            )[:400]
        return _("Our email “%(subject)s” (%(day)s) could not be delivered", subject=failed.subject, day=when)[:400]
    return _("Our last email to them could not be delivered.")


def undelivered_ids(candidate_ids):
    """A subquery (candidate_id, mid): each candidate's latest transactional message that was not
    emailed (failed or skipped). `candidate_ids`: ids, or a SELECT of them."""
    return (
        select(Message.candidate_id, func.max(Message.id).label("mid"))
        .where(
            Message.candidate_id.in_(candidate_ids),
            Message.audience == Audience.CANDIDATE,
            Message.stream.is_(None),
            Message.state.in_((MessageState.FAILED, MessageState.SKIPPED)),
        )
        .group_by(Message.candidate_id)
        .subquery()
    )


def last_undelivered(candidate_ids) -> dict[int, Message]:
    """Each candidate's latest transactional message that was not emailed (failed or
    skipped): one query for a page of candidates."""
    ids = sorted(set(candidate_ids))
    if not ids:
        return {}
    latest = undelivered_ids(ids)
    rows = db.session.scalars(select(Message).join(latest, latest.c.mid == Message.id))
    return {m.candidate_id: m for m in rows if m.candidate_id is not None}  # all are: the WHERE names them
