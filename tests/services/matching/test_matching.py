"""Matching both ways: ranking, reasons, hard rules, warnings, filters, firm isolation, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import (
    Candidacy,
    CloseReason,
    Consent,
    ConsentState,
    JobSeeking,
    RemotePreference,
    SearchState,
    Seniority,
    Stage,
    utcnow,
)
from portal.services import matching
from portal.services.matching import MatchFilters
from tests.factories import firm_context
from tests.support import matching as h


def _ids(matches, attr):
    return [getattr(m, attr).id for m in matches]


def test_candidates_ranked_by_required_skills_then_fit(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(
            firm,
            required=["Python", "SQL", "Django"],
            nice=["Docker"],
            location="Berlin",
            seniority=Seniority.SENIOR,
            remote_policy=RemotePreference.HYBRID,
            pay_min=70_000,
            pay_max=90_000,
        )
        full = h.person(
            firm,
            ["python", "sql", "django", "docker"],
            location="Berlin",
            seniority=Seniority.SENIOR,
            remote_preference=RemotePreference.HYBRID,
            pay_expectation=80_000,
            job_seeking=JobSeeking.ACTIVE,
        )
        two = h.person(firm, ["Python", "SQL"], location="Berlin", seniority=Seniority.SENIOR)
        nice_only = h.person(firm, ["Docker"], location="Berlin", seniority=Seniority.SENIOR)
        h.person(firm, ["Cobol"])  # nothing in common: never suggested
        out = matching.candidates_for_search(firm, s)
        assert _ids(out, "candidate") == [full.id, two.id, nice_only.id]
        best = out[0]
        assert best.score >= 95
        assert best.reasons.skills_in_common == ("Django", "Docker", "Python", "SQL")
        assert best.reasons.required_missing == () and best.reasons.nice_in_common == ("Docker",)
        assert best.reasons.pay.level == "good" and best.reasons.location.level == "good"
        # The locale's English lists (Babel, CLDR) take the serial comma.
        assert "Has 3 of 3 required skills (Django, Python, and SQL)." in best.recruiter_sentences()
        second = out[1]
        assert second.reasons.required_missing == ("Django",)
        assert second.reasons.nice_missing == ("Docker",)
        assert "Has 2 of 3 required skills (Python and SQL); missing Django." in second.recruiter_sentences()
        assert out[0].score > out[1].score > out[2].score


def test_roles_for_candidate_ranked_and_explained(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        me = h.person(
            firm,
            ["Python", "SQL", "AWS"],
            location="London",
            seniority=Seniority.MID,
            remote_preference=RemotePreference.ANY,
            pay_expectation=60_000,
            pay_currency="GBP",
        )
        great = h.search(
            firm,
            required=["Python", "SQL"],
            nice=["amazon web services"],
            location="London, UK",
            seniority=Seniority.MID,
            pay_min=55_000,
            pay_max=65_000,
            pay_currency="GBP",
            title="Data Engineer",
        )
        partial = h.search(firm, required=["Python", "Go", "Rust"], location="Paris", seniority=Seniority.LEAD)
        h.search(firm, required=["Java"])  # nothing in common
        out = matching.roles_for_candidate(firm, me)
        assert _ids(out, "search") == [great.id, partial.id]
        m = out[0]
        assert m.candidate is me
        assert m.reasons.skills_in_common == ("AWS", "Python", "SQL")
        text = m.candidate_sentences()
        assert "You have all 2 required skills: Python and SQL." in text
        assert "Also useful for this role, and on your profile: AWS." in text
        assert "The role is in London, UK, where you are based." in text
        assert any(
            "within the role's range (\u00a355,000\u2013\u00a365,000)" in t for t in text
        )  # the locale's amounts
        assert out[1].reasons.required_missing == ("Go", "Rust")
        assert "Not on your profile yet: Go and Rust." in out[1].candidate_sentences()


def test_closed_searches_never_match_and_on_hold_is_recruiter_only(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        me = h.person(firm, ["Python"])
        searches = {st: h.search(firm, required=["Python"], state=st) for st in SearchState}
        anticipated = h.search(firm, required=["Python"], anticipated=True)
        roles = _ids(matching.roles_for_candidate(firm, me), "search")
        assert sorted(roles) == sorted([searches[SearchState.OPEN].id, anticipated.id])
        assert _ids(matching.roles_for_candidate(firm, me, include_anticipated=False), "search") == [
            searches[SearchState.OPEN].id
        ]
        for st in (SearchState.FILLED, SearchState.CANCELLED):
            assert matching.candidates_for_search(firm, searches[st]) == []
        assert _ids(matching.candidates_for_search(firm, searches[SearchState.ON_HOLD]), "candidate") == [me.id]


def test_people_already_in_the_search_and_deleted_people_are_left_out(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Python"])
        other = h.search(firm, required=["Python"])
        inside = h.person(firm, ["Python"])
        closed_inside = h.person(firm, ["Python"])
        gone = h.person(firm, ["Python"], deleted_at=utcnow())
        fresh = h.person(firm, ["Python"])
        db.session.add_all(
            [
                Candidacy(firm_id=firm.id, search_id=s.id, candidate_id=inside.id),
                Candidacy(
                    firm_id=firm.id,
                    search_id=s.id,
                    candidate_id=closed_inside.id,
                    stage=Stage.CLOSED,
                    close_reason=CloseReason.NOT_A_FIT,
                    closed_at=utcnow(),
                ),
            ]
        )
        db.session.flush()
        assert _ids(matching.candidates_for_search(firm, s), "candidate") == [fresh.id]
        assert _ids(matching.roles_for_candidate(firm, inside), "search") == [other.id]
        assert matching.roles_for_candidate(firm, gone) == []


def test_earlier_candidacy_with_same_client_is_a_warning_not_hidden(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        acme = h.client(firm, "Acme Corp")
        globex = h.client(firm, "Globex")
        old = h.search(firm, required=["Python"], client_obj=acme, title="Old role")
        older = h.search(firm, required=["Python"], client_obj=acme, title="Long ago")
        placed_s = h.search(firm, required=["Python"], client_obj=acme, title="Placed role")
        elsewhere = h.search(firm, required=["Python"], client_obj=globex, title="Other client")
        new = h.search(firm, required=["Python"], client_obj=acme, title="New role")
        declined, stale, placed, clean = (h.person(firm, ["Python"]) for _ in range(4))
        now = utcnow()
        c1 = Candidacy(
            firm_id=firm.id,
            search_id=old.id,
            candidate_id=declined.id,
            stage=Stage.CLOSED,
            close_reason=CloseReason.CLIENT_DECLINED,
            closed_at=now - timedelta(days=40),
        )
        c2 = Candidacy(
            firm_id=firm.id,
            search_id=older.id,
            candidate_id=stale.id,
            stage=Stage.CLOSED,
            close_reason=CloseReason.NOT_A_FIT,
            closed_at=now - timedelta(days=400),
        )
        c3 = Candidacy(
            firm_id=firm.id,
            search_id=placed_s.id,
            candidate_id=placed.id,
            stage=Stage.PLACED,
            stage_changed_at=now - timedelta(days=100),
        )
        c4 = Candidacy(
            firm_id=firm.id,
            search_id=elsewhere.id,
            candidate_id=clean.id,
            stage=Stage.CLOSED,
            close_reason=CloseReason.WITHDREW,
            closed_at=now - timedelta(days=5),
        )
        c5 = Candidacy(firm_id=firm.id, search_id=old.id, candidate_id=stale.id, stage=Stage.SCREENING)
        db.session.add_all([c1, c2, c3, c4, c5])
        db.session.flush()
        db.session.add(
            Consent(
                firm_id=firm.id,
                candidacy_id=c5.id,
                candidate_id=c5.candidate_id,
                search_id=c5.search_id,
                state=ConsentState.DECLINED,
                answered_at=now - timedelta(days=3),
                client_name="Acme Corp",
                role_title="Old role",
            )
        )
        db.session.flush()
        out = {m.candidate.id: m for m in matching.candidates_for_search(firm, new)}
        assert set(out) == {declined.id, stale.id, placed.id, clean.id}  # shown, not hidden
        w = out[declined.id].reasons.warnings
        assert [(x.kind, x.search_id, x.detail) for x in w] == [("closed", old.id, "Client declined")]
        assert (
            out[declined.id].recruiter_sentences()[0].startswith("Closed with Acme Corp for \u201cOld role\u201d on ")
        )
        assert [x.kind for x in out[stale.id].reasons.warnings] == ["declined"]  # 400 days ago: gone
        assert [x.kind for x in out[placed.id].reasons.warnings] == ["placed"]
        assert out[clean.id].reasons.warnings == ()  # other client
        # Warnings are for recruiters: candidate-facing results carry none.
        mine = matching.roles_for_candidate(firm, declined)
        assert mine and all(m.reasons.warnings == () for m in mine)
        assert not any("Acme" in t for m in mine for t in m.candidate_sentences())
        rec = {m.search.id: m for m in matching.roles_for_candidate(firm, declined, for_recruiter=True)}
        assert [x.search_id for x in rec[new.id].reasons.warnings] == [old.id]


def test_confidential_client_never_in_candidate_texts(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        secret = h.client(firm, "Initech Secret Holdings")
        s = h.search(
            firm,
            required=["Python"],
            client_obj=secret,
            confidential=True,
            title="CTO",
            location="Austin",
            pay_min=1,
            pay_max=2,
        )
        me = h.person(firm, ["Python"], location="Austin", pay_expectation=3)
        (m,) = matching.roles_for_candidate(firm, me)
        assert m.search.id == s.id
        assert m.search.client_name_for_candidate() == "Confidential client"
        blob = " ".join(m.candidate_sentences()) + repr(m.reasons)
        assert "Initech" not in blob


def test_pay_location_remote_seniority_and_availability_parts(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(
            firm,
            required=["Python"],
            location="Munich",
            remote_policy=RemotePreference.ONSITE,
            seniority=Seniority.SENIOR,
            pay_min=60_000,
            pay_max=80_000,
        )
        far = h.person(
            firm,
            ["Python"],
            location="Lisbon",
            remote_preference=RemotePreference.REMOTE,
            seniority=Seniority.JUNIOR,
            pay_expectation=100_000,
            job_seeking=JobSeeking.NOT_LOOKING,
            available_from=date.today() + timedelta(days=200),
        )
        mover = h.person(
            firm,
            ["Python"],
            location="Hamburg",
            desired_locations="Munich, Berlin",
            seniority=Seniority.LEAD,
            pay_expectation=85_000,
            pay_currency="EUR",
        )
        anywhere = h.person(
            firm,
            ["Python"],
            location="Vienna",
            desired_locations="Anywhere",
            pay_expectation=50_000,
            pay_currency="USD",
        )
        got = {m.candidate.id: m.reasons for m in matching.candidates_for_search(firm, s)}
        r = got[far.id]
        assert (r.location.level, r.remote.level, r.seniority.level, r.pay.level) == ("poor",) * 4
        assert r.availability.points < got[mover.id].availability.points
        assert "available from" in r.availability.recruiter_text
        r = got[mover.id]
        assert r.location.level == "good" and "one of the places you would like to work" in r.location.candidate_text
        assert r.seniority.level == "partial" and r.pay.level == "partial"
        assert "one level below the role" not in r.seniority.candidate_text
        assert "The role (Senior) is one level below yours (Lead)." == r.seniority.candidate_text
        r = got[anywhere.id]
        assert r.location.level == "good" and r.pay.level == "unknown"
        assert "different currency" in r.pay.recruiter_text


def test_remote_role_ignores_location(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Go"], location="Oslo", remote_policy=RemotePreference.REMOTE)
        me = h.person(firm, ["Go"], location="Lima", remote_preference=RemotePreference.REMOTE)
        (m,) = matching.candidates_for_search(firm, s)
        assert m.reasons.location.level == "good" and m.reasons.remote.level == "good"
        assert m.candidate.id == me.id


def test_filters_narrow_candidates(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Python", "SQL"])
        a = h.person(
            firm,
            ["Python", "SQL"],
            job_seeking=JobSeeking.ACTIVE,
            location="Berlin",
            seniority=Seniority.SENIOR,
            pay_expectation=50_000,
        )
        b = h.person(
            firm,
            ["Python"],
            job_seeking=JobSeeking.NOT_LOOKING,
            location="Paris",
            desired_locations="Berlin 100%_x",
            seniority=Seniority.JUNIOR,
            available_from=date(2030, 1, 1),
        )
        c = h.person(
            firm,
            ["SQL"],
            job_seeking=JobSeeking.OPEN,
            location="Rome",
            remote_preference=RemotePreference.REMOTE,
            pay_expectation=90_000,
        )

        def ids(**f):
            return sorted(_ids(matching.candidates_for_search(firm, s, filters=f), "candidate"))

        assert ids() == sorted([a.id, b.id, c.id])
        assert ids(job_seeking=["active", "open"]) == sorted([a.id, c.id])
        assert ids(seniority=[Seniority.JUNIOR]) == [b.id]
        assert ids(remote=["remote"]) == [c.id]
        assert ids(location="berlin") == sorted([a.id, b.id])
        assert ids(location="100%_") == [b.id]  # LIKE wildcards are literal
        assert ids(available_by=date(2029, 1, 1)) == sorted([a.id, c.id])
        assert ids(max_pay=60_000) == sorted([a.id, b.id])
        assert ids(all_required=True) == [a.id]
        assert ids(min_score=101) == []
        assert ids(location="", max_pay=None) == sorted([a.id, b.id, c.id])
        with pytest.raises(TypeError):
            matching.candidates_for_search(firm, s, filters={"colour": "red"})
        assert [
            m.candidate.id for m in matching.candidates_for_search(firm, s, filters=MatchFilters(all_required=True))
        ] == [a.id]


def test_limit_and_no_skills(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Python"])
        people = [h.person(firm, ["Python"]) for _ in range(5)]
        assert len(matching.candidates_for_search(firm, s, limit=3)) == 3
        assert matching.candidates_for_search(firm, s, limit=0) == []
        assert len(matching.roles_for_candidate(firm, people[0], limit=1)) == 1
        assert matching.candidates_for_search(firm, h.search(firm)) == []
        assert matching.roles_for_candidate(firm, h.person(firm)) == []
        assert matching.roles_for_candidate(firm, people[0], exclude_search_ids=[s.id]) == []


def test_another_firms_people_and_searches_never_appear(app, firms):
    with firm_context(app, firms.b.firm):
        hb = h.search(firms.b.firm, required=["Python"])
        pb = h.person(firms.b.firm, ["Python"])
    with firm_context(app, firms.a.firm):
        sa = h.search(firms.a.firm, required=["Python"])
        pa = h.person(firms.a.firm, ["Python"])
        assert _ids(matching.candidates_for_search(firms.a.firm, sa), "candidate") == [pa.id]
        assert _ids(matching.roles_for_candidate(firms.a.firm, pa), "search") == [sa.id]
        # Passing another firm's object gives nothing, not a cross-firm answer.
        assert matching.candidates_for_search(firms.a.firm, hb) == []
        assert matching.roles_for_candidate(firms.a.firm, pb) == []


def test_explain_matches_the_ranked_result(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Python", "SQL"], nice=["Docker", "Go"], location="Berlin")
        p = h.person(firm, ["Python", "Go"], location="Berlin", seniority=Seniority.MID)
        (m,) = matching.candidates_for_search(firm, s)
        e = matching.explain(firm, p, s)
        assert (e.score, e.reasons) == (m.score, m.reasons)
        (r,) = matching.roles_for_candidate(firm, p)
        assert (r.score, r.reasons.skills_in_common) == (e.score, e.reasons.skills_in_common)


def _count_queries(count_queries, fn):
    with count_queries() as q:
        result = fn()
    return result, q.count


@pytest.mark.parametrize("direction", ["candidates", "roles"])
def test_query_count_does_not_grow_with_results(app, firms, direction, count_queries):
    firm = firms.a.firm
    counts = {}
    with firm_context(app, firm):
        for n in (1, 50):
            tag = f"Skill{n}"
            me = h.person(firm, [tag, "Extra"])
            searches = [h.search(firm, required=[tag], nice=["Extra", "Other"]) for _ in range(n)]
            people = [me] + [h.person(firm, [tag]) for _ in range(n - 1)]
            db.session.flush()
            db.session.expire_all()
            db.session.refresh(searches[0])  # the page has these loaded; the rest is expired
            db.session.refresh(me)
            if direction == "candidates":
                out, counts[n] = _count_queries(
                    count_queries, lambda searches=searches: matching.candidates_for_search(firm, searches[0])
                )
                assert len(out) == n
                [m.candidate.name for m in out]
            else:
                out, counts[n] = _count_queries(
                    count_queries, lambda me=me: matching.roles_for_candidate(firm, me, limit=50)
                )
                assert len(out) == n
                [(m.search.client.name, m.search.title) for m in out]
            assert people
    # candidates: search skills, shortlist (with the people's names and skills), warnings;
    # roles: shortlist, searches, their skills (with the candidate's).
    assert counts[1] == counts[50] == 3


def test_searches_with_many_skills_are_explained_too(app, firms):
    """More than 62 skills on a search takes the two-query path for the people's skills."""
    firm = firms.a.firm
    with firm_context(app, firm):
        names = [f"Tool {i}" for i in range(70)]
        s = h.search(firm, required=names[:40], nice=names[40:])
        p = h.person(firm, names[::7] + ["Unrelated"])
        (m,) = matching.candidates_for_search(firm, s)
        assert set(m.reasons.skills_in_common) == set(names[::7])
        assert (m.score, m.reasons) == (matching.explain(firm, p, s).score, matching.explain(firm, p, s).reasons)
