"""Match pools (portal/services/matching/pools.py): the stored best overlaps of a search must give
exactly what the live aggregation gives, through every kind of change.

The pools are made small here (a pool from the first shared skill, six people looked at, the
best four overlaps used), so that floors, ties and shrinking happen with a dozen people.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import Candidacy, CandidateSkill, MatchPool, Search, SearchSkill, SearchState, Stage
from portal.services import matching, pipeline, searches, skills
from portal.services.data_rights import delete_account
from portal.services.matching import pools as match_pools
from tests.services.matching.test_properties import rolled_back
from tests.support import matching as h

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
VOCABULARY = ["Python", "SQL", "Go", "Docker", "AWS", "Excel"]


def _small(monkeypatch):
    monkeypatch.setattr(match_pools, "POOL_FROM", 1)
    monkeypatch.setattr(match_pools, "POOL_SIZE", 6)
    monkeypatch.setattr(matching.sql, "OVERLAP_CAP", 4)


def live(firm, search, **kw):
    """candidates_for_search as if the search had no pool (the aggregation)."""
    floor = search.pool_floor
    set_committed_value(search, "pool_floor", None)
    try:
        return matching.candidates_for_search(firm, search, **kw)
    finally:
        set_committed_value(search, "pool_floor", floor)


def ranked(matches):
    return [(m.candidate.id, round(m.exact, 9)) for m in matches]


def overlaps(firm, search) -> dict[int, int]:
    """Every person's weighted overlap with the search, from scratch."""
    weight = {
        ss.skill_id: 3 if ss.required else 1
        for ss in db.session.scalars(select(SearchSkill).where(SearchSkill.search_id == search.id))
    }
    out: dict[int, int] = {}
    for cid, skill_id in db.session.execute(select(CandidateSkill.candidate_id, CandidateSkill.skill_id)):
        if skill_id in weight:
            out[cid] = out.get(cid, 0) + weight[skill_id]
    return out


def pool(search) -> dict[int, int]:
    return dict(
        db.session.execute(select(MatchPool.candidate_id, MatchPool.have).where(MatchPool.search_id == search.id)).all()
    )


def assert_exact(firm, search):
    """The pool is everyone at or above its floor, and suggestions equal the live ones."""
    db.session.flush()
    if search.pool_floor is not None:
        expected = {c: n for c, n in overlaps(firm, search).items() if n >= search.pool_floor}
        assert pool(search) == expected
    assert ranked(matching.candidates_for_search(firm, search)) == ranked(live(firm, search))


skill_sets = st.lists(st.sampled_from(VOCABULARY), max_size=5, unique=True)
changes = st.lists(
    st.one_of(
        st.tuples(st.just("person"), st.integers(0, 11), skill_sets),
        st.tuples(st.just("search"), skill_sets, skill_sets),
        st.tuples(st.just("newcomer"), skill_sets, st.just(None)),
        st.tuples(st.just("merge"), st.sampled_from(VOCABULARY), st.sampled_from(VOCABULARY)),
        st.tuples(st.just("state"), st.sampled_from(list(SearchState)), st.just(None)),
        st.tuples(st.just("add"), st.integers(0, 11), st.just(None)),
    ),
    max_size=6,
)


@SETTINGS
@given(
    people=st.lists(skill_sets, min_size=3, max_size=12),
    required=skill_sets.filter(bool),
    nice=skill_sets,
    steps=changes,
)
def test_a_pool_gives_exactly_the_live_suggestions_through_every_change(
    app, firms, monkeypatch, people, required, nice, steps
):
    _small(monkeypatch)
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        folks = [h.person(firm, names) for names in people]
        s = h.search(firm, required=required, nice=nice)
        shared = set(required + nice) & {n for names in people for n in names}
        assert (s.pool_floor is not None) == bool(shared)  # built as its skills were set
        assert_exact(firm, s)
        for kind, a, b in steps:
            if kind == "person":
                skills.set_candidate_skills(firm, folks[a % len(folks)], b)
            elif kind == "search":
                skills.set_search_skills(firm, s, a, b)
            elif kind == "newcomer":
                folks.append(h.person(firm, a))
            elif kind == "merge":
                keep, drop = (skills.resolve(firm, [n], create=True)[0] for n in (a, b))
                if keep.id != drop.id:
                    skills.merge(firm, None, keep, drop)
                    assert s.pool_floor is None or not any(ss.skill_id == keep.id for ss in s.skills)
                    match_pools.maintain(firm)
                    db.session.refresh(s)
            elif kind == "state":
                if a.is_closed:
                    if not s.state.is_closed:
                        pipeline.close_search(firm, firms.a.recruiter, s, a)
                    assert s.pool_floor is None
                else:
                    s.state = a
                    match_pools.build(firm, [s])
            elif kind == "add" and not s.state.is_closed:
                who = folks[a % len(folks)]
                if not db.session.scalar(
                    select(Candidacy.id).where(Candidacy.search_id == s.id, Candidacy.candidate_id == who.id)
                ):
                    db.session.add(
                        Candidacy(firm_id=firm.id, search_id=s.id, candidate_id=who.id, stage=Stage.IDENTIFIED)
                    )
            assert_exact(firm, s)


def test_only_large_open_searches_get_a_pool(app, firms, monkeypatch):
    monkeypatch.setattr(match_pools, "POOL_FROM", 3)  # candidate-skill rows
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        for _ in range(3):
            h.person(firm, ["Python", "SQL"])
        small = h.search(firm, required=["Go"])
        large = h.search(firm, required=["Python"], nice=["SQL"])
        held = h.search(firm, required=["Python"], state=SearchState.ON_HOLD)
        assert small.pool_floor is None and pool(small) == {}
        assert large.pool_floor == 1 and set(pool(large).values()) == {4}
        assert held.pool_floor == 1
        pipeline.close_search(firm, None, large, SearchState.CANCELLED)
        assert large.pool_floor is None and pool(large) == {}
        assert db.session.scalar(select(Search.pool_floor).where(Search.id == large.id)) is None


def test_reopening_a_search_builds_its_pool_again(app, firms, monkeypatch):
    _small(monkeypatch)
    a = firms.a
    with rolled_back(app, a.firm.id):
        for names in (["Python"], ["Python", "SQL"], ["SQL"]):
            h.person(a.firm, names)
        s = h.search(a.firm, required=["Python"], nice=["SQL"], title="Data engineer")
        pipeline.close_search(a.firm, a.recruiter, s, SearchState.FILLED)
        assert s.pool_floor is None
        data = searches.SearchInput(
            client_name=s.client.name,
            title=s.title,
            state=SearchState.OPEN,
            required_skills="Python",
            nice_skills="SQL",
        )
        searches.update_search(a.firm, a.recruiter, s, data)
        assert s.pool_floor == 1 and len(pool(s)) == 3
        assert_exact(a.firm, s)


def test_a_shrunken_pool_is_not_trusted_and_the_plan_rebuilds_it(app, firms, monkeypatch):
    _small(monkeypatch)
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        folks = [h.person(firm, ["Python", "SQL", "Go"][: 1 + i % 3]) for i in range(9)]
        s = h.search(firm, required=["Python", "SQL", "Go"])
        assert s.pool_floor > 1 and len(pool(s)) >= matching.OVERLAP_CAP
        for p in folks:  # the best overlaps leave: the pool falls below the cap
            if len(p.skills) == 3:
                skills.set_candidate_skills(firm, p, ["Python"])
        assert len(pool(s)) < matching.OVERLAP_CAP
        assert_exact(firm, s)  # matched live instead
        out = match_pools.maintain(firm)
        assert out["built"] == 1
        db.session.refresh(s)
        assert len(pool(s)) >= matching.OVERLAP_CAP
        assert_exact(firm, s)


def test_pooled_suggestions_take_three_statements(app, firms, monkeypatch):
    _small(monkeypatch)
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        for i in range(8):
            h.person(firm, ["Python", "SQL"][: 1 + i % 2])
        s = h.search(firm, required=["Python", "SQL"])
        assert s.pool_floor is not None
        seen = []
        listener = lambda *a: seen.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            found = matching.candidates_for_search(firm, s)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(found) == matching.OVERLAP_CAP  # the best overlaps only
        assert len(seen) == 3
        assert "match_pools" in seen[1] and "GROUP BY" not in seen[1]  # read, not aggregated


def test_pools_never_cross_firms(app, firms, monkeypatch):
    _small(monkeypatch)
    a, b = firms.a.firm, firms.b.firm
    with rolled_back(app, None):
        from portal.tenancy import as_firm

        with as_firm(b.id):
            theirs = [h.person(b, ["Python"]) for _ in range(3)]
            sb = h.search(b, required=["Python"])
            before = pool(sb)
        with as_firm(a.id):
            mine = [h.person(a, ["Python"]) for _ in range(3)]
            sa = h.search(a, required=["Python"])
            skills.set_candidate_skills(a, mine[0], ["Python", "SQL"])
            match_pools.maintain(a, rebuild_all=True)
            assert set(pool(sa)) == {p.id for p in mine}
            assert {m.candidate.id for m in matching.candidates_for_search(a, sa)} == {p.id for p in mine}
        assert pool(sb) == before and set(before) == {p.id for p in theirs}
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(MatchPool)
                .where(MatchPool.search_id == sb.id, MatchPool.firm_id != b.id)
            )
            == 0
        )


def test_deleting_an_account_takes_the_person_out_of_every_pool(app, firms, monkeypatch):
    _small(monkeypatch)
    a = firms.a
    with rolled_back(app, a.firm.id):
        from portal.models import Candidate, Firm

        firm, cand = db.session.get(Firm, a.firm.id), db.session.get(Candidate, a.candidate.id)
        skills.set_candidate_skills(firm, cand, ["Python"])
        s = h.search(firm, required=["Python"])
        assert cand.id in pool(s)
        delete_account(firm, cand, None)
        assert cand.id not in pool(s)


def test_the_hourly_plan_and_the_command_build_pools(app, firms, monkeypatch):
    from tests.factories import firm_context
    from worker import jobs

    _small(monkeypatch)
    a = firms.a
    with firm_context(app, a.firm):
        for _ in range(3):
            h.person(a.firm, ["Python"])
        s = h.search(a.firm, required=["Python"])
        sid = s.id
        match_pools.forget_skill(a.firm, s.skills[0].skill_id)
    out = jobs.plan_firm(a.firm.id)
    assert out.get("pools") == 1
    with firm_context(app, a.firm):
        assert db.session.get(Search, sid).pool_floor == 1
    result = app.test_cli_runner().invoke(args=["matching", "pools", "--firm", a.firm.slug, "--rebuild"])
    assert result.exit_code == 0, result.output
    assert f"{a.firm.slug}: 1 built" in result.output


def test_a_csv_import_refreshes_the_pools_once_for_everyone(app, firms, monkeypatch):
    from portal.services import csv_import

    _small(monkeypatch)
    a = firms.a
    with rolled_back(app, a.firm.id):
        h.person(a.firm, ["Python"])
        s = h.search(a.firm, required=["Python", "SQL"])
        calls = []
        real = match_pools.refresh_candidates
        monkeypatch.setattr(match_pools, "refresh_candidates", lambda f, ids: (calls.append(set(ids)), real(f, ids)))
        text = "name,email,skills\n" + "".join(
            f'Imported {i},imported{i}@example.com,"Python{", SQL" if i % 2 else ""}"\n' for i in range(6)
        )
        created = csv_import.import_candidates(a.firm, a.recruiter, text)
        assert len(calls) == 7 and calls[-1] == {c.id for c in created}  # six deferred, one real
        assert {c.id for c in created} <= set(pool(s))
        assert_exact(a.firm, s)


def test_a_row_written_meanwhile_by_another_transaction_does_not_fail_a_save(app, firms, monkeypatch):
    """PostgreSQL: the worker rebuilding a pool and a person saving their profile may both
    insert the same (person, search) row; the later one overwrites it (SQLite has one writer
    at a time, so the race cannot happen there)."""
    _small(monkeypatch)
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite has one writer at a time")
        p = h.person(firm, ["Python"])
        s = h.search(firm, required=["Python", "SQL"])
        assert pool(s) == {p.id: 3}
        from sqlalchemy import literal

        match_pools._insert_rows(select(literal(firm.id), literal(s.id), literal(p.id), literal(6)))
        assert pool(s) == {p.id: 6}
