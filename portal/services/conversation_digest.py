"""The daily "waiting for your answer" email (promise 8): each working morning, in the firm's
time zone, every recruiter who has candidate messages waiting for an answer gets one email
listing them, oldest first, with how long each candidate has waited. Recruiters who turned
message emails off see them on Needs attention only. The weekly digest (cadence_digest) lists
them too; this one is daily because the reply window is counted in business days.

Idempotent: a recruiter's email is keyed by their id and the firm's local date, so the hourly
plan writes it once a day whatever the number of runs, schedulers or restarts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, Firm, Role, User
from portal.outbox import EmailRenderer, record_many
from portal.services.cadence import endpoint_url, with_domains
from portal.services.cadence_digest import DIGEST_ITEMS, _page_url, waiting_message_items

DAILY_HOUR = time(9)  # the firm's local time from which the day's email may go


def due_today(firm: Firm, now: datetime) -> str | None:
    """The firm's local date when today's email may go (a weekday, from DAILY_HOUR), else None."""
    local = now.astimezone(firm.zone)
    if local.weekday() >= 5 or local.time() < DAILY_HOUR:
        return None
    return local.date().isoformat()


def plan_waiting_digests(firm: Firm, now: datetime) -> int:
    """Today's email to each recruiter with candidate messages waiting for them (the owner of
    the search a message is about, else the candidate's recruiter; admins get the ones nobody
    owns). Returns how many emails were recorded (0 on a rerun the same day)."""
    day = due_today(firm, now)
    if day is None:
        return 0
    items = waiting_message_items(firm, now)
    if not items:
        return 0
    staff = list(
        db.session.scalars(
            select(User)
            .where(User.firm_id == firm.id, User.role.in_([Role.RECRUITER, Role.ADMIN]), User.active.is_(True))
            .order_by(User.id)
        )
    )
    staff_ids = {u.id for u in staff}
    per_user: dict[int | None, list[dict]] = defaultdict(list)
    for item in items:
        per_user[item["owner"] if item["owner"] in staff_ids else None].append(item)
    with_domains(firm)
    renderer = EmailRenderer(firm, "waiting_messages")
    dashboard_url = endpoint_url(firm, "recruiter.dashboard")
    out = []
    for user in staff:
        if user.message_notifications == "off":
            continue
        mine = list(per_user.get(user.id, []))
        if user.role == Role.ADMIN:
            mine += per_user.get(None, [])
        if not mine:
            continue
        mine.sort(key=lambda item: item["since"])
        shown = mine[:DIGEST_ITEMS]
        for item in shown:
            item.setdefault("url", _page_url(firm, item.get("page")))
        subject, text, html = renderer.render(
            language=user.language,
            user=user,
            to_name=user.name,
            total=len(mine),
            items=shown,
            dashboard_url=dashboard_url,
        )
        out.append(
            {
                "dedupe_key": f"waiting:{user.id}:{day}",
                "to_email": user.email,
                "to_name": user.name,
                "recipient_user_id": user.id,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    return len(record_many(firm, out, kind="waiting_messages", audience=Audience.RECRUITER, show_in_portal=False))
