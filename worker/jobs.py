"""Jobs take ids, never objects, and are idempotent: running one twice changes nothing more.

`deliver_message(id)` / `deliver_batch(ids)` send through worker.delivery (one claim per message);
`relay()` re-enqueues what is due and unsent and recovers sends lost with a worker;
`plan_interview_reminders()` writes the interview reminders due soon; `tick()`
(hourly) fans out `plan_firm(firm_id)`, which decides in the firm's time zone whether its
check-in / weekly slot has come."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import or_, select, update

from portal import transaction
from portal.extensions import DEFAULT, db, get_queue, get_redis
from portal.models import Firm, FirmDomain, Message, MessageState, utcnow
from portal.outbox import enqueue_delivery
from portal.services import (
    cadence,
    cadence_digest,
    conversation_digest,
    idempotency,
    interview_reminders,
    job_alert_digest,
    nurture,
    report_snapshots,
    retention,
    surveys,
    weekly_figures,
)
from portal.services.matching import pools as match_pools
from portal.tenancy import all_firms, bind_firm
from worker import delivery, mailer
from worker.app import job

log = logging.getLogger(__name__)
RELAY_BATCH = 5000
BATCH_TIME_BUDGET = 90  # seconds; a batch job stops claiming after this (job timeout 300 s)
MARKER_TTL = 8 * 24 * 3600


@job
def deliver_message(message_id: int) -> str:
    """Claim (pending -> sending), send, mark sent. A second run finds nothing to claim."""
    with mailer.Connection() as conn:
        return delivery.deliver(message_id, conn, any_firm=True)


@job
def deliver_batch(message_ids: list[int]) -> dict[str, int]:
    """Deliver several messages over one SMTP session, claiming each just before its send
    (a crash leaves at most one message in doubt). Stops early when the mail server is
    unreachable or the time budget is spent; what is left stays pending for the relay."""
    outcomes: dict[str, int] = {}
    started = time.monotonic()
    transient_in_a_row = 0
    firms: dict = {}
    with mailer.Connection() as conn:
        for mid in message_ids:
            if time.monotonic() - started > BATCH_TIME_BUDGET or transient_in_a_row >= 2:
                # out of time, or the mail server is down: do not hammer it; what is left
                # stays pending and the relay enqueues it again later
                outcomes["left for the relay"] = outcomes.get("left for the relay", 0) + 1
                continue
            outcome = delivery.deliver(mid, conn, firms, any_firm=True)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            transient_in_a_row = transient_in_a_row + 1 if outcome == "retry" else 0
    return outcomes


@job
def relay() -> int:
    """Re-enqueue messages that are due and unsent; recover sends lost with a worker.

    Covers a lost job, a flushed Redis, a Redis outage at commit time, messages whose
    grace window or retry backoff has passed, and a worker killed during a send (after
    SENDING_LEASE_SECONDS, longer than any job timeout).
    """
    cfg = current_app.config
    now = utcnow()
    lease = timedelta(seconds=cfg.get("SENDING_LEASE_SECONDS", 600))
    min_age = timedelta(seconds=cfg.get("RELAY_MIN_AGE_SECONDS", 0))
    again = timedelta(seconds=cfg.get("RELAY_REENQUEUE_SECONDS", 300))
    with all_firms():
        db.session.execute(
            update(Message)
            .where(Message.state == MessageState.SENDING, Message.claimed_at < now - lease)
            .values(
                state=MessageState.PENDING, enqueued_at=None, last_error="the worker stopped during the send; retrying"
            )
            .execution_options(synchronize_session=False)
        )
        ids = list(
            db.session.scalars(
                select(Message.id)
                .where(
                    Message.state == MessageState.PENDING,
                    Message.due_at <= now - min_age,
                    or_(Message.enqueued_at.is_(None), Message.enqueued_at < now - again),
                )
                .order_by(Message.due_at)
                .limit(RELAY_BATCH)
            )
        )
        for i in range(0, len(ids), 500):
            db.session.execute(
                update(Message)
                .where(Message.id.in_(ids[i : i + 500]))
                .values(enqueued_at=now)
                .execution_options(synchronize_session=False)
            )
    # Committed before the ids are enqueued, not by the job's single commit at its end: a
    # worker may claim a message at once, and its claim must not wait on this transaction.
    transaction.checkpoint()
    return enqueue_delivery(ids)


# ---------------------------------------------------------------- planning


@job
def tick() -> int:
    """Every PLAN_TICK_MINUTES (hourly): one planning job per firm (each decides about its
    own time zone)."""
    from rq import Queue

    with all_firms():
        firm_ids = list(db.session.scalars(select(Firm.id).where(Firm.disabled.is_(False)).order_by(Firm.id)))
    queue = get_queue(DEFAULT)
    queue.enqueue_many(
        [
            Queue.prepare_data(
                "worker.jobs.plan_firm", args=(fid,), timeout=900, result_ttl=3600, failure_ttl=7 * 86400
            )
            for fid in firm_ids
        ]
        + [Queue.prepare_data("worker.jobs.check_domains", timeout=300, result_ttl=3600)]
    )
    return len(firm_ids)


def _marker(name: str, firm_id: int, slot: datetime) -> str:
    return f"{current_app.config['QUEUE_PREFIX']}:slot:{name}:{firm_id}:{slot:%Y%m%dT%H%M}"


def _slots_done(*keys: str) -> list[bool]:
    try:
        # redis-py types one signature for its sync and async clients: this one returns the values.
        values = cast("list[bytes | None]", get_redis().mget(keys))
        return [bool(n) for n in values]
    except Exception:  # noqa: BLE001 - without the markers we run again; every plan is idempotent
        return [False] * len(keys)


def _mark_done(key: str) -> None:
    try:
        get_redis().set(key, "1", ex=MARKER_TTL)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not record %s: %s", key, exc)


@job
def plan_firm(firm_id: int) -> dict[str, int]:
    """The firm's periodic plan, run every tick (PLAN_TICK_MINUTES, hourly by default):

    - at the first run after its check-in slot (weekly on checkin_weekday at checkin_hour
      in its time zone; daily at that hour when the cadence is shorter than a week):
      a check-in for every active candidate who would otherwise exceed the cadence
      before the next slot;
    - at the first run after its weekly slot: recruiter digests, nurture suggestions,
      availability prompts, the admins' weekly figures (services/weekly_figures.py);
    - every run: a check-in for anyone who would exceed the cadence before the next tick
      (a missed slot, a changed setting), the experience surveys now due (services/surveys.py),
      and the match pools of large open searches that
      have none or shrank (match_pools.maintain; all of them rebuilt in the weekly slot).
    Every part is idempotent, so a repeated run (a second scheduler, a flushed Redis
    losing the slot markers) writes nothing twice: the Redis markers only save work, the
    truth is in the database (check-ins and digests are keyed by the firm's check-in
    period, nurture and prompts by the candidates' last_nurtured_at / prompt times).
    Each part commits on its own, and check-ins in chunks: short write transactions, so
    on SQLite a request or a second planner is never held past its busy timeout.
    """
    # A batch that commits in steps (transaction.checkpoint): each part, and each chunk of
    # a part, in a short write transaction of its own (see above); a slot's Redis marker is
    # set only once its part is committed. The job's transaction commits what is left.
    now = utcnow()
    bind_firm(firm_id)
    firm = cadence.load_firm(firm_id)
    if firm is None or firm.disabled:
        return {}
    out: dict[str, int] = {}
    last_ck, next_ck = cadence.checkin_slots(firm, now)
    last_week, _next_week = cadence.weekly_slots(firm, now)
    keys = _marker("checkins", firm_id, last_ck), _marker("weekly", firm_id, last_week)
    checkins_done, weekly_done = _slots_done(*keys)
    if not checkins_done:
        # In steps: short write transactions on SQLite while 100,000 people are planned.
        out["checkins"] = cadence.plan_checkins(firm, now, horizon=next_ck, checkpoint=transaction.checkpoint)
        transaction.checkpoint()
        _mark_done(keys[0])
    if not weekly_done:
        out["digests"] = cadence_digest.plan_recruiter_digests(firm, now)
        transaction.checkpoint()
        out["nurture"] = nurture.plan_nurture(firm, now, checkpoint=transaction.checkpoint)
        transaction.checkpoint()
        out["availability"] = nurture.plan_availability_prompts(firm, now, checkpoint=transaction.checkpoint)
        transaction.checkpoint()
        out["weekly_figures"] = weekly_figures.plan_weekly_figures(firm, now)
        transaction.checkpoint()
        _mark_done(keys[1])
    # Promise 8: each working morning, the candidate messages waiting for each recruiter.
    if waiting := conversation_digest.plan_waiting_digests(firm, now):
        out["waiting_messages"] = waiting
    transaction.checkpoint()
    # In steps, like the slot run: short write transactions on SQLite while 100,000 people are planned.
    out["overdue"] = cadence.plan_checkins(
        firm, now, horizon=now + cadence.tick_horizon(), checkpoint=transaction.checkpoint
    )
    transaction.checkpoint()
    # The experience survey, the day after a close-the-loop message, a placement or an interview.
    asked = surveys.plan_surveys(firm, now)
    if asked:
        out["surveys"] = asked
    transaction.checkpoint()
    # The pools commit in steps: building every pool of a large firm in one transaction would
    # keep its searches locked (and SQLite's one writer busy) for the whole run.
    pools = match_pools.maintain(firm, rebuild_all=not weekly_done, checkpoint=transaction.checkpoint)
    if pools["built"] or pools["dropped"]:
        out["pools"] = pools["built"]
    transaction.checkpoint()
    # The retention policy: warn, then erase those who stayed away; prune old message text.
    retained = {
        "retention_warned": retention.plan_warnings(firm, now),
        "retention_erased": retention.plan_erasures(firm, now, checkpoint=transaction.checkpoint),
        "messages_pruned": retention.prune_message_bodies(firm, now),
        "idempotency_pruned": idempotency.prune(),  # API answers kept 24 h for Idempotency-Key
    }
    out.update({part: n for part, n in retained.items() if n})
    transaction.checkpoint()
    # The promises report's snapshots (firm and each recruiter, the standard periods): the
    # report page reads them, and says how fresh they are (every PLAN_TICK_MINUTES).
    out["reports"] = report_snapshots.refresh(firm, now)
    return out


@job
def refresh_reports(firm_id: int) -> int:
    """The promises report's snapshots of one firm, now (an admin's "Refresh now")."""
    bind_firm(firm_id)
    firm = cadence.load_firm(firm_id)
    if firm is None or firm.disabled:
        return 0
    return report_snapshots.refresh(firm, utcnow())


@job
def plan_checkins(firm_id: int) -> int:
    """Check-ins now for everyone in this firm who would exceed the cadence before its
    next check-in slot (what the slot run does; safe to run at any time)."""
    now = utcnow()
    bind_firm(firm_id)
    firm = cadence.load_firm(firm_id)
    if firm is None or firm.disabled:
        return 0
    _last, nxt = cadence.checkin_slots(firm, now)
    # The planner commits in steps (a chunk of candidates each): short write transactions on
    # SQLite while 100,000 people are planned, so a request never waits long for the lock.
    return cadence.plan_checkins(firm, now, horizon=nxt, checkpoint=transaction.checkpoint)


@job
def plan_interview_reminders() -> int:
    """Every few minutes (worker/schedule.py): each firm's interview reminders due soon, written
    due at their exact instant (portal/services/interview_reminders.py); idempotent."""
    now = utcnow()
    with all_firms():
        firm_ids = list(db.session.scalars(select(Firm.id).where(Firm.disabled.is_(False)).order_by(Firm.id)))
    written = 0
    for firm_id in firm_ids:
        bind_firm(firm_id)
        firm = db.session.get(Firm, firm_id)
        if firm is None:
            continue
        written += interview_reminders.plan_reminders(firm, now)
        # One firm per transaction: a short write each, and one firm's failure keeps the others'.
        transaction.checkpoint()
    return written


@job
def check_domains() -> int:
    """Hourly (from `tick`): look up the DNS proof of every pending custom domain added in
    the last week, so an admin who published the record need not come back to press
    "Check now". Each domain in its own short transaction; returns how many were verified."""
    from portal.services import domains

    verified = 0
    for firm_id, domain_id in domains.pending_ids():
        bind_firm(firm_id)
        firm = db.session.get(Firm, firm_id)
        row = db.session.get(FirmDomain, domain_id)
        if firm is None or row is None:
            continue
        verified += domains.verify(firm, None, row)
        # Each domain in its own transaction: no write is held across the next DNS lookups,
        # and a failure later in the loop keeps the domains already checked.
        transaction.checkpoint()
    return verified


# ---------------------------------------------------------------- job alerts


@job
def job_alerts() -> int:
    """Daily (worker/schedule.py): one `plan_job_alerts` job per firm with a careers site.
    Each alert gets at most one digest a week (services/job_alert_digest.py)."""
    from rq import Queue

    with all_firms():
        firm_ids = list(
            db.session.scalars(
                select(Firm.id).where(Firm.disabled.is_(False), Firm.careers_enabled.is_(True)).order_by(Firm.id)
            )
        )
    get_queue(DEFAULT).enqueue_many(
        [
            Queue.prepare_data("worker.jobs.plan_job_alerts", args=(fid,), timeout=900, result_ttl=3600)
            for fid in firm_ids
        ]
    )
    return len(firm_ids)


@job
def plan_job_alerts(firm_id: int) -> int:
    """This week's job-alert digests of one firm: only new matching jobs, never one twice."""
    bind_firm(firm_id)
    firm = cadence.load_firm(firm_id)
    if firm is None or firm.disabled:
        return 0
    # In steps (a chunk of alerts each): short write transactions on SQLite for a firm with
    # many subscribers; each chunk's emails and sent jobs commit together.
    return job_alert_digest.plan_digests(firm, utcnow(), checkpoint=transaction.checkpoint)
