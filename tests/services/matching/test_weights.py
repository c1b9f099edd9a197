"""Search.skill_weight never drifts from the search's SearchSkill rows, however they are written:
set_search_skills, rows added, removed, moved or made required directly through the session,
the skill merge's bulk statements, a search deleted."""

from __future__ import annotations

from sqlalchemy import case, event, func, select

from portal.extensions import db
from portal.models import Search, SearchSkill
from portal.services import skills
from portal.services.matching import NICE_WEIGHT, REQUIRED_WEIGHT, roles_for_candidate
from tests.factories import firm_context
from tests.support import matching as h


def _drift(firm_id: int) -> dict[int, tuple[int, int]]:
    """search id -> (stored, computed) for every search of the firm whose two differ."""
    weight = case((SearchSkill.required.is_(True), REQUIRED_WEIGHT), else_=NICE_WEIGHT)
    computed = (
        select(func.coalesce(func.sum(weight), 0))
        .where(SearchSkill.firm_id == firm_id, SearchSkill.search_id == Search.id)
        .correlate(Search)
        .scalar_subquery()
    )
    db.session.flush()
    rows = db.session.execute(select(Search.id, Search.skill_weight, computed).where(Search.firm_id == firm_id)).all()
    assert rows
    return {sid: (stored, total) for sid, stored, total in rows if stored != total}


def test_stored_weight_follows_every_change(app, firms):
    firm = firms.a.firm
    with firm_context(app, firm):
        s1 = h.search(firm, required=["Python", "SQL"], nice=["Docker"])  # 3 + 3 + 1
        s2 = h.search(firm, required=["Docker"], nice=["Python", "Go"])
        s3 = h.search(firm, nice=["Go", "Rust"])
        empty = h.search(firm)
        assert (s1.skill_weight, empty.skill_weight) == (7, 0)  # expired by the flush, read again
        assert _drift(firm.id) == {}

        # set_search_skills: removed, added, required <-> nice.
        skills.set_search_skills(firm, s1, ["Docker"], ["Python", "Kotlin"])
        skills.set_search_skills(firm, s3, [], [])
        assert s1.skill_weight == 5 and s3.skill_weight == 0
        assert _drift(firm.id) == {}

        # Rows written directly through the session (as tests and fixtures do).
        go = skills.resolve(firm, ["Go"])[0]
        db.session.add(SearchSkill(firm_id=firm.id, search_id=empty.id, skill_id=go.id, required=True))
        db.session.flush()
        assert _drift(firm.id) == {}
        link = db.session.scalar(
            select(SearchSkill).where(SearchSkill.search_id == s2.id, SearchSkill.skill_id == go.id)
        )
        link.required = True
        db.session.flush()
        assert _drift(firm.id) == {}
        link.search_id = s3.id  # moved to another search: both change
        db.session.flush()
        assert _drift(firm.id) == {}
        db.session.delete(link)
        db.session.flush()
        assert _drift(firm.id) == {}
        # An orphan removed from the collection.
        s2.skills.remove(s2.skills[0])
        db.session.flush()
        assert _drift(firm.id) == {}

        # The merge's bulk statements: a search with both skills keeps one row, required wins.
        both = h.search(firm, required=["ReactJS Native"], nice=["React"])  # 3 + 1 -> 3
        only_drop = h.search(firm, nice=["ReactJS Native"])  # 1 -> 1
        keep, drop = skills.resolve(firm, ["React", "ReactJS Native"], create=False)
        skills.merge(firm, firms.a.admin, keep, drop)
        assert _drift(firm.id) == {}
        assert db.session.get(Search, both.id).skill_weight == 3
        assert db.session.get(Search, only_drop.id).skill_weight == 1

        # A flush that writes no search skill refreshes nothing.
        seen: list[str] = []
        listen = lambda conn, cur, statement, *a: seen.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            s1 = db.session.get(Search, s1.id)
            assert s1.skills
            s1.title = "Renamed"
            db.session.flush()
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert not [st for st in seen if "skill_weight" in st]

        # A search deleted with its skills.
        db.session.delete(db.session.get(Search, s2.id))
        db.session.flush()
        assert _drift(firm.id) == {}


def test_roles_read_the_stored_weight(app, firms):
    """What the roles page divides by is the stored weight: the scores are those of `explain`."""
    from portal.services.matching import explain

    firm = firms.a.firm
    with firm_context(app, firm):
        me = h.person(firm, ["Python", "SQL"])
        h.search(firm, required=["Python", "Go"], nice=["SQL", "Rust"])
        s = h.search(firm, required=["SQL"])
        skills.set_search_skills(firm, s, ["SQL"], ["Python", "Kotlin", "Scala"])
        out = roles_for_candidate(firm, me)
        assert len(out) == 2
        for m in out:
            assert m.exact == explain(firm, me, m.search).exact
        assert _drift(firm.id) == {}
