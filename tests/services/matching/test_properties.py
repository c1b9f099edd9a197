"""Property-based tests (hypothesis) of the matching rules.

Each example builds its rows inside one transaction and rolls it back, so examples never
see each other's data and nothing is committed.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from flask import render_template_string
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import CandidateSkill, JobSeeking, RemotePreference, SearchSkill, SearchState, Seniority, Skill
from portal.services import matching, skills
from portal.services.matching.facts import _Facts
from portal.services.matching.prescore import _lower, _place_key, _sql_points_for_person, _sql_points_for_role
from portal.services.matching.scoring import _points, _score
from portal.tenancy import all_firms, as_firm
from tests.support import matching as h

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Spellings that fold together ("JS" and "javascript" are one skill) and ones that do not.
SKILL_NAMES = [
    "Python",
    "python ",
    "SQL",
    "JS",
    "JavaScript",
    "Java Script",
    "Java",
    "Go",
    "golang",
    "C++",
    "C#",
    "Docker",
    "Kubernetes",
    "K8s",
    "React",
    "React.js",
    "AWS",
    "Rust",
    "Postgres",
    "PostgreSQL",
    "Excel",
    "Node.js",
    "node",
]
PLACES = [None, "Berlin", "berlin ", "London, UK", "London", "Paris", "Munich, Germany"]

skill_lists = st.lists(st.sampled_from(SKILL_NAMES), max_size=8)
people = st.fixed_dictionaries(
    {
        "seniority": st.none() | st.sampled_from(list(Seniority)),
        "location": st.sampled_from(PLACES),
        "desired_locations": st.none() | st.sampled_from(["Berlin, Munich", "Anywhere", "Paris; London"]),
        "remote_preference": st.sampled_from(list(RemotePreference)),
        "pay_expectation": st.none() | st.integers(20_000, 200_000),
        "pay_currency": st.sampled_from(["EUR", "EUR", "GBP"]),
        "job_seeking": st.sampled_from(list(JobSeeking)),
        "available_from": st.none() | st.dates(date.today() - timedelta(days=30), date.today() + timedelta(days=400)),
        "notice_weeks": st.none() | st.integers(0, 26),
    }
)
roles = st.fixed_dictionaries(
    {
        "seniority": st.none() | st.sampled_from(list(Seniority)),
        "location": st.sampled_from(PLACES),
        "remote_policy": st.sampled_from(list(RemotePreference)),
        "pay_min": st.none() | st.integers(20_000, 120_000),
        "pay_max": st.none() | st.integers(120_000, 250_000),
        "pay_currency": st.sampled_from(["EUR", "GBP"]),
    }
)


@contextmanager
def rolled_back(app, firm_id: int | None):
    """An app context bound to a firm (or spanning firms), rolled back at the end."""
    with app.app_context():
        try:
            if firm_id is None:
                with all_firms():
                    yield db.session
            else:
                with as_firm(firm_id):
                    yield db.session
        finally:
            db.session.rollback()


def keys(names) -> set[str]:
    return {skills.normalise(n) for n in names} - {""}


@SETTINGS
@given(
    mine=skill_lists,
    required=skill_lists,
    nice=skill_lists,
    person=people,
    role=roles,
    extra=st.sampled_from(SKILL_NAMES),
    data=st.data(),
)
def test_adding_a_required_skill_the_candidate_has_never_lowers_the_score(
    app, firms, mine, required, nice, person, role, extra, data
):
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        cand = h.person(firm, mine + [extra], **person)
        s = h.search(firm, required=required, nice=nice, **role)
        before = matching.explain(firm, cand, s)
        skills.set_search_skills(firm, s, required + [extra], nice)
        after = matching.explain(firm, cand, s)
        assert after.score >= before.score
        assert after.exact >= before.exact - 1e-9
        assert 0 <= after.score <= 100
        # ...and one the candidate lacks never raises it.
        lacking = data.draw(st.sampled_from(["Fortran", "COBOL", "Haskell", "Erlang"]))
        skills.set_search_skills(firm, s, required + [extra, lacking], nice)
        worse = matching.explain(firm, cand, s)
        assert worse.exact <= after.exact + 1e-9
        # The ranked list scores the candidate exactly as explain() does.
        ranked = {m.candidate.id: m for m in matching.candidates_for_search(firm, s)}
        assert ranked[cand.id].score == worse.score
        assert ranked[cand.id].reasons == worse.reasons


@SETTINGS
@given(mine=skill_lists, required=skill_lists, nice=skill_lists, person=people, role=roles)
def test_reasons_name_exactly_the_skills_in_common(app, firms, mine, required, nice, person, role):
    firm = firms.a.firm
    with rolled_back(app, firm.id):
        cand = h.person(firm, mine, **person)
        s = h.search(firm, required=required, nice=nice, **role)
        req_k = keys(required)
        nice_k = keys(nice) - req_k
        mine_k = keys(mine)
        found = [matching.explain(firm, cand, s)]
        found += [m for m in matching.candidates_for_search(firm, s) if m.candidate.id == cand.id]
        found += [m for m in matching.roles_for_candidate(firm, cand) if m.search.id == s.id]
        # A pair appears in the ranked lists exactly when they share a skill.
        assert len(found) == (3 if mine_k & (req_k | nice_k) else 1)
        for m in found:
            r = m.reasons
            assert keys(r.skills_in_common) == mine_k & (req_k | nice_k)
            assert len(r.skills_in_common) == len(keys(r.skills_in_common))
            assert keys(r.required_in_common) == mine_k & req_k
            assert keys(r.required_missing) == req_k - mine_k
            assert keys(r.nice_in_common) == mine_k & nice_k
            assert keys(r.nice_missing) == nice_k - mine_k
            text = " ".join(m.candidate_sentences())
            for name in r.required_in_common + r.required_missing + r.nice_in_common:
                assert name in text


client_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=12).map(lambda t: f"\u03a9{t}")


@SETTINGS
@given(
    names=st.lists(client_names, min_size=1, max_size=4, unique=True),
    confidential=st.lists(st.booleans(), min_size=4, max_size=4),
    mine=skill_lists.filter(bool),
    wanted=st.lists(skill_lists, min_size=4, max_size=4),
    person=people,
    role=roles,
    with_history=st.booleans(),
)
def test_confidential_clients_never_reach_the_candidate(
    app, firms, names, confidential, mine, wanted, person, role, with_history
):
    from portal.models import Candidacy, CloseReason, Stage, utcnow

    firm = firms.a.firm
    with rolled_back(app, firm.id), app.test_request_context(base_url=f"http://{firm.slug}.localhost"):
        cand = h.person(firm, mine, **person)
        secret = set()
        for i, name in enumerate(names):
            c = h.client(firm, name)
            h.search(
                firm,
                required=wanted[i] + mine[:1],
                client_obj=c,
                confidential=confidential[i],
                title=f"Role {i}",
                **role,
            )
            if confidential[i]:
                secret.add(name)
            if with_history:  # an earlier closed candidacy with the same client (a warning)
                old = h.search(firm, required=mine[:1], client_obj=c, title=f"Old {i}", state=SearchState.FILLED)
                db.session.add(
                    Candidacy(
                        firm_id=firm.id,
                        search_id=old.id,
                        candidate_id=cand.id,
                        stage=Stage.CLOSED,
                        close_reason=CloseReason.ROLE_CLOSED,
                        closed_at=utcnow(),
                    )
                )
        db.session.flush()
        assume(secret)
        out = matching.roles_for_candidate(firm, cand)
        assert len(out) == len(names)
        html = render_template_string(
            '{% from "matching/macros.html" import role_card %}{% for m in out %}{{ role_card(m) }}'
            '{% with match=m, audience="candidate" %}{% include "matching/_reasons.html" %}{% endwith %}'
            "{% endfor %}",
            out=out,
        )
        for m in out:
            shown = " ".join([m.candidate_summary(), repr(m.reasons), m.search.client_name_for_candidate(), html])
            for name in secret:
                assert name not in shown


@SETTINGS
@given(
    a_people=st.lists(skill_lists, min_size=1, max_size=4),
    b_people=st.lists(skill_lists, min_size=1, max_size=4),
    a_roles=st.lists(skill_lists, min_size=1, max_size=3),
    b_roles=st.lists(skill_lists, min_size=1, max_size=3),
    spanning=st.booleans(),
    cross_links=st.booleans(),
)
def test_results_never_include_another_firms_rows(
    app, firms, a_people, b_people, a_roles, b_roles, spanning, cross_links
):
    fa, fb = firms.a.firm, firms.b.firm
    with rolled_back(app, None):  # build both firms' rows in one transaction
        made = {}
        for firm, ppl, rls in ((fa, a_people, a_roles), (fb, b_people, b_roles)):
            with as_firm(firm.id):
                made[firm.id] = (
                    [h.person(firm, p) for p in ppl],
                    [h.search(firm, required=r[:2], nice=r[2:]) for r in rls],
                )
        if cross_links:
            # Defence in depth: even rows of firm B wrongly linked to firm A's skills (the
            # vocabulary is per firm, so only a bug could make them) never leak into A's results.
            a_skills = db.session.scalars(select(Skill.id).where(Skill.firm_id == fa.id)).all()
            for skill_id in a_skills:
                for p in made[fb.id][0]:
                    db.session.add(CandidateSkill(firm_id=fb.id, candidate_id=p.id, skill_id=skill_id))
                for s in made[fb.id][1]:
                    db.session.add(SearchSkill(firm_id=fb.id, search_id=s.id, skill_id=skill_id, required=True))
            db.session.flush()
        with as_firm(fa.id):
            # spanning: the worker's view, no tenant filter at all, only the explicit firm;
            # otherwise the request's view, filtered to firm A.
            db.session.info["all_firms"] = spanning
            try:
                a_ids = {p.id for p in made[fa.id][0]}
                a_search_ids = {s.id for s in made[fa.id][1]}
                for s in made[fa.id][1]:
                    for m in matching.candidates_for_search(fa, s):
                        assert m.candidate.id in a_ids and m.candidate.firm_id == fa.id
                for p in made[fa.id][0]:
                    for m in matching.roles_for_candidate(fa, p, for_recruiter=True):
                        assert m.search.id in a_search_ids and m.search.firm_id == fa.id
                # Another firm's objects handed in give nothing.
                for s in made[fb.id][1]:
                    assert matching.candidates_for_search(fa, s) == []
                for p in made[fb.id][0]:
                    assert matching.roles_for_candidate(fa, p) == []
            finally:
                db.session.info["all_firms"] = True


@settings(max_examples=300, deadline=None)
@given(
    person=people,
    role=roles,
    have=st.integers(0, 40),
    extra=st.integers(0, 40),
    today=st.dates(date(2024, 1, 1), date(2030, 1, 1)),
)
def test_the_shortlist_ranks_by_exactly_the_explained_score(person, role, have, extra, today):
    """The shortlist is ranked by the score without words; it must equal the explained one."""
    from types import SimpleNamespace

    p, r = SimpleNamespace(**person), SimpleNamespace(**role)
    total = have + extra
    exact, parts = _score(p, r, have, total, 0, 0, today)
    assert _points(p, r, have, total, today) == exact
    assert 0 <= exact <= 100
    assert all(0 <= f.points <= f.max_points for f in parts)
    assert sum(f.max_points for f in parts) == 100


@SETTINGS
@given(
    ppl=st.lists(people, min_size=1, max_size=4),
    rls=st.lists(roles, min_size=1, max_size=4),
    have=st.integers(0, 20),
    extra=st.integers(1, 20),
)
def test_the_sql_pre_score_equals_the_python_score(app, firms, ppl, rls, have, extra):
    """The database ranks the shortlist with the same numbers Python shows (for ordinary
    place names; the SQL location part is documented as approximate for unusual ones)."""
    from sqlalchemy import literal

    from portal.models import Candidate, Search

    firm = firms.a.firm
    today = date.today()
    total = have + extra
    with rolled_back(app, firm.id):
        cands = [h.person(firm, ["Python"], **p) for p in ppl]
        searches = [h.search(firm, required=["Python"], **r) for r in rls]
        ccols = {
            k: getattr(Candidate, k)
            for k in (
                "seniority",
                "remote_preference",
                "available_from",
                "job_seeking",
                "pay_expectation",
                "pay_currency",
            )
        }
        ccols |= {"loc_key": _place_key(Candidate.location), "wish_key": _lower(Candidate.desired_locations)}
        for s in searches:
            role = _Facts(s)
            pre = _sql_points_for_role(role, total, literal(have), today, ccols)
            got = dict(
                db.session.execute(select(Candidate.id, pre).where(Candidate.id.in_([c.id for c in cands]))).all()
            )
            for c in cands:
                assert abs(got[c.id] - _points(_Facts(c), role, have, total, today)) < 1e-6
        scols = {k: getattr(Search, k) for k in ("seniority", "remote_policy", "pay_min", "pay_max", "pay_currency")}
        scols["loc_key"] = _place_key(Search.location)
        for c in cands:
            person = _Facts(c)
            pre = _sql_points_for_person(person, literal(have), literal(total), today, scols)
            got = dict(db.session.execute(select(Search.id, pre).where(Search.id.in_([s.id for s in searches]))).all())
            for s in searches:
                assert abs(got[s.id] - _points(person, _Facts(s), have, total, today)) < 1e-6
