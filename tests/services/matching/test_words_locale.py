"""The reasons a role fits are spelled in the reader's language when they are printed: amounts,
pay ranges, lists of skills and days in the locale (Babel), from the same Match, so an email
recorded in one language and rendered again in another reads right; and a value in a reason is
escaped in HTML, the reason's own words never are."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale
from markupsafe import escape

from portal.models import JobSeeking, RemotePreference, Seniority
from portal.phrases import lazy as _l
from portal.services import matching
from tests.factories import firm_context
from tests.support import matching as h


def _match(firm, **person):
    me = h.person(
        firm,
        ["Python", "SQL", "Go"],
        location="Berlin",
        seniority=Seniority.SENIOR,
        remote_preference=RemotePreference.ANY,
        **person,
    )
    role = h.search(
        firm,
        required=["Python", "SQL", "Go"],
        location="Berlin",
        seniority=Seniority.SENIOR,
        pay_min=50_000,
        pay_currency="EUR",
    )
    (found,) = matching.roles_for_candidate(firm, me)
    assert found.search.id == role.id
    return found


def test_pay_ranges_and_lists_follow_the_locale(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        m = _match(firm, pay_expectation=45_000, pay_currency="EUR")
        with force_locale("de"):
            german = m.candidate_sentences()
            pay_de = str(m.reasons.pay.candidate_text)
        with force_locale("en"):
            english = m.candidate_sentences()
            pay_en = str(m.reasons.pay.candidate_text)
    assert "50.000\u00a0€" in pay_de and "45.000\u00a0€" in pay_de  # German amounts: "50.000 €"
    assert "€50,000" in pay_en and "€45,000" in pay_en
    assert "from €50,000" in pay_en  # a range with no top: i18n.pay_range
    assert any("Go, Python und SQL" in s for s in german)  # the German list: "a, b und c"
    assert any("Go, Python, and SQL" in s for s in english)
    assert german != english


def test_a_day_and_a_count_in_the_reasons_follow_the_locale(app, firms):
    firm = firms.a.firm
    start = date.today() + timedelta(days=120)
    with firm_context(app, firm):
        m = _match(firm, job_seeking=JobSeeking.ACTIVE, available_from=start, notice_weeks=1)
        with force_locale("de"):
            cand_de = str(m.reasons.availability.candidate_text)
        with force_locale("en"):
            cand_en = str(m.reasons.availability.candidate_text)
            rec_en = str(m.reasons.availability.recruiter_text)
    assert f"{start.day}. " in cand_de and str(start.year) in cand_de  # "12. Mai 2027"
    assert start.strftime("%b") in cand_en and f"{start.day}, {start.year}" in cand_en  # "May 12, 2027"
    assert rec_en.endswith("; 1 week's notice.")  # one week: the singular


def test_values_are_escaped_in_html_never_the_words(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        phrase = _l("The role is in %(place)s, where you are based.", place="<b>Berlin</b> & co")
        assert str(phrase) == "The role is in <b>Berlin</b> & co, where you are based."
        assert str(escape(phrase)) == "The role is in &lt;b&gt;Berlin&lt;/b&gt; &amp; co, where you are based."
