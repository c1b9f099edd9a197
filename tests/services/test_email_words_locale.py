"""The words services put into an email's context are data, spelled in the language the email
is rendered in: an interview's time, a digest's reasons, the weekly figures' numbers, a job
alert's criteria. The same value reads in English and in German."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import force_locale

from portal.models.job_alert import AlertCriteria
from portal.services import cadence_digest, interview_messages, interview_words, weekly_figures
from portal.services.report_periods import Headline


def _both(app, value) -> tuple[str, str]:
    with app.app_context():
        with force_locale("en"):
            en = str(value)
        with force_locale("de"):
            de = str(value)
    return en, de


def test_an_interviews_time_in_the_readers_language(app):
    at = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (CET)
    en, de = _both(app, interview_words.Moment(at, "Europe/Berlin"))
    assert en == "Monday, October 26, 2026, 9:00\u202fAM (Europe/Berlin, CET)"
    assert de.startswith("Montag, 26. Oktober 2026, 09:00")
    en, de = _both(app, interview_words.Moment(at, "Europe/Berlin", "sentence"))
    assert en == "Your interview on Monday, October 26 at 9:00\u202fAM" and "Montag, 26. Oktober" in de
    en, de = _both(app, interview_messages.Span(at, "Europe/Berlin", 60))
    assert en == "Monday, October 26, 2026, 9:00\u202fAM\u201310:00\u202fAM (Europe/Berlin)"
    assert "09:00\u201310:00" in de
    assert not interview_messages.Span(None, "UTC") and str(interview_messages.Span(None, "UTC")) == ""


def test_a_digests_reasons_in_the_readers_language(app):
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    en, _de = _both(app, cadence_digest.waited_words(now, now - timedelta(days=4), True))
    assert en == "waiting 4 days (overdue)"
    en, _de = _both(app, cadence_digest.waited_words(now, now - timedelta(hours=1, minutes=5), False))
    assert en == "waiting 1 hour"  # one: the singular


def test_the_weekly_figures_numbers_in_the_readers_language(app):
    h = Headline(
        **{
            **{name: None for name in Headline.__dataclass_fields__},
            "cadence_share": 11 / 12,
            "cadence_count": 12,
            "cadence_days": 7,
            "survey_count": 12,
            "survey_average": 8.75,
            "nps": 58.3,
        }
    )
    rows = weekly_figures.rows(h)
    en, de = _both(app, rows[0].value)
    assert en == "92 %" and de == "92 %"
    en, de = _both(app, rows[-1].value)
    assert en == "8.8/10" and de == "8,8/10"
    en, _de = _both(app, rows[-1].detail)
    assert en == "12 answers, NPS +58"


def test_a_job_alerts_criteria_and_a_day_in_the_readers_language(app):
    assert _both(app, AlertCriteria("python", "Berlin", "remote"))[0] == "python, in Berlin, remote"
    assert _both(app, AlertCriteria())[0] == "every new job"
    en, de = _both(app, interview_words.day_words(date(2026, 5, 12)))
    assert en == "Tuesday, May 12" and de == "Dienstag, 12. Mai"
