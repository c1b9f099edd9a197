"""Public proof: with the admin's switch on, the careers board and the sign-in page say the
report's own headline for this quarter (equal to reports.headline, rounded down), a figure with
too little data is left out, the sentence comes from the stored snapshot through a short cache
(a bounded, small statement count), and the admin sees a preview."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    Firm,
    Message,
    MessageState,
    Stage,
    StageChange,
    SurveyResponse,
    utcnow,
)
from portal.services import public_figures, report_snapshots, reports
from tests.factories import firm_context, seq
from tests.support import candidate as portal_data
from tests.support.fixtures.clients import login_as

SCORES = [10, 10, 10, 9, 9, 9, 9, 8, 8, 8, 8, 7]  # 105 / 12 = 8.75: shown as 8.7 (rounded down)


def _people(app, f, kept: int, silent: int, scores: list[int]) -> None:
    """`kept` active candidates heard from a day ago, `silent` not for 20 days (cadence 7), and
    survey answers with these scores, all this quarter."""
    now = utcnow()
    search = portal_data.make_search(app, f, title="Proof role")
    with firm_context(app, f.firm) as s:
        for i in range(kept + silent):
            quiet = timedelta(days=20 if i < silent else 1)
            c = Candidate(firm_id=f.firm.id, name=f"Person {i}", email=f"p{seq()}@alpha.example")
            s.add(c)
            s.flush()
            cy = Candidacy(
                firm_id=f.firm.id,
                search_id=search.id,
                candidate_id=c.id,
                stage=Stage.SCREENING,
                created_at=now - timedelta(days=25),
                stage_changed_at=now - timedelta(days=25),
            )
            s.add(cy)
            s.flush()
            s.add(
                StageChange(
                    firm_id=f.firm.id,
                    candidacy_id=cy.id,
                    from_stage=None,
                    to_stage=Stage.SCREENING,
                    created_at=now - timedelta(days=25),
                )
            )
            s.add(
                Message(
                    firm_id=f.firm.id,
                    kind="stage_changed",
                    audience=Audience.CANDIDATE,
                    candidate_id=c.id,
                    candidacy_id=cy.id,
                    to_email=c.email,
                    subject="Update",
                    body_text="t",
                    body_html="<p>t</p>",
                    dedupe_key=f"proof:{seq()}",
                    state=MessageState.SENT,
                    created_at=now - quiet,
                    sent_at=now - quiet,
                    due_at=now - quiet,
                )
            )
        for score in scores:
            s.add(
                SurveyResponse(
                    firm_id=f.firm.id,
                    search_id=search.id,
                    recruiter_id=f.recruiter.id,
                    occasion="closed",
                    token_hash=f"h{seq():063d}",
                    asked_at=now - timedelta(hours=3),
                    expires_at=now + timedelta(days=30),
                    score=score,
                    answered_at=now - timedelta(hours=2),
                )
            )


def _switch(app, f, on: bool = True) -> None:
    with firm_context(app, f.firm) as s:
        s.get(Firm, f.firm.id).public_figures = on
    public_figures.forget(f.firm)


def _snapshot(app, f) -> None:
    with firm_context(app, f.firm) as s:
        report_snapshots.refresh(s.get(Firm, f.firm.id), utcnow(), [None])
    public_figures.forget(f.firm)


def _headline(app, f):
    with firm_context(app, f.firm) as s:
        firm = s.get(Firm, f.firm.id)
        per = reports.standard_periods(firm)["quarter"]
        return reports.headline(firm, per.start, per.end)


def _shown(client) -> tuple[str | None, str | None]:
    board = client.get("/careers/").get_data(as_text=True)
    login = client.get("/login").get_data(as_text=True)

    def proof(html: str) -> str | None:
        if 'class="public-proof"' not in html:
            return None
        return html.split('class="public-proof">')[1].split("</p>")[0]

    return proof(board), proof(login)


def test_the_sentence_is_the_reports_headline(app, firms, client_for):
    f = firms.a
    _people(app, f, kept=11, silent=1, scores=SCORES)
    c = client_for(f.firm)
    assert _shown(c) == (None, None)  # the switch is off by default
    _switch(app, f)
    assert _shown(c) == (None, None)  # on, but no snapshot yet: nothing (never computed on a public page)
    _snapshot(app, f)
    h = _headline(app, f)
    assert (h.cadence_count, h.survey_count) == (12, 12)
    expected = public_figures.sentence(h)
    assert expected == "We answered 91 % of candidates within 7 days this quarter; candidates rate us 8.7/10."
    assert _shown(c) == (expected, expected)
    _switch(app, f, on=False)
    assert _shown(c) == (None, None)


def test_cadence_days_come_from_the_firm(app, firms, client_for):
    f = firms.a
    with firm_context(app, f.firm) as s:
        s.get(Firm, f.firm.id).cadence_days = 21  # the silent ones (20 days) are within it now
    _people(app, f, kept=11, silent=1, scores=SCORES)
    _switch(app, f)
    _snapshot(app, f)
    board, _login = _shown(client_for(f.firm))
    assert board == "We answered 100 % of candidates within 21 days this quarter; candidates rate us 8.7/10."
    assert board == public_figures.sentence(_headline(app, f))


@pytest.mark.parametrize(
    "kept,scores,expected",
    [
        (11, SCORES[:9], "We answered 91 % of candidates within 7 days this quarter."),
        (8, SCORES, "Candidates rate us 8.7/10 this quarter."),
        (8, SCORES[:9], None),
    ],
)
def test_a_figure_with_too_little_data_is_left_out(app, firms, client_for, kept, scores, expected):
    f = firms.a
    _people(app, f, kept=kept, silent=1, scores=scores)
    _switch(app, f)
    _snapshot(app, f)
    assert _shown(client_for(f.firm)) == (expected, expected)
    assert public_figures.sentence(_headline(app, f)) == expected


def test_one_firm_never_shows_anothers_figures(app, firms, client_for):
    _people(app, firms.a, kept=11, silent=1, scores=SCORES)
    _switch(app, firms.a)
    _snapshot(app, firms.a)
    _switch(app, firms.b)
    _snapshot(app, firms.b)
    assert _shown(client_for(firms.b.firm)) == (None, None)
    assert _shown(client_for(firms.a.firm))[0] is not None


def test_public_pages_stay_at_a_small_bounded_statement_count(app, firms, client_for, count_queries, monkeypatch):
    # The figures' own cost, without the careers page cache (tests/careers/test_page_cache.py).
    monkeypatch.delitem(app.extensions, "portal_careers_cache", raising=False)
    f = firms.a
    _people(app, f, kept=11, silent=1, scores=SCORES)
    _snapshot(app, f)
    c = client_for(f.firm)

    def statements(path: str) -> int:
        with count_queries() as q:
            assert c.get(path).status_code == 200
        return q.count

    c.get("/careers/")  # the first request to a host looks its firm up (then the per-host cache)
    off = {p: statements(p) for p in ("/careers/", "/login")}
    _switch(app, f)
    cold = statements("/careers/")  # the first request after the switch reads the snapshot ...
    warm = {p: statements(p) for p in ("/careers/", "/login")}  # ... then the cache answers
    assert cold == off["/careers/"] + 2  # the changed firm is looked up again, the snapshot read once
    assert warm == off
    _people(app, f, kept=40, silent=0, scores=SCORES * 3)  # more data: the same statements
    _snapshot(app, f)
    statements("/careers/")
    assert {p: statements(p) for p in ("/careers/", "/login")} == off


def test_the_board_etag_changes_with_the_figures(app, firms, client_for):
    f = firms.a
    _people(app, f, kept=11, silent=1, scores=SCORES)
    c = client_for(f.firm)
    etag = c.get("/careers/").headers["ETag"]
    _switch(app, f)
    _snapshot(app, f)
    resp = c.get("/careers/", headers={"If-None-Match": etag})
    assert resp.status_code == 200 and "We answered 91 %" in resp.get_data(as_text=True)


def test_admin_switch_and_preview(app, firms, client_for):
    f = firms.a
    c = client_for(f.firm)
    login_as(c, f.admin)
    html = c.get("/admin/settings").get_data(as_text=True)
    assert 'name="public_figures"' in html and "Nothing yet" in html
    _people(app, f, kept=11, silent=1, scores=SCORES)
    html = c.get("/admin/settings").get_data(as_text=True)  # no snapshot yet: the live headline
    assert "We answered 91 % of candidates within 7 days this quarter; candidates rate us 8.7/10." in html
    with firm_context(app, f.firm) as s:
        form = {
            name: getattr(s.get(Firm, f.firm.id), name) or ""
            for name in ("name", "primary_color", "accent_color", "retention_months")
        }
    form.update(careers_enabled="y", public_figures="y")
    assert c.post("/admin/settings", data=form).status_code == 302
    with firm_context(app, f.firm) as s:
        assert s.get(Firm, f.firm.id).public_figures is True
    _snapshot(app, f)
    assert _shown(client_for(f.firm))[0] is not None
    form.pop("public_figures")
    assert c.post("/admin/settings", data=form).status_code == 302
    assert _shown(client_for(f.firm)) == (None, None)  # off at once (the cache is dropped)
    assert c.post("/admin/settings", data={**form, "public_figures": "<script>"}).status_code == 400


def test_a_recruiter_cannot_change_the_switch(app, firms, client_for):
    c = client_for(firms.a.firm)
    login_as(c, firms.a.recruiter)
    assert c.post("/admin/settings", data={"public_figures": "y"}).status_code in (403, 404)
    with firm_context(app, firms.a.firm) as s:
        assert s.get(Firm, firms.a.firm.id).public_figures is False
