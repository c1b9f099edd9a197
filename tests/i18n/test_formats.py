"""Dates, times, relative times, amounts, pay ranges and lists per locale (issue 20), through
portal.i18n and on a German candidate's pages: Babel's own data, no catalog needed.

The page test of amounts waits for the marking branches (the consent page's pay still says
"50,000 – 60,000 EUR a year", built with Python's "{:,}"); the dates pass now."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext

from portal import i18n
from portal.models import Candidacy, Candidate, Firm, Search, Stage, User
from tests.factories import firm_context
from tests.support import candidate as portal_data
from tests.support.fixtures.clients import login_as

MOMENT = datetime(2026, 5, 12, 12, 30, tzinfo=UTC)  # 14:30 in Berlin (summer time)
NBSP, NNBSP = "\xa0", "\u202f"

EXPECTED = {
    # when (medium), weekday, time, day, 3 days ago, in 2 hours, 50,000 EUR, 1,234.50 GBP, range, list
    "en": (
        "May 12, 2026, 2:30\u202fPM",
        "Tue, May 12, 2:30\u202fPM",
        "2:30\u202fPM",
        "May 12, 2026",
        "3 days ago",
        "in 2 hours",
        "€50,000",
        "£1,234.50",
        "€50,000–€60,000",
        "a, b, and c",
    ),
    "de": (
        "12. Mai 2026, 14:30",
        "Di., 12. Mai, 14:30",
        "14:30",
        "12. Mai 2026",
        "vor 3 Tagen",
        "in 2 Stunden",
        "50.000\xa0€",
        "1.234,50\xa0£",
        "50.000\xa0€–60.000\xa0€",
        "a, b und c",
    ),
    "fr": (
        "12 mai 2026, 14:30",
        "mar. 12 mai, 14:30",
        "14:30",
        "12 mai 2026",
        "il y a 3 jours",
        "dans 2 heures",
        "50\u202f000\xa0€",
        "1\u202f234,50\xa0£GB",
        "50\u202f000\xa0€–60\u202f000\xa0€",
        "a, b et c",
    ),
    "es": (
        "12 may 2026, 14:30",
        "mar, 12 may, 14:30",
        "14:30",
        "12 may 2026",
        "hace 3 días",
        "dentro de 2 horas",
        "50.000\xa0€",
        "1.234,50\xa0GBP",
        "50.000\xa0€–60.000\xa0€",
        "a, b y c",
    ),
    "nl": (
        "12 mei 2026, 14:30",
        "di 12 mei, 14:30",
        "14:30",
        "12 mei 2026",
        "3 dagen geleden",
        "over 2 uur",
        "€\xa050.000",
        "£\xa01.234,50",
        "€\xa050.000–€\xa060.000",
        "a, b en c",
    ),
    "ar": (
        "12 مايو 2026، 2:30 م",
        "الثلاثاء، 12 مايو، 2:30 م",
        "2:30 م",
        "12 مايو 2026",
        "قبل 3 أيام",
        "خلال ساعتين",
        "\u200f50,000\xa0€",
        "\u200f1,234.50\xa0UK£",
        "\u200f50,000\xa0€–\u200f60,000\xa0€",
        "a وb وc",
    ),
}


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_formats_per_locale(app, lang):
    with app.test_request_context(), force_locale(lang):
        got = (
            i18n.when(MOMENT, zone="Europe/Berlin"),
            i18n.when(MOMENT, zone="Europe/Berlin", format="weekday"),
            i18n.when(MOMENT, zone="Europe/Berlin", format="time"),
            i18n.day(date(2026, 5, 12)),
            i18n.ago(MOMENT - timedelta(days=3), now=MOMENT),
            i18n.ago(MOMENT + timedelta(hours=2), now=MOMENT),
            i18n.money(50000, "EUR"),
            i18n.money(1234.5, "GBP"),
            i18n.pay_range(50000, 60000, "EUR"),
            i18n.join(["a", "b", "c"]),
        )
        # A range's words are the catalog's ("50 000 € – 60 000 €", "من 50,000 € إلى 60,000 €"):
        # built from the two amounts of this locale.
        low, high = EXPECTED[lang][6], i18n.money(60000, "EUR")
        wanted_range = gettext("%(low)s–%(high)s", low=low, high=high)
    assert got[8] == wanted_range and low in got[8] and high in got[8]
    assert got[:8] + got[9:] == EXPECTED[lang][:8] + EXPECTED[lang][9:]


def test_a_moment_is_in_the_readers_zone(app):
    with app.test_request_context(), force_locale("de"):
        assert i18n.when(MOMENT, zone="America/New_York", format="time") == "08:30"
        assert i18n.when(MOMENT, zone="Asia/Tokyo") == "12. Mai 2026, 21:30"
        # A day is the reader's day: late on the 12th in UTC is the 13th in Tokyo.
        late = datetime(2026, 5, 12, 22, 0, tzinfo=UTC)
        assert i18n.day(late, firm=type("F", (), {"timezone": "Asia/Tokyo"})()) == "13. Mai 2026"


def _flat(text: str) -> str:
    return html.unescape(text).replace(NBSP, " ").replace(NNBSP, " ")


@pytest.fixture
def german(app, firms, client_for):
    """Firm A offers English and German; its candidate reads German; a search in screening since
    12 May 2026, paying 50,000-60,000 EUR."""
    a = firms.a
    with firm_context(app, a.firm) as s:
        f = s.get(Firm, a.firm.id)
        f.languages, f.timezone = ["en", "de"], "Europe/Berlin"
        cand = s.get(Candidate, a.candidate.id)
        cand.language = "de"
        s.get(User, a.candidate_user.id).language = "de"
    search = portal_data.make_search(app, a, title="Leitung Datenplattform", pay_min=50000, pay_max=60000)
    with firm_context(app, a.firm) as s:
        s.get(Search, search.id).pay_currency = "EUR"
    cy = portal_data.add(app, a, search, a.candidate, Stage.SCREENING)
    with firm_context(app, a.firm) as s:
        row = s.get(Candidacy, cy.id)
        row.stage_changed_at = row.created_at = MOMENT
    c = client_for(a.firm)
    login_as(c, a.candidate_user)
    return a, c, cy


def test_a_german_candidate_reads_german_dates(german):
    _a, c, cy = german
    page = c.get(f"/me/searches/{cy.id}").get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in page
    assert "12. Mai 2026" in _flat(page)
    assert "May 12, 2026" not in _flat(page)


def test_a_german_candidate_reads_german_amounts(app, german):
    """The consent page shows the role's pay (waits for the marking branches)."""
    a, c, cy = german
    consent = portal_data.request_consent(app, a, cy.id)
    page = _flat(c.get(f"/me/consents/{consent.id}").get_data(as_text=True))
    assert "50.000 €" in page and "60.000 €" in page, "a German amount"
    assert "50,000" not in page
