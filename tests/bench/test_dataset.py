"""The benchmark's generator stays usable (the benchmarks issue reuses it): a tiny firm,
deterministic for a seed, that the matching service can query."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.dataset import Sizes, generate
from portal.extensions import db
from portal.models import Candidate, CandidateSkill, Firm, Search, SearchSkill, SearchState
from portal.services import matching
from portal.tenancy import all_firms, as_firm

TINY = Sizes(candidates=300, searches=40, vocabulary=120, clients=10, families=6)


def _snapshot(firm_id):
    return (
        db.session.execute(
            select(Candidate.name, Candidate.location, Candidate.seniority, Candidate.pay_expectation)
            .where(Candidate.firm_id == firm_id)
            .order_by(Candidate.id)
        ).all(),
        db.session.execute(
            select(CandidateSkill.candidate_id, CandidateSkill.skill_id)
            .where(CandidateSkill.firm_id == firm_id)
            .order_by(CandidateSkill.candidate_id, CandidateSkill.skill_id)
        ).all(),
        db.session.execute(
            select(SearchSkill.search_id, SearchSkill.skill_id, SearchSkill.required)
            .where(SearchSkill.firm_id == firm_id)
            .order_by(SearchSkill.search_id, SearchSkill.skill_id)
        ).all(),
    )


def test_generator_is_deterministic_and_matchable(app, firms):
    with app.app_context():
        one = generate(db.engine, TINY, seed=7, slug="bench-one", progress=None)
        two = generate(db.engine, TINY, seed=7, slug="bench-two", progress=None)
        assert one.rows == two.rows and one.rows["candidates"] == 300
        with all_firms():
            a, b = _snapshot(one.firm_id), _snapshot(two.firm_id)
        # Same seed, same people, skills and searches (ids are offset by the first firm's rows).
        assert [r[1:] for r in a[0]] == [r[1:] for r in b[0]]
        assert len(a[1]) == len(b[1]) == one.rows["candidate_skills"]
        assert [r[2] for r in a[2]] == [r[2] for r in b[2]]
        with as_firm(one.firm_id):  # each search's stored skill weight is that of its rows
            stored = {sid: w for sid, w in db.session.execute(select(Search.id, Search.skill_weight))}
        expected = dict.fromkeys(stored, 0)
        for sid, _, required in a[2]:
            expected[sid] += 3 if required else 1
        assert stored == expected
        with as_firm(one.firm_id):
            firm = db.session.get(Firm, one.firm_id)
            search = db.session.scalars(
                select(Search).where(Search.state == SearchState.OPEN).order_by(Search.id)
            ).first()
            found = matching.candidates_for_search(firm, search, limit=10)
            assert found and all(m.candidate.firm_id == one.firm_id for m in found)
            person = found[0].candidate
            assert all(m.search.firm_id == one.firm_id for m in matching.roles_for_candidate(firm, person))
            assert db.session.scalar(select(func.count()).select_from(Candidate)) == 300
