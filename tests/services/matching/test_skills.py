"""The skill vocabulary: folding, synonyms, aliases, set-based resolve, merge."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.models import AuditEntry, CandidateSkill, SearchSkill, Skill, SkillAlias
from portal.services import DomainError, NotFound, skills
from portal.tenancy import all_firms
from tests.factories import firm_context
from tests.support import matching as h


@pytest.mark.parametrize(
    "variants, key",
    [
        (["JavaScript", "javascript", "Java Script", "JS", "js", " java-script ", "ECMAScript"], "javascript"),
        (["Node.js", "nodejs", "Node JS", "node"], "nodejs"),
        (["C++", "c++", "CPP", "C plus plus"], "c++"),
        (["C#", "c#", "csharp", "C Sharp"], "c#"),
        ([".NET", ".net", "dotnet", "Dot Net"], "dotnet"),
        (["PostgreSQL", "Postgres", "postgres", "psql"], "postgresql"),
        (["Kubernetes", "K8s", "k8s"], "kubernetes"),
        (["Go", "golang", "GoLang"], "go"),
        (["Résumé writing", "resume writing", "RESUME-WRITING"], "resumewriting"),
        (["Machine Learning", "machine_learning", "ML"], "machinelearning"),
    ],
)
def test_normalise_folds_variants_into_one_key(variants, key):
    assert {skills.normalise(v) for v in variants} == {key}


def test_normalise_keeps_distinct_skills_apart():
    keys = [skills.normalise(n) for n in ("C", "C++", "C#", "Java", "JavaScript", "R", "F#")]
    assert len(set(keys)) == len(keys)
    assert skills.normalise("  !!  ") == ""


def test_parse_names_splits_form_text():
    assert skills.parse_names("Python, SQL;Django\n  Flask ,, ") == ["Python", "SQL", "Django", "Flask"]


def test_resolve_creates_once_and_deduplicates(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        out = skills.resolve(firm, ["JS", "javascript", "Java Script", "Python", "python ", ""])
        assert [s.name for s in out] == ["JavaScript", "Python"]
        again = skills.resolve(firm, ["Javascript", "PYTHON", "Rust"], create=False)
        assert [s.id for s in again] == [out[0].id, out[1].id]
        assert db.session.scalar(select(func.count()).select_from(Skill)) == 2
        custom = skills.resolve(firm, ["  Terraform   Cloud "])[0]
        assert custom.name == "Terraform Cloud" and custom.key == "terraformcloud"


def test_resolve_uses_a_constant_number_of_queries(app, firms):
    firm = firms.a.firm
    counts = []
    with firm_context(app, firm):

        def count(*_a, **_k):
            counts[-1] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for n in (1, 60):
                counts.append(0)
                skills.resolve(firm, [f"Skill {n}-{i}" for i in range(n)])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] <= 4


def test_resolve_refuses_overlong_names(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        with pytest.raises(DomainError, match="80 characters"):
            skills.resolve(firm, ["x" * 81])
        assert skills.resolve(firm, ["y" * 80])[0].key == "y" * 80
        with pytest.raises(DomainError, match="20,000|80 characters"):
            skills.resolve(firm, ["z" * 20_000])


def test_each_firm_has_its_own_vocabulary(app, firms):
    with firm_context(app, firms.a.firm):
        a = skills.resolve(firms.a.firm, ["Python"])[0]
    with firm_context(app, firms.b.firm):
        b = skills.resolve(firms.b.firm, ["python"])[0]
        assert a.id != b.id
        assert skills.resolve(firms.b.firm, ["Python"], create=False) == [b]
    with firm_context(app):
        assert db.session.scalar(select(func.count()).select_from(Skill)) == 2


def test_set_candidate_skills_replaces_the_set(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        cand = h.person(firm, ["Python", "SQL", "Docker"])
        skills.set_candidate_skills(firm, cand, ["sql", "Kubernetes", "k8s"])
        db.session.flush()
        names = set(
            db.session.scalars(
                select(Skill.name)
                .join(CandidateSkill, CandidateSkill.skill_id == Skill.id)
                .where(CandidateSkill.candidate_id == cand.id)
            )
        )
        assert names == {"SQL", "Kubernetes"}
        with pytest.raises(DomainError, match="at most 100"):
            skills.set_candidate_skills(firm, cand, [f"s{i}" for i in range(101)])
        with pytest.raises(DomainError, match="at most 100"):
            skills.set_search_skills(firm, h.search(firm), [f"r{i}" for i in range(60)], [f"n{i}" for i in range(41)])
        # Refused before anything was added to the vocabulary.
        assert db.session.scalar(select(func.count()).select_from(Skill).where(Skill.key.like("s%"))) == 1
        assert skills.set_candidate_skills(firm, cand, [f"s{i}" for i in range(100)])


def test_set_skills_refuses_another_firms_rows(app, firms):
    with firm_context(app, firms.b.firm):
        other = h.person(firms.b.firm, ["Python"])
    with firm_context(app, firms.a.firm):
        with pytest.raises(NotFound):
            skills.set_candidate_skills(firms.a.firm, other, ["Go"])


def test_set_search_skills_required_wins(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s = h.search(firm, required=["Python", "SQL"], nice=["python", "Docker"])
        rows = {(ss.skill.name, ss.required) for ss in s.skills}
        assert rows == {("Python", True), ("SQL", True), ("Docker", False)}
        skills.set_search_skills(firm, s, ["Docker"], ["SQL"])
        db.session.flush()
        rows = set(
            db.session.execute(
                select(Skill.name, SearchSkill.required)
                .join(SearchSkill, SearchSkill.skill_id == Skill.id)
                .where(SearchSkill.search_id == s.id)
            ).all()
        )
        assert rows == {("Docker", True), ("SQL", False)}


def test_merge_moves_links_and_keeps_the_dropped_name_as_alias(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        both = h.person(firm, ["React", "ReactJS Native"])
        only_drop = h.person(firm, ["ReactJS Native"])
        s1 = h.search(firm, required=["ReactJS Native"], nice=["React"])  # required wins
        s2 = h.search(firm, nice=["ReactJS Native"])
        keep, drop = skills.resolve(firm, ["React", "ReactJS Native"], create=False)
        skills.add_alias(firm, firms.a.admin, drop, "RJN")
        drop_id = drop.id
        skills.merge(firm, firms.a.admin, keep, drop)

        assert db.session.get(Skill, drop_id) is None
        links = set(db.session.execute(select(CandidateSkill.candidate_id, CandidateSkill.skill_id)).all())
        assert links == {(both.id, keep.id), (only_drop.id, keep.id)}
        slinks = set(
            db.session.execute(select(SearchSkill.search_id, SearchSkill.skill_id, SearchSkill.required)).all()
        )
        assert slinks == {(s1.id, keep.id, True), (s2.id, keep.id, False)}
        # The dropped tag and its aliases now resolve to the kept skill; nothing is recreated.
        assert skills.resolve(firm, ["reactjs native", "RJN"]) == [keep]
        assert db.session.scalar(select(func.count()).select_from(Skill)) == 1
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "skills.merge"))
        assert audit.details["dropped"] == "ReactJS Native" and audit.details["candidates"] == 2
        assert audit.actor_id == firms.a.admin.id
        # Loaded collections were refreshed, not left pointing at the deleted skill.
        assert [cs.skill_id for cs in both.skills] == [keep.id]


def test_merge_rules(app, firms):
    firm = firms.a.firm
    with firm_context(app, firms.b.firm):
        foreign = skills.resolve(firms.b.firm, ["Elixir"])[0]
    with firm_context(app, firm):
        keep = skills.resolve(firm, ["Elixir"])[0]
        with pytest.raises(DomainError, match="two different"):
            skills.merge(firm, firms.a.admin, keep, keep)
        with pytest.raises(NotFound):
            skills.merge(firm, firms.a.admin, keep, foreign)


def test_add_alias_rules(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        py, sql = skills.resolve(firm, ["Python", "SQL"])
        skills.add_alias(firm, firms.a.admin, py, "Snake language")
        assert skills.resolve(firm, ["snake-language"], create=False) == [py]
        with pytest.raises(DomainError, match="skill of its own"):
            skills.add_alias(firm, firms.a.admin, py, "sql")
        with pytest.raises(DomainError, match="already means"):
            skills.add_alias(firm, firms.a.admin, py, "PYTHON")
        # Re-pointing an alias moves it.
        skills.add_alias(firm, firms.a.admin, sql, "Snake Language")
        assert db.session.scalar(select(func.count()).select_from(SkillAlias)) == 1
        assert skills.resolve(firm, ["snake language"], create=False) == [sql]


def test_vocabulary_counts_usage(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        h.person(firm, ["Python", "SQL"])
        h.person(firm, ["Python"])
        h.search(firm, required=["Python"], nice=["Go"])
        rows = [(s.name, c, n) for s, c, n in skills.vocabulary(firm)]
        assert rows[0] == ("Python", 2, 1)
        assert set(rows) == {("Python", 2, 1), ("SQL", 1, 0), ("Go", 0, 1)}
        assert [s.name for s, _, _ in skills.vocabulary(firm, query="sq")] == ["SQL"]
    with firm_context(app, firms.b.firm):
        assert skills.vocabulary(firms.b.firm) == []


def test_vocabulary_never_spans_firms_even_without_tenant_filter(app, firms):
    with firm_context(app, firms.a.firm):
        h.person(firms.a.firm, ["Python"])
    with firm_context(app):
        with all_firms():
            assert skills.vocabulary(firms.b.firm) == []
            assert skills.resolve(firms.b.firm, ["Python"], create=False) == []
