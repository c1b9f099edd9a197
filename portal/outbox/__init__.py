"""The outbox: a message is a row written in the caller's transaction; its id is enqueued
on RQ only after commit. If Redis is down the request still succeeds and the relay
(worker/jobs.py, scheduled in worker/schedule.py) enqueues it later. Nothing the candidate
should hear is lost. It never sends (the worker does), and never enqueues a message it wrote
before the caller's commit.

- `record(...)`: one message, rendered now in its reader's language (`reader`), sent later (in
  the language its reader has then: worker/delivery.py renders it again if that changed).
  Idempotent on `dedupe_key`.
- `record_many(...)`: the bulk form for the periodic planners (one INSERT for many rows).
- `cancel_pending(coalesce_key)`: undo inside the grace window.
- The grace window: a message about a recruiter's action (`grace=True`) waits
  GRACE_SECONDS; later messages with the same `coalesce_key` inside the window take the
  same due time, and the worker sends everything due for that key as ONE email that lists
  each change (worker/jobs.py). Each change keeps its own row, so an undo can cancel one
  change (`cancel_pending(key, kind=...)`) and the portal inbox shows every change.
- Rendering many emails of one kind (EmailRenderer) and the unsubscribe link: portal.outbox.render.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from markupsafe import escape
from rq import Queue
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from portal.extensions import MESSAGES, db
from portal.i18n import email_language
from portal.models import Audience, Candidacy, Candidate, Firm, Message, MessageState, User, utcnow

# The rendering half of the outbox's API (the planners and the worker import it from here).
from portal.outbox.queueing import enqueue_or_forget
from portal.outbox.render import BODY_END, BODY_START, EmailRenderer, reply_url, unsubscribe_url  # noqa: F401
from portal.outbox.reply_address import new_token
from portal.web.templating import render_email

log = logging.getLogger(__name__)
DELIVER = "worker.jobs.deliver_message"
DELIVER_BATCH = "worker.jobs.deliver_batch"
JOB_TIMEOUT = 120  # one message: the SMTP socket timeout (<= 30 s) is far shorter
BATCH_JOB_TIMEOUT = 300  # a batch stops claiming new messages after BATCH_TIME_BUDGET
SINGLE_JOBS_UP_TO = 20  # up to this many ids: one job each (lowest latency); more: batches
IN_CHUNK = 500  # ids per IN (...) list
# Where a live credential link goes in a stored email (promise 9): the row, every staff
# page, the candidate's inbox and their data export show this phrase; only the email the
# worker hands to SMTP carries the link, minted at that moment (services/accounts.py).
CREDENTIAL_LINK = "(a personal link, sent only to the addressee's inbox)"


# ---------------------------------------------------------------- recording


def record(
    firm: Firm,
    *,
    kind: str,
    dedupe_key: str,
    audience: Audience,
    to_email: str | None,
    to_name: str | None = None,
    context: dict | None = None,
    candidate: Candidate | None = None,
    candidacy_id: int | None = None,
    recipient_user_id: int | None = None,
    stream: str | None = None,
    grace: bool = False,
    coalesce_key: str | None = None,
    show_in_portal: bool = True,
    credential: str | None = None,
) -> Message:
    """Write a message (rendered now, sent later). Idempotent on `dedupe_key`.

    `grace=True` holds it for the grace window (GRACE_SECONDS) so an undo can cancel it;
    a later message with the same `coalesce_key` inside the window is due at the same
    moment, and the worker sends the group as one email listing each change.
    `stream` names an optional stream ("nurture", "availability"): those can be refused
    by the candidate and are limited per week; None means transactional.
    `credential` (a TokenPurpose value) marks an email that carries a live link for
    `recipient_user_id`: use `accounts.record_credential_email`, which puts
    CREDENTIAL_LINK where the link goes. It is sent alone, never held or merged.
    """
    session = db.session
    dedupe_key = dedupe_key[:200]
    if credential is not None and (grace or coalesce_key or stream or recipient_user_id is None):
        raise ValueError("a credential email goes at once, alone, to one user: no grace, coalesce key or stream")
    existing = session.scalar(select(Message).where(Message.firm_id == firm.id, Message.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    now = utcnow()
    due = now
    if grace:
        due = now + timedelta(seconds=current_app.config["GRACE_SECONDS"])
        if coalesce_key:
            first_due = session.scalar(
                select(func.min(Message.due_at)).where(
                    Message.firm_id == firm.id,
                    Message.coalesce_key == coalesce_key,
                    Message.state == MessageState.PENDING,
                    Message.due_at > now,
                )
            )
            if first_due is not None:
                due = min(due, first_due)
    context = dict(context or {})
    if candidate is not None and audience == Audience.CANDIDATE and stream:
        context.setdefault("unsubscribe_url", unsubscribe_url(firm, candidate))
    if candidate is not None and audience == Audience.CANDIDATE and candidate.user_id and credential is None:
        context.setdefault("reply_url", reply_url(firm))
    language, zone = reader(firm, audience, candidate, recipient_user_id)
    subject, text, html = render_email(
        firm, kind, language=language, zone=zone, candidate=candidate, to_name=to_name, **context
    )
    if credential is not None and (CREDENTIAL_LINK not in text or str(escape(CREDENTIAL_LINK)) not in html):
        raise ValueError(f"the {kind} email must show its link as CREDENTIAL_LINK in the text and the HTML")
    immediate = due <= now
    msg = Message(
        firm_id=firm.id,
        kind=kind,
        audience=audience,
        stream=stream,
        recipient_user_id=recipient_user_id,
        candidate_id=candidate.id if candidate is not None else None,
        candidacy_id=candidacy_id,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        body_text=text,
        body_html=html,
        dedupe_key=dedupe_key,
        coalesce_key=coalesce_key,
        due_at=due,
        # Enqueued right after commit; if that fails, the enqueue resets this so the relay
        # picks the message up on its next run.
        enqueued_at=now if immediate else None,
        created_at=now,
        show_in_portal=show_in_portal,
        credential=credential,
        # A reply to a candidate's email threads into their conversation (outbox/reply_address.py).
        reply_token=new_token() if audience == Audience.CANDIDATE else None,
    )
    session.add(msg)
    if candidate is not None and audience == Audience.CANDIDATE and stream is None:
        candidate.last_contacted_at = now
    session.flush()
    if immediate:
        enqueue_after_commit([msg.id], session)
    return msg


def reader(
    firm: Firm, audience: Audience, candidate: Candidate | None, recipient_user_id: int | None
) -> tuple[str | None, str | None]:
    """The language and time zone an email is rendered in (the worker renders it again at send
    time if its reader's language changed by then): a candidate's own (Candidate.language and
    .timezone), a staff member's language (User.language) and the firm's zone, else None
    (portal.web.templating.render_email: the page's language, a visitor's, and the firm's zone)."""
    if audience == Audience.CANDIDATE and candidate is not None:
        return email_language(firm, candidate.language), candidate.timezone
    zone = None if audience == Audience.CANDIDATE else firm.timezone
    user = db.session.get(User, recipient_user_id) if recipient_user_id else None
    if user is not None:
        return email_language(firm, user.language), zone
    return None, zone


def insert_ignoring_duplicates(table, unique_columns=("firm_id", "dedupe_key")):
    """INSERT ... ON CONFLICT (unique columns) DO NOTHING, for SQLite and PostgreSQL."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"unsupported database {name}")
    return insert(table).on_conflict_do_nothing(index_elements=list(unique_columns))


def record_for_candidacy(
    firm: Firm,
    candidacy: Candidacy,
    *,
    kind: str,
    dedupe_key: str,
    context: dict,
    grace: bool = False,
    coalesce_key: str | None = None,
    stream: str | None = None,
    show_in_portal: bool = True,
) -> Message:
    """`record` of a message to the candidate of a candidacy (a status change, feedback, a
    consent request, a close; a survey, with its optional `stream`): addressed to them, on that
    candidacy, in their portal unless `show_in_portal` is False."""
    candidate = candidacy.candidate
    return record(
        firm,
        kind=kind,
        dedupe_key=dedupe_key,
        audience=Audience.CANDIDATE,
        to_email=candidate.email,
        to_name=candidate.name,
        candidate=candidate,
        candidacy_id=candidacy.id,
        recipient_user_id=candidate.user_id,
        grace=grace,
        coalesce_key=coalesce_key,
        stream=stream,
        show_in_portal=show_in_portal,
        context=context,
    )


def record_many(
    firm: Firm,
    rows: list[dict],
    *,
    kind: str,
    audience: Audience,
    stream: str | None = None,
    show_in_portal: bool = True,
) -> list[tuple[int, int | None]]:
    """The bulk form of `record` for the planners: one set-based INSERT.

    Each row has dedupe_key, to_email, to_name, subject, body_text, body_html and
    optionally candidate_id, candidacy_id, recipient_user_id (render with EmailRenderer),
    and `skipped`: a reason not to email it (the row is written straight to SKIPPED, for
    the portal only). Rows whose dedupe key exists already are left out. Candidate-facing
    transactional rows set the candidates' last_contacted_at. Returns (message id,
    candidate id) of the new rows; those to email are enqueued after commit.
    """
    if not rows:
        return []
    now = utcnow()
    values = []
    for row in rows:
        values.append(
            {
                "firm_id": firm.id,
                "kind": kind,
                "audience": audience,
                "stream": stream,
                "recipient_user_id": row.get("recipient_user_id"),
                "candidate_id": row.get("candidate_id"),
                "candidacy_id": row.get("candidacy_id"),
                "to_email": row.get("to_email"),
                "to_name": row.get("to_name"),
                "subject": row["subject"],
                "body_text": row["body_text"],
                "body_html": row["body_html"],
                "dedupe_key": row["dedupe_key"][:200],
                "coalesce_key": None,
                "state": MessageState.SKIPPED if row.get("skipped") else MessageState.PENDING,
                "attempts": 0,
                "due_at": now,
                "enqueued_at": None if row.get("skipped") else now,
                "last_error": row.get("skipped"),
                "created_at": now,
                "show_in_portal": show_in_portal,
                "reply_token": new_token() if audience == Audience.CANDIDATE else None,
            }
        )
    table = Message.__table__
    stmt = insert_ignoring_duplicates(table).returning(table.c.id, table.c.candidate_id, table.c.state)
    returned = db.session.execute(stmt, values).all()
    created = [(r[0], r[1]) for r in returned]
    if audience == Audience.CANDIDATE and stream is None:
        touch_candidates(firm, [cid for _, cid in created if cid is not None], "last_contacted_at", now)
    enqueue_after_commit([r[0] for r in returned if r[2] in (MessageState.PENDING, MessageState.PENDING.value)])
    return created


def touch_candidates(firm: Firm, candidate_ids, column: str, when) -> None:
    """Set a timestamp column on many candidates, in a few set-based UPDATEs."""
    ids = sorted(set(candidate_ids))
    col = getattr(Candidate, column)
    for i in range(0, len(ids), IN_CHUNK):
        db.session.execute(
            update(Candidate)
            .where(Candidate.firm_id == firm.id, Candidate.id.in_(ids[i : i + IN_CHUNK]))
            .values({col: when})
            .execution_options(synchronize_session=False)
        )


def cancel_pending(coalesce_key: str, *, kind: str | None = None, message_ids: list[int] | None = None) -> int:
    """Undo within the grace window: cancel the messages for this key not yet sent
    (only those of `kind` when given, e.g. undo a stage move but keep a feedback note).
    The candidates' last_contacted_at goes back to their last contact that still stands
    (portal.services.contact).
    """
    session = db.session
    now = utcnow()
    conditions = [Message.coalesce_key == coalesce_key, Message.state == MessageState.PENDING, Message.due_at > now]
    if kind is not None:
        conditions.append(Message.kind == kind)
    if message_ids is not None:
        conditions.append(Message.id.in_(message_ids))
    rows = session.execute(select(Message.id, Message.candidate_id).where(*conditions)).all()
    if not rows:
        return 0
    result = session.execute(
        update(Message)
        .where(Message.id.in_([r.id for r in rows]), Message.state == MessageState.PENDING)
        .values(state=MessageState.CANCELLED, last_error="undone within the grace window")
        .execution_options(synchronize_session="fetch")
    )
    _forget_after_commit([r.id for r in rows], session)
    candidate_ids = {r.candidate_id for r in rows if r.candidate_id is not None}
    if candidate_ids:
        from portal.services import contact  # what counts as contact: one rule

        contact.recompute_last_contacted(candidate_ids)
        session.flush()
    return result.rowcount or 0


# ---------------------------------------------------------------- enqueueing

_PENDING_KEY = "outbox_ids"  # the session's ids to enqueue after its commit (this module's own)


def enqueue_after_commit(message_ids, session: Session | None = None) -> None:
    """Enqueue these messages once the caller's transaction commits (never before: a worker
    must not look for a row that is not committed yet); a rollback forgets them."""
    (session or db.session()).info.setdefault(_PENDING_KEY, set()).update(message_ids)


def _forget_after_commit(message_ids, session: Session | None = None) -> None:
    """Messages cancelled in this transaction are not enqueued after all."""
    (session or db.session()).info.get(_PENDING_KEY, set()).difference_update(message_ids)


def enqueue_delivery(message_ids, app: Flask | None = None) -> int:
    """Put delivery jobs on the queue: one job per message for a few, batches (one SMTP
    session each, still one claim per message) for many. A Redis outage is logged, never
    raised; the messages' enqueued_at is cleared so the relay retries on its next run."""
    ids = sorted(set(message_ids))
    if not ids:
        return 0
    app = app or current_app._get_current_object()
    if len(ids) <= SINGLE_JOBS_UP_TO:
        jobs = [
            Queue.prepare_data(DELIVER, args=(mid,), timeout=JOB_TIMEOUT, result_ttl=300, failure_ttl=86400)
            for mid in ids
        ]
    else:
        size = max(1, int(app.config.get("DELIVERY_BATCH_SIZE", 50)))
        jobs = [
            Queue.prepare_data(
                DELIVER_BATCH, args=(ids[i : i + size],), timeout=BATCH_JOB_TIMEOUT, result_ttl=300, failure_ttl=86400
            )
            for i in range(0, len(ids), size)
        ]
    return enqueue_or_forget(app, MESSAGES, jobs, Message.__table__, ids, MessageState.PENDING.value, "message(s)")


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids and has_app_context():
        enqueue_delivery(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
