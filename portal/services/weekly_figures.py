"""The weekly email to a firm's admins with the promises report's headline figures (issue 23,
point 5): the last seven full days (in the firm's time zone) and this quarter so far, each
from reports.headline (the report's own computation, never a second one), with links to the
report page showing the same periods.

Written by the worker's periodic plan in the firm's weekly slot (worker/jobs.py plan_firm), to
each active admin; idempotent per admin and ISO week of the firm's calendar (the dedupe key),
so a repeated run, a lost slot marker or a slot moved within the week sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, Firm, Role, User, utcnow
from portal.outbox import EmailRenderer, record_many
from portal.services import reports
from portal.services.cadence import with_domains
from portal.services.cadence_clock import weekly_slots
from portal.services.report_periods import Headline, Period
from portal.web.templating import external_url

KIND = "weekly_figures"


@dataclass(frozen=True)
class Row:
    label: str
    value: str  # "97 %", "8.6/10", or "no cases"
    detail: str  # what it is out of


def percent(share: float | None) -> str:
    return "no cases" if share is None else f"{share * 100:.0f} %"


def rows(h: Headline) -> list[Row]:
    """The headline as the email's lines, in the report's order and words."""
    labels = reports.PROMISE_LABELS
    out = [
        Row(
            labels["cadence"],
            percent(h.cadence_share),
            f"{h.cadence_count} active candidate{'s' if h.cadence_count != 1 else ''}, cadence {h.cadence_days} days",
        ),
        Row(labels["close_loop"], percent(h.close_loop_share), ""),
        Row(labels["consent"], percent(h.consent_share), ""),
        Row(labels["feedback"], percent(h.feedback_share), ""),
        Row(labels["reply"], percent(h.reply_share), ""),
    ]
    if h.survey_count:
        nps = f", NPS {h.nps:+.0f}" if h.nps is not None else ""
        out.append(
            Row(
                "Candidates' rating (how well we kept them informed)",
                f"{h.survey_average:.1f}/10" if h.survey_average is not None else "no answers",
                f"{h.survey_count} answer{'s' if h.survey_count != 1 else ''}{nps}",
            )
        )
    else:
        out.append(Row("Candidates' rating (how well we kept them informed)", "no answers", ""))
    return out


def week_period(firm: Firm, now: datetime) -> Period:
    """The seven full days (firm's calendar) before the day of the firm's latest weekly slot."""
    slot, _next = weekly_slots(firm, now)
    day = slot.astimezone(firm.zone).date()
    return reports.custom_period(firm, day - timedelta(days=7), day - timedelta(days=1), now)


def iso_week(firm: Firm, now: datetime) -> str:
    slot, _next = weekly_slots(firm, now)
    year, week, _ = slot.astimezone(firm.zone).isocalendar()
    return f"{year}-W{week:02d}"


def plan_weekly_figures(firm: Firm, now: datetime | None = None) -> int:
    """The week's email to every active admin (one per admin per ISO week). Returns how many
    were written."""
    now = now or utcnow()
    admins = list(
        db.session.scalars(
            select(User)
            .where(User.firm_id == firm.id, User.role == Role.ADMIN, User.active.is_(True))
            .order_by(User.id)
        )
    )
    if not admins:
        return 0
    week = week_period(firm, now)
    quarter = reports.standard_periods(firm, now)["quarter"]
    week_h = reports.headline(firm, week.start, week.end, now=now)
    quarter_h = reports.headline(firm, quarter.start, quarter.end, now=now)
    with_domains(firm)
    base = external_url(firm, "recruiter.report_page")
    first, last = week.key.split(":")[1:]
    context = {
        "week_label": week.label,
        "week_rows": rows(week_h),
        "quarter_rows": rows(quarter_h),
        "week_url": f"{base}?{urlencode({'period': 'custom', 'from': first, 'to': last})}",
        "quarter_url": f"{base}?period=quarter",
    }
    renderer = EmailRenderer(firm, KIND)
    key = iso_week(firm, now)
    out = []
    for user in admins:
        subject, text, html = renderer.render(to_name=user.name, user=user, **context)
        out.append(
            {
                "dedupe_key": f"weekly-figures:{user.id}:{key}",
                "to_email": user.email,
                "to_name": user.name,
                "recipient_user_id": user.id,
                "subject": subject,
                "body_text": text,
                "body_html": html,
            }
        )
    return len(record_many(firm, out, kind=KIND, audience=Audience.RECRUITER, show_in_portal=False))
