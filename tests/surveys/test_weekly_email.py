"""The weekly email to admins with the report's headline figures: each active admin once per
ISO week of the firm's calendar (from the periodic plan's weekly slot, in the firm's time zone),
the figures equal to reports.headline for the week and the quarter, linking to the report page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.models import Firm, Message, Role, User
from portal.services import reports, weekly_figures
from tests.factories import firm_context, make_user
from tests.surveys.test_public_figures import SCORES, _people
from worker import jobs

# Friday 4 Dec 2026 14:30 UTC: after the default weekly slot (Friday 14:00 in the firm's zone, UTC).
SLOT = datetime(2026, 12, 4, 14, 30, tzinfo=UTC)


def _emails(app, f) -> list[Message]:
    with firm_context(app, f.firm) as s:
        return list(s.scalars(select(Message).where(Message.kind == weekly_figures.KIND).order_by(Message.id)))


def _plan(app, f, now) -> int:
    with firm_context(app, f.firm) as s:
        return weekly_figures.plan_weekly_figures(s.get(Firm, f.firm.id), now)


def test_each_active_admin_once_per_week(app, firms):
    f = firms.a
    second = make_user(app, f.firm, Role.ADMIN, email="second@alpha.example")
    gone = make_user(app, f.firm, Role.ADMIN, email="gone@alpha.example")
    with firm_context(app, f.firm) as s:
        s.get(User, gone.id).active = False
    assert _plan(app, f, SLOT) == 2
    assert _plan(app, f, SLOT + timedelta(hours=1)) == 0  # the same week: nothing more
    assert _plan(app, f, SLOT + timedelta(days=2)) == 0  # Sunday, still ISO week 49
    assert sorted(m.to_email for m in _emails(app, f)) == sorted([f.admin.email, second.email])
    assert all(m.recipient_user_id in (f.admin.id, second.id) and not m.show_in_portal for m in _emails(app, f))
    assert _plan(app, f, SLOT + timedelta(days=7)) == 2  # the next week
    assert not any(m.to_email in (f.recruiter.email, gone.email) for m in _emails(app, f))
    assert _plan(app, firms.b, SLOT) == 1 and len(_emails(app, firms.b)) == 1  # each firm its own


def test_the_figures_are_the_reports_headline_with_links(app, firms):
    f = firms.a
    with time_machine.travel(SLOT - timedelta(days=2), tick=False):
        _people(app, f, kept=11, silent=1, scores=SCORES)
    with time_machine.travel(SLOT, tick=False):
        assert _plan(app, f, SLOT) == 1
        with firm_context(app, f.firm) as s:
            firm = s.get(Firm, f.firm.id)
            week = weekly_figures.week_period(firm, SLOT)
            quarter = reports.standard_periods(firm, SLOT)["quarter"]
            week_h = reports.headline(firm, week.start, week.end, now=SLOT)
            quarter_h = reports.headline(firm, quarter.start, quarter.end, now=SLOT)
    assert week.label == "2026-11-27 to 2026-12-03"  # the seven full days before Friday's slot
    (msg,) = _emails(app, f)
    text = msg.body_text
    assert quarter_h.cadence_count == 12 and quarter_h.survey_count == 12
    for row in weekly_figures.rows(week_h) + weekly_figures.rows(quarter_h):
        assert f"- {row.label}: {row.value}" in text
    assert "Active candidates heard from within the cadence: 92 %" in text  # 11 of 12
    assert "8.8/10 (12 answers, NPS +58)" in text  # 7 promoters of 12, no detractor
    assert "http://alpha.localhost/recruiter/reports?period=custom&from=2026-11-27&to=2026-12-03" in text
    assert "http://alpha.localhost/recruiter/reports?period=quarter" in text
    assert 'href="http://alpha.localhost/recruiter/reports?period=custom&amp;from=2026-11-27&amp;to=2026-12-03"' in (
        msg.body_html
    )


def test_the_week_follows_the_firms_time_zone(app, firms):
    f = firms.a
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        firm.timezone, firm.checkin_weekday, firm.checkin_hour = "Pacific/Auckland", 0, 8  # Monday 08:00
    monday = datetime(2026, 12, 6, 19, 30, tzinfo=UTC)  # Monday 7 Dec 08:30 in Auckland (Sunday in UTC)
    assert _plan(app, f, monday) == 1
    (msg,) = _emails(app, f)
    assert msg.dedupe_key == f"weekly-figures:{f.admin.id}:2026-W50"  # the firm's ISO week, not UTC's 49
    assert "Nov 30, 2026 to Dec 6, 2026" in msg.body_text  # the week's days in the locale's format
    assert _plan(app, f, monday + timedelta(days=6)) == 0  # Sunday 13 Dec local: still W50


def test_the_periodic_plan_sends_it_in_the_weekly_slot_once(app, firms, run_jobs, smtp_sink):
    f = firms.a
    with time_machine.travel(SLOT, tick=False):
        first = jobs.plan_firm(f.firm.id)
        again = jobs.plan_firm(f.firm.id)
    assert first["weekly_figures"] == 1 and "weekly_figures" not in again
    run_jobs()
    with time_machine.travel(SLOT + timedelta(hours=2), tick=False):
        from portal.extensions import get_redis

        get_redis(app).flushdb()  # the slot markers lost: the database still knows
        assert jobs.plan_firm(f.firm.id)["weekly_figures"] == 0
    mails = [m for m in smtp_sink.messages if m.rcpt_tos == [f.admin.email]]
    assert [str(m.email["Subject"]) for m in mails] == ["Alpha Search: your promises this week"]
