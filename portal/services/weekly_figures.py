"""The weekly email to a firm's admins with the promises report's headline figures (issue 23,
point 5): the last seven full days (in the firm's time zone) and this quarter so far, each
from reports.headline (the report's own computation, never a second one), with links to the
report page showing the same periods.

Written by the worker's periodic plan in the firm's weekly slot (worker/jobs.py plan_firm), to
each active admin; idempotent per admin and ISO week of the firm's calendar (the dedupe key),
so a repeated run, a lost slot marker or a slot moved within the week sends nothing twice.

The lines' words and numbers are portal.phrases values: spelled in each admin's language when
the email is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from portal.extensions import db
from portal.models import Audience, Firm, Role, User, utcnow
from portal.outbox import EmailRenderer, record_many
from portal.phrases import Day, Number, Phrase, lazy_ngettext
from portal.phrases import lazy as _l
from portal.services import reports
from portal.services.cadence import with_domains
from portal.services.cadence_clock import weekly_slots
from portal.services.report_periods import Headline, Period
from portal.web.templating import external_url

KIND = "weekly_figures"


@dataclass(frozen=True)
class Row:
    label: str | Phrase
    value: str | Phrase  # "97 %", "8.6/10", or "no cases"
    detail: str | Phrase  # what it is out of


# Translators: the weekly figures: a promise with no case in the period (nothing to measure)
NO_CASES = _l("no cases")
# Translators: the weekly figures: the candidates' rating when no candidate answered the survey
NO_ANSWERS = _l("no answers")
RATING = _l("Candidates' rating (how well we kept them informed)")


def percent(share: float | None) -> Phrase:
    if share is None:
        return NO_CASES
    # Translators: a share in percent ("92 %"); write it as your language does ("92 %", "92%", "%92")
    return _l("%(percent)s %%", percent=Number(round(share * 100)))


def rows(h: Headline) -> list[Row]:
    """The headline as the email's lines, in the report's order and words."""
    labels = reports.PROMISE_LABELS
    out = [
        Row(
            labels["cadence"],
            percent(h.cadence_share),
            lazy_ngettext(
                "%(num)d active candidate, cadence %(days)d days",
                "%(num)d active candidates, cadence %(days)d days",
                h.cadence_count,
                days=h.cadence_days,
            ),
        ),
        Row(labels["close_loop"], percent(h.close_loop_share), ""),
        Row(labels["consent"], percent(h.consent_share), ""),
        Row(labels["feedback"], percent(h.feedback_share), ""),
        Row(labels["reply"], percent(h.reply_share), ""),
    ]
    if h.survey_count:
        if h.nps is not None:
            nps = f"{h.nps:+.0f}"
            # Translators: how many candidates answered the survey, and the Net Promoter Score ("+58")
            detail = lazy_ngettext(
                "%(num)d answer, NPS %(nps)s", "%(num)d answers, NPS %(nps)s", h.survey_count, nps=nps
            )
        else:
            detail = lazy_ngettext("%(num)d answer", "%(num)d answers", h.survey_count)
        average = NO_ANSWERS
        if h.survey_average is not None:
            # Translators: an average rating out of ten ("8.6/10")
            average = _l("%(average)s/10", average=Number(round(h.survey_average, 1), "#,##0.0"))
        out.append(Row(RATING, average, detail))
    else:
        out.append(Row(RATING, NO_ANSWERS, ""))
    return out


def days_words(period: Period) -> Phrase:
    """The period's first and last day, in the reader's language when printed ("Nov 27, 2026 to Dec 3, 2026")."""
    first, last = (date.fromisoformat(d) for d in period.key.split(":")[1:])
    # Translators: a period of days: "Nov 27, 2026 to Dec 3, 2026"
    return _l("%(first)s to %(last)s", first=Day(first), last=Day(last))


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
    context: dict[str, Any] = {
        "week_label": days_words(week),
        "week_rows": rows(week_h),
        "quarter_rows": rows(quarter_h),
        "week_url": f"{base}?{urlencode({'period': 'custom', 'from': first, 'to': last})}",
        "quarter_url": f"{base}?period=quarter",
    }
    renderer = EmailRenderer(firm, KIND)
    key = iso_week(firm, now)
    out = []
    for user in admins:
        subject, text, html = renderer.render(to_name=user.name, user=user, language=user.language, **context)
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
