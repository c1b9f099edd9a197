"""Every figure of the promises report on the hand-counted fixture (tests/reports/fixture.py
says how each number was counted)."""

from __future__ import annotations

import pytest

from portal.services import reports
from tests.factories import firm_context
from tests.reports.fixture import NOW, at, build_fixture


@pytest.fixture
def kiwi(app):
    return build_fixture(app)


def _report(app, kiwi, key="week", recruiter_id=None):
    with firm_context(app, kiwi.firm) as s:
        from portal.models import Firm

        firm = s.get(Firm, kiwi.firm.id)
        per = reports.period(firm, key, NOW)
        return reports.build(firm, per, recruiter_id, NOW)


def test_week_starts_at_local_midnight_monday(app, kiwi):
    with firm_context(app, kiwi.firm) as s:
        from portal.models import Firm

        per = reports.standard_periods(s.get(Firm, kiwi.firm.id), NOW)
    assert per["week"].start == at(11, 15, 11)  # Monday 00:00 in Auckland
    assert per["week"].end == NOW
    assert per["quarter"].start == at(9, 30, 11)  # 1 Oct 00:00 NZDT
    assert per["last_quarter"].end == per["quarter"].start


def test_promises_firm_scope(app, kiwi):
    r = _report(app, kiwi)
    p = r["promises"]
    got = {k: (p[k]["kept"], p[k]["total"], p[k]["pending"]) for k in reports.PROMISES}
    assert got == {
        "cadence": (3, 5, 0),
        "close_loop": (1, 2, 0),
        "consent": (1, 2, 0),
        "feedback": (1, 2, 1),
        "reply": (2, 3, 1),
    }
    assert r["silence_histogram"] == {"0-3 days": 1, "4-7 days": 2, "8-14 days": 1, "15-30 days": 0, "over 30 days": 1}
    ids = kiwi.ids
    assert sorted(e["candidate_id"] for e in p["cadence"]["exceptions"]) == sorted([ids["c2"], ids["c4"]])
    assert {e["candidate_id"]: e["days"] for e in p["cadence"]["exceptions"]} == {ids["c2"]: 13, ids["c4"]: 39}
    assert [e["candidacy_id"] for e in p["close_loop"]["exceptions"]] == [ids["c6_cy"]]
    assert [e["candidacy_id"] for e in p["consent"]["exceptions"]] == [ids["c4_cy"]]
    assert [e["interview_id"] for e in p["feedback"]["exceptions"]] == [ids["i2"]]
    assert [e["message_id"] for e in p["reply"]["exceptions"]] == [ids["m2"]]


def test_per_recruiter_and_per_search(app, kiwi):
    r = _report(app, kiwi)
    by_rec = {row["name"]: row for row in r["by_recruiter"]}
    assert by_rec["Ann Archer"]["cadence"] == {"kept": 2, "total": 3}
    assert by_rec["Bob Baker"]["cadence"] == {"kept": 1, "total": 2}
    assert by_rec["Ann Archer"]["close_loop"] == {"kept": 1, "total": 1}
    assert by_rec["Bob Baker"]["close_loop"] == {"kept": 0, "total": 1}
    assert by_rec["Bob Baker"]["survey"]["count"] == 2
    assert by_rec["Bob Baker"]["survey"]["average"] == 7.0
    by_search = {row["name"]: row for row in r["by_search"]}
    assert by_search["CFO"]["consent"] == {"kept": 1, "total": 2}
    assert by_search["CFO"]["owner"] == "Bob Baker"
    assert by_search["Head of Data"]["reply"] == {"kept": 1, "total": 2}


def test_pipeline_and_survey(app, kiwi):
    r = _report(app, kiwi)
    assert {k: v for k, v in r["funnel"].items() if v} == {"presented": 2, "closed": 3}
    tis = r["time_in_stage"]
    assert tis["screening"] == {"count": 2, "median_days": 5.5, "mean_days": 5.5}
    assert tis["contacted"]["count"] == 3
    assert tis["contacted"]["median_days"] == 15
    assert tis["contacted"]["mean_days"] == pytest.approx(44 / 3)
    assert r["applications"] == {"careers": 1, "referral": 1}
    sv = r["survey"]
    assert (sv["count"], sv["average"], sv["nps"]) == (3, 8.0, 0.0)
    assert [c["score"] for c in sv["comments"]] == [6, 10]  # newest first
    assert sv["trend"] == [{"month": "2026-11", "count": 3, "average": 8.0, "nps": 0.0}]


def test_recruiter_scope(app, kiwi):
    r = _report(app, kiwi, recruiter_id=kiwi.ann.id)
    p = r["promises"]
    got = {k: (p[k]["kept"], p[k]["total"]) for k in reports.PROMISES}
    assert got == {"cadence": (2, 3), "close_loop": (1, 1), "consent": (0, 0), "feedback": (0, 0), "reply": (1, 2)}
    assert p["feedback"]["pending"] == 1
    assert (r["survey"]["count"], r["survey"]["average"], r["survey"]["nps"]) == (1, 10.0, 100.0)
    assert r["by_recruiter"] == []
    assert [row["name"] for row in r["by_search"]] == ["Head of Data"]
    assert r["applications"] == {"careers": 1, "referral": 0}


def test_headline_equals_report(app, kiwi):
    with firm_context(app, kiwi.firm) as s:
        from portal.models import Firm

        firm = s.get(Firm, kiwi.firm.id)
        per = reports.period(firm, "week", NOW)
        live = reports.headline(firm, per.start, per.end, now=NOW)
        report = reports.build(firm, per, None, NOW)
    assert live == reports.headline_from(report)
    assert live.cadence_share == pytest.approx(0.6)
    assert live.close_loop_share == 0.5
    assert live.reply_share == pytest.approx(2 / 3)
    assert (live.survey_average, live.nps, live.survey_count, live.cadence_days) == (8.0, 0.0, 3, 7)


def test_a_day_boundary_in_the_firm_zone(app, kiwi):
    """The 30-day period from 20 Oct local; a custom range of Sunday 15 Nov (local) holds c9's
    close (10:00 UTC = 23:00 local) and not c3's move (12:00 UTC = Monday 01:00 local)."""
    with firm_context(app, kiwi.firm) as s:
        from portal.models import Firm

        firm = s.get(Firm, kiwi.firm.id)
        sunday = reports.period(firm, "custom:2026-11-15:2026-11-15", NOW)
        r = reports.build(firm, sunday, None, NOW)
    assert r["promises"]["close_loop"]["total"] == 1
    assert r["promises"]["close_loop"]["exceptions"][0]["candidacy_id"] == kiwi.ids["c9_cy"]
    assert r["promises"]["consent"]["total"] == 0
    assert r["survey"]["count"] == 1 and r["survey"]["average"] == 0


def test_empty_firm_has_no_figures(app, firms):
    with firm_context(app, firms.a.firm) as s:
        from portal.models import Firm

        firm = s.get(Firm, firms.a.firm.id)
        per = reports.period(firm, "30d")
        h = reports.headline(firm, per.start, per.end)
    assert h.cadence_share is None and h.nps is None and h.survey_count == 0 and h.survey_average is None
