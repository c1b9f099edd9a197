"""The firm's retention policy, as data-protection law expects: a person the firm has not been
in touch with, and who has not been active, for `Firm.retention_months` is told that their data
will be erased in WARNING_DAYS unless they sign in (any activity keeps it), and then erased by
the worker, audited. Also: the text of old messages is pruned after PORTAL_MESSAGE_BODY_DAYS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update

from portal.extensions import db
from portal.models import OPEN_STAGES, AuditEntry, Candidacy, Candidate, Firm, Message, MessageState, User
from portal.outbox import Audience, EmailRenderer, links, record_many
from portal.services import data_rights

WARNING_DAYS = 30
BATCH = 200
PRUNED = "(The text of this message was removed after the firm's retention period.)"


def _before(column, cutoff: datetime):
    return or_(column.is_(None), column < cutoff)


def _active_since(cutoff):  # a datetime, or a column (activity since the warning)
    """The person did something, or is in a live search, since `cutoff` (keeps their data)."""
    # Each test is false, never NULL, for an empty column (NOT of a NULL would keep nobody).
    return or_(
        Candidate.created_at >= cutoff,
        and_(Candidate.availability_changed_at.is_not(None), Candidate.availability_changed_at >= cutoff),
        and_(Candidate.profile_confirmed_at.is_not(None), Candidate.profile_confirmed_at >= cutoff),
        exists().where(User.id == Candidate.user_id, User.last_login_at >= cutoff),
        exists().where(Candidacy.candidate_id == Candidate.id, Candidacy.stage.in_(OPEN_STAGES)),
    )


def retention_cutoff(firm: Firm, now: datetime) -> datetime:
    return now - timedelta(days=round(firm.retention_months * 365.25 / 12))


def plan_warnings(firm: Firm, now: datetime) -> int:
    """Warn everyone quiet for the whole retention period (once; by email, transactional)."""
    cutoff = retention_cutoff(firm, now)
    rows = db.session.execute(
        select(Candidate.id, Candidate.name, Candidate.email, Candidate.language, Candidate.timezone)
        .where(
            Candidate.deleted_at.is_(None),
            Candidate.retention_warned_at.is_(None),
            _before(Candidate.last_contacted_at, cutoff),
            ~_active_since(cutoff),
        )
        .order_by(Candidate.id)
        .limit(BATCH)
    ).all()
    if not rows:
        return 0
    renderer = EmailRenderer(firm, "retention_warning")
    erase_on = now + timedelta(days=WARNING_DAYS)
    out = []
    for cid, name, email, language, zone in rows:
        subject, text, html = renderer.render(  # in the candidate's language and zone
            language=language,
            zone=zone,
            candidate_name=name,
            to_name=name,
            erase_on=erase_on,
            portal_url=links.availability(firm),
        )
        out.append(
            {
                "dedupe_key": f"retention-warning:{cid}:{now.date().isoformat()}",
                "to_email": email,
                "to_name": name,
                "candidate_id": cid,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    record_many(firm, out, kind="retention_warning", audience=Audience.CANDIDATE, stream=None)
    db.session.execute(
        update(Candidate)
        .where(Candidate.id.in_([r[0] for r in rows]))
        .values(retention_warned_at=now)
        .execution_options(synchronize_session=False)
    )
    return len(rows)


def plan_erasures(firm: Firm, now: datetime, checkpoint: Callable[[], None] | None = None) -> int:
    """Erase those warned WARNING_DAYS ago who did nothing since; forgive those who did."""
    db.session.execute(  # they signed in, confirmed, changed something or are in a search again
        update(Candidate)
        .where(Candidate.retention_warned_at.is_not(None), _active_since(Candidate.retention_warned_at))
        .values(retention_warned_at=None)
        .execution_options(synchronize_session=False)
    )
    due = list(
        db.session.scalars(
            select(Candidate)
            .where(Candidate.deleted_at.is_(None), Candidate.retention_warned_at <= now - timedelta(days=WARNING_DAYS))
            .order_by(Candidate.id)
            .limit(BATCH)
        )
    )
    for candidate in due:
        cid = candidate.id
        data_rights.delete_account(firm, candidate, None, audit_action="candidate.erased_by_retention", tell=False)
        if checkpoint is not None:
            checkpoint()
        current_app.logger.info("retention: erased candidate %s of firm %s", cid, firm.slug)
    return len(due)


def prune_message_bodies(firm: Firm, now: datetime) -> int:
    """Empty the text of messages older than PORTAL_MESSAGE_BODY_DAYS (0: keep them)."""
    days = current_app.config["MESSAGE_BODY_DAYS"]
    if days <= 0:
        return 0
    done = (MessageState.SENT, MessageState.FAILED, MessageState.SKIPPED, MessageState.CANCELLED)
    result = db.session.execute(
        update(Message)
        .where(
            Message.firm_id == firm.id,
            Message.state.in_(done),
            Message.created_at < now - timedelta(days=days),
            Message.body_text != PRUNED,
        )
        .values(body_text=PRUNED, body_html=f"<p>{PRUNED}</p>")
        .execution_options(synchronize_session=False)
    )
    pruned = result.rowcount or 0  # type: ignore[attr-defined]
    if pruned:
        db.session.add(
            AuditEntry(
                firm_id=firm.id, action="messages.pruned", target=None, details={"count": pruned}, created_at=now
            )
        )
    return pruned
