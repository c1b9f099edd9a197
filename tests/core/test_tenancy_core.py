"""Promise 5 on every path: a statement that reads or writes firm-owned rows without a
condition on the bound firm raises, whichever API built it (ORM, Core on the session or its
connection, the engine, text SQL), unless it says explicitly that it spans firms.

The last test binds firm A and runs the statement builders (matching, match pools,
delivery, outbox, cadence, nurture, dashboard, talent pool, data rights...) with firm B's
ids as inputs: nothing of firm B is read or changed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import and_, delete, exists, func, insert, literal, literal_column, select, text, update

from portal import outbox, transaction
from portal.extensions import db
from portal.models import (
    Audience,
    Candidacy,
    Candidate,
    Client,
    Firm,
    Message,
    MessageState,
    Search,
    Skill,
    Stage,
    utcnow,
)
from portal.services import (
    DomainError,
    cadence,
    cadence_digest,
    dashboard,
    data_rights,
    matching,
    messages,
    nurture,
    pipeline,
    skills,
    talent_pool,
)
from portal.services import feedback as feedback_service
from portal.services.matching import pools as match_pools
from portal.services.matching.sql import _role_skills, _warnings
from portal.tenancy import TenancyError, all_firms, bind_firm
from tests.factories import firm_context
from tests.support import matching as h
from worker import delivery, delivery_outcome

C = Candidate.__table__
M = Message.__table__


def _message(firm, candidate, **kw) -> Message:
    values = dict(
        firm_id=firm.id,
        kind="generic",
        audience=Audience.CANDIDATE,
        candidate_id=candidate.id,
        to_email=candidate.email,
        subject="Hello",
        body_text="Hi",
        body_html="<p>Hi</p>",
        dedupe_key=f"test:{candidate.id}:{kw.get('coalesce_key')}:{utcnow().timestamp()}",
    )
    values.update(kw)
    msg = Message(**values)
    db.session.add(msg)
    db.session.flush()
    return msg


# ---------------------------------------------------------------- the rule, statement by statement


def test_core_select_needs_the_bound_firm(app, firms):
    a, b = firms.a, firms.b
    with firm_context(app, a.firm) as s:
        with pytest.raises(TenancyError, match="candidates"):
            s.execute(select(C.c.id, C.c.name))
        s.rollback()
        with pytest.raises(TenancyError, match="candidates"):
            s.connection().execute(select(C.c.id).where(C.c.id == b.candidate.id))
        s.rollback()
        # another firm's condition is refused too: it is not the bound firm
        with pytest.raises(TenancyError, match=f"firm {b.firm.id}"):
            s.execute(select(C.c.id).where(C.c.firm_id == b.firm.id))
        s.rollback()
        ids = s.scalars(select(C.c.id).where(C.c.firm_id == a.firm.id)).all()
        assert ids == [a.candidate.id]
        # an OR constrains nothing
        with pytest.raises(TenancyError):
            s.execute(select(C.c.id).where((C.c.firm_id == a.firm.id) | (C.c.id > 0)))
        s.rollback()


def test_core_update_and_delete_need_the_bound_firm(app, firms):
    a, b = firms.a, firms.b
    with firm_context(app, a.firm) as s:
        for stmt in (
            update(C).values(name="pwned"),
            update(C).where(C.c.id == b.candidate.id).values(name="pwned"),
            delete(C).where(C.c.id == b.candidate.id),
            delete(M),
        ):
            with pytest.raises(TenancyError):
                s.execute(stmt)
            s.rollback()
        assert (
            s.execute(update(C).where(C.c.firm_id == a.firm.id, C.c.id == b.candidate.id).values(name="pwned")).rowcount
            == 0
        )
        assert s.execute(update(C).where(C.c.firm_id == a.firm.id).values(headline="mine")).rowcount == 1
        # an UPDATE may not move rows to another firm
        with pytest.raises(TenancyError):
            s.execute(update(C).where(C.c.firm_id == a.firm.id).values(firm_id=b.firm.id))
        s.rollback()
    with firm_context(app, None) as s:
        theirs = s.get(Candidate, b.candidate.id)
        assert theirs.name != "pwned" and theirs.headline is None and theirs.firm_id == b.firm.id


def test_insert_rows_must_be_the_bound_firms(app, firms):
    a, b = firms.a, firms.b
    clients = Client.__table__
    with firm_context(app, a.firm) as s:
        bad = [
            (insert(clients).values(firm_id=b.firm.id, name="Theirs", created_at=utcnow()), None),
            (
                insert(clients).values(
                    [
                        {"firm_id": a.firm.id, "name": "x1", "created_at": utcnow()},
                        {"firm_id": b.firm.id, "name": "x2", "created_at": utcnow()},
                    ]
                ),
                None,
            ),
            (
                insert(clients),
                [
                    {"firm_id": a.firm.id, "name": "y1", "created_at": utcnow()},
                    {"firm_id": b.firm.id, "name": "y2", "created_at": utcnow()},
                ],
            ),
            (insert(clients).values(name="no firm", created_at=utcnow()), None),
            # INSERT ... SELECT copying another firm's rows, or stamping them with our firm
            (
                insert(clients).from_select(
                    ["firm_id", "name", "created_at"],
                    select(clients.c.firm_id, clients.c.name + " copy", clients.c.created_at).where(
                        clients.c.firm_id == b.firm.id
                    ),
                ),
                None,
            ),
            (
                insert(clients).from_select(
                    ["firm_id", "name", "created_at"],
                    select(literal(a.firm.id), clients.c.name + " copy", clients.c.created_at),
                ),
                None,
            ),
        ]
        for stmt, params in bad:
            with pytest.raises(TenancyError):
                s.execute(stmt, params)
            s.rollback()
        s.execute(insert(clients).values(firm_id=a.firm.id, name="Mine", created_at=utcnow()))
        s.execute(
            insert(clients), [{"firm_id": a.firm.id, "name": f"Mine {i}", "created_at": utcnow()} for i in range(3)]
        )
        s.execute(
            insert(clients).from_select(
                ["firm_id", "name", "created_at"],
                select(clients.c.firm_id, clients.c.name + " copy", clients.c.created_at).where(
                    clients.c.firm_id == a.firm.id, clients.c.name == "Mine"
                ),
            )
        )
    with firm_context(app, None) as s:
        names = s.scalars(select(Client.name).where(Client.firm_id == b.firm.id)).all()
        assert names == []
        assert sorted(s.scalars(select(Client.name).where(Client.firm_id == a.firm.id))) == [
            "Mine",
            "Mine 0",
            "Mine 1",
            "Mine 2",
            "Mine copy",
        ]


def test_insert_on_conflict_update_stays_in_the_firm(app, firms):
    a = firms.a
    pools = match_pools.MatchPool.__table__
    with firm_context(app, a.firm) as s:
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        row = {"firm_id": a.firm.id, "candidate_id": a.candidate.id, "search_id": 1, "have": 3}
        stmt = upsert(pools).values(**row)
        # the row already there may be another firm's: refused without a firm condition
        with pytest.raises(TenancyError, match="ON CONFLICT"):
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=["candidate_id", "search_id"], set_={"have": stmt.excluded.have}
                )
            )
        s.rollback()
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["candidate_id", "search_id"],
                set_={"have": stmt.excluded.have},
                where=pools.c.firm_id == stmt.excluded.firm_id,
            )
        )
        s.execute(stmt.on_conflict_do_nothing())


def test_joins_and_subqueries(app, firms):
    a = firms.a
    Y = Candidacy.__table__
    mine = C.c.firm_id == a.firm.id
    with firm_context(app, a.firm) as s:
        ok = [
            select(C.c.id).join(Y, and_(Y.c.candidate_id == C.c.id, Y.c.firm_id == C.c.firm_id)).where(mine),
            select(C.c.id).outerjoin(Y, and_(Y.c.candidate_id == C.c.id, Y.c.firm_id == a.firm.id)).where(mine),
            select(C.c.id).where(mine, exists().where(Y.c.candidate_id == C.c.id, Y.c.firm_id == C.c.firm_id)),
            select(func.count()).select_from(select(C.c.id).where(mine).subquery()),
        ]
        for stmt in ok:
            s.execute(stmt).all()
        refused = [
            select(C.c.id).join(Y, Y.c.candidate_id == C.c.id).where(mine),
            # an outer join's ON limits the joined rows only, never the left side
            select(C.c.id).outerjoin(
                Y, and_(Y.c.candidate_id == C.c.id, C.c.firm_id == a.firm.id, Y.c.firm_id == a.firm.id)
            ),
            select(C.c.id).where(mine, exists().where(Y.c.candidate_id == C.c.id)),
            select(func.count()).select_from(select(C.c.id).subquery()),
            select(C.c.id).where(mine, C.c.id.in_(select(Y.c.candidate_id))),
        ]
        for stmt in refused:
            with pytest.raises(TenancyError):
                s.execute(stmt)
            s.rollback()


def test_text_sql_must_declare_its_firm_handling(app, firms):
    a = firms.a
    with firm_context(app, a.firm) as s:
        assert s.execute(text("SELECT 1")).scalar() == 1
        with pytest.raises(TenancyError, match="firm_scoped"):
            s.execute(text("SELECT id FROM candidates WHERE firm_id = :f"), {"f": a.firm.id})
        s.rollback()
        with pytest.raises(TenancyError, match="firm_scoped"):
            s.connection().exec_driver_sql("SELECT count(*) FROM messages")
        s.rollback()
        for stmt in (  # text inside a Core statement, a textual SELECT, a literal column
            select(C.c.id).where(C.c.firm_id == a.firm.id, text("id IN (SELECT candidate_id FROM notes)")),
            text("SELECT id FROM candidates").columns(C.c.id),
            select(literal_column("(SELECT max(id) FROM candidates)")).select_from(Firm),
        ):
            with pytest.raises(TenancyError):
                s.execute(stmt)
            s.rollback()
        reviewed = text("SELECT id FROM candidates WHERE firm_id = :f").execution_options(firm_scoped="checked")
        assert s.execute(reviewed, {"f": a.firm.id}).scalars().all() == [a.candidate.id]
    with app.app_context():  # declared, but no firm bound: still refused
        with pytest.raises(TenancyError):
            db.session.execute(reviewed, {"f": a.firm.id})
        db.session.rollback()


def test_no_firm_bound_fails_closed_unless_it_spans_firms_explicitly(app, firms):
    with app.app_context():
        with pytest.raises(TenancyError, match="no firm bound"):
            db.session.execute(select(M.c.id))
        db.session.rollback()
        with pytest.raises(TenancyError, match="no firm bound"):
            db.session.execute(update(M).values(attempts=0))
        db.session.rollback()
        assert len(db.session.execute(select(C.c.id).execution_options(all_firms=True)).all()) == 2
        with all_firms():
            assert len(db.session.execute(select(C.c.id)).all()) == 2
        # tables without firm_id need nothing
        assert len(db.session.execute(select(Firm.__table__.c.id)).all()) == 2
        # the engine's own connections have no firm: they must say they span firms
        with db.engine.connect() as conn:
            with pytest.raises(TenancyError, match="no firm bound"):
                conn.execute(select(C.c.id))
        with db.engine.connect().execution_options(all_firms=True) as conn:
            assert len(conn.execute(select(C.c.id)).all()) == 2


def test_the_unit_of_work_writes_only_the_bound_firms_rows(app, firms):
    a, b = firms.a, firms.b
    with app.app_context():
        with all_firms():
            theirs = db.session.get(Candidate, b.candidate.id)
        bind_firm(a.firm.id)
        theirs.name = "pwned"
        with pytest.raises(TenancyError, match="written while firm"):
            db.session.flush()
        db.session.rollback()
        db.session.expire(theirs)  # its firm_id is no longer loaded: the check loads it
        theirs.name = "pwned"
        with pytest.raises(TenancyError, match="written while firm"):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(TenancyError):
            db.session.delete(theirs)
            db.session.flush()
        db.session.rollback()
        bind_firm(None)
        with pytest.raises(TenancyError, match="no firm bound"):
            db.session.add(Client(firm_id=a.firm.id, name="Nobody's"))
            db.session.flush()
        db.session.rollback()
    with firm_context(app, b.firm) as s:
        assert s.get(Candidate, b.candidate.id).name != "pwned"


# ---------------------------------------------------------------- every builder, firm A against firm B


def _world(app, ns, *, n_people: int = 4):
    """A firm's rich data: people with skills, searches with match pools, candidacies at
    several stages, feedback, messages (one failed, one pending in a coalesce group)."""
    firm = ns.firm
    with firm_context(app, firm) as s:
        people = [
            h.person(
                firm,
                ["Python", "SQL"] if i % 2 else ["Python", "Go"],
                location="Berlin",
                name=f"Person of {firm.slug} {i}",
            )
            for i in range(n_people)
        ]
        people.append(s.get(Candidate, ns.candidate.id))
        skills.set_candidate_skills(firm, people[-1], ["Python"])
        search = h.search(
            firm, required=["Python"], nice=["SQL"], title=f"Engineer at {firm.slug}", owner_id=ns.recruiter.id
        )
        other = h.search(firm, required=["Go"], title=f"Go at {firm.slug}")
        recruiter = s.get(type(ns.recruiter), ns.recruiter.id)
        cy = pipeline.add_to_search(firm, recruiter, search, people[0])
        pipeline.move(firm, recruiter, cy, Stage.SCREENING)
        feedback_service.post_feedback(firm, recruiter, cy, "Good talk.")
        closed = pipeline.add_to_search(firm, recruiter, other, people[1])
        match_pools.maintain(firm, rebuild_all=True)
        failed = _message(firm, people[2], state=MessageState.FAILED, last_error="550 no such user")
        pending = _message(firm, people[3], coalesce_key=f"cy:{cy.id}", due_at=utcnow() - timedelta(minutes=1))
        old = utcnow() - timedelta(days=60)
        for p in people:
            p.last_contacted_at = old
        s.flush()
        return dict(
            firm=firm,
            people=[p.id for p in people],
            search=search.id,
            other=other.id,
            candidacy=cy.id,
            closed=closed.id,
            failed=failed.id,
            pending=pending.id,
            coalesce=f"cy:{cy.id}",
            skill=s.scalar(select(Skill.id).where(Skill.key == "python")),
        )


def _snapshot(app, firm_id: int) -> dict[str, list]:
    """Every row of the firm in every firm-owned table (and the firm itself)."""
    out = {}
    with app.app_context():
        with db.engine.connect().execution_options(all_firms=True) as conn:
            for table in db.metadata.sorted_tables:
                if "firm_id" in table.c:
                    rows = conn.execute(select(table).where(table.c.firm_id == firm_id)).all()
                elif table.name == "firms":
                    rows = conn.execute(select(table).where(table.c.id == firm_id)).all()
                else:
                    continue
                out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def test_every_statement_builder_bound_to_firm_a_leaves_firm_b_alone(app, firms, monkeypatch):
    monkeypatch.setattr(match_pools, "POOL_FROM", 1)
    monkeypatch.setattr(match_pools, "POOL_SIZE", 6)
    monkeypatch.setattr(matching.sql, "OVERLAP_CAP", 4)
    A, B = _world(app, firms.a), _world(app, firms.b)
    with app.app_context():
        with all_firms():
            assert (
                db.session.scalar(
                    select(func.count())
                    .select_from(match_pools.MatchPool)
                    .where(match_pools.MatchPool.firm_id == firms.b.firm.id)
                )
                > 0
            )
    before = _snapshot(app, firms.b.firm.id)
    theirs_ids = set(B["people"])
    seen: list = []

    with app.app_context():
        with all_firms():  # firm B's objects, as a confused or hostile caller might hold them
            fb = db.session.get(Firm, firms.b.firm.id)
            b_search, b_other = db.session.get(Search, B["search"]), db.session.get(Search, B["other"])
            b_person = db.session.get(Candidate, B["people"][0])
            b_candidacy = db.session.get(Candidacy, B["candidacy"])
        fa = db.session.get(Firm, firms.a.firm.id)
        bind_firm(fa.id)
        a_recruiter = db.session.get(type(firms.a.recruiter), firms.a.recruiter.id)
        a_search = db.session.get(Search, A["search"])
        now = utcnow()

        def attempt(fn, *args, **kw):
            """Run one builder as firm A; a refusal (TenancyError, a domain error, a ValueError) is fine.
            Whatever it wrote is committed, so the snapshot shows any change to firm B."""
            try:
                result = fn(*args, **kw)
                db.session.commit()
            except (TenancyError, DomainError, ValueError):
                db.session.rollback()
                return None
            seen.append(result)
            return result

        # matching: firm A's firm with firm B's search and person
        mine = attempt(matching.candidates_for_search, fa, a_search)
        assert {m.candidate.id for m in mine} and not {m.candidate.id for m in mine} & theirs_ids
        for matches in (attempt(matching.candidates_for_search, fa, b_search),):
            assert not {m.candidate.id for m in matches or ()} & theirs_ids
        for roles in (attempt(matching.roles_for_candidate, fa, b_person),):
            assert not {m.search.id for m in roles or ()} & {B["search"], B["other"]}
        attempt(matching.explain, fa, b_person, b_search)
        attempt(_warnings, fa, [(pid, B["search"], b_search.client_id) for pid in B["people"]])
        attempt(_role_skills, fa, [B["search"], B["other"]], B["people"][0])
        assert attempt(_role_skills, fa, [B["search"]])[0] == {}
        # match pools
        assert attempt(match_pools.postings, fa, [B["search"], B["other"]]) in ({}, None)
        attempt(match_pools.build, fa, [b_search, b_other])
        attempt(match_pools.drop, fa, [b_search, b_other])
        attempt(match_pools.refresh_candidates, fa, B["people"])
        attempt(match_pools.forget_skill, fa, B["skill"])
        attempt(match_pools.maintain, fa, rebuild_all=True, checkpoint=transaction.checkpoint)
        # match pools with firm B's firm while firm A is bound: refused
        attempt(match_pools.maintain, fb, rebuild_all=True, checkpoint=transaction.checkpoint)
        attempt(match_pools.refresh_candidates, fb, B["people"])
        # delivery: claim, deliver and finish firm B's messages
        assert attempt(delivery.claim, B["pending"]) == ([], None)
        bind_firm(fa.id)
        from worker import mailer

        with mailer.Connection() as conn:
            assert attempt(delivery.deliver, B["pending"], conn) == "not claimable"
        bind_firm(fa.id)
        attempt(delivery_outcome.finish, {B["pending"]: {"state": MessageState.SENT}}, now, fa.id)
        attempt(delivery_outcome.finish, {B["pending"]: {"state": MessageState.SENT}}, now, fb.id)
        attempt(messages.resend, fa, a_recruiter, B["failed"])
        attempt(delivery._optional_sent_recently, B["people"][2], B["failed"] + 1, now)
        # outbox
        attempt(outbox.cancel_pending, B["coalesce"])
        attempt(outbox.touch_candidates, fa, B["people"], "last_contacted_at", now)
        attempt(outbox.touch_candidates, fb, B["people"], "last_contacted_at", now)
        # cadence, nurture, digests: for firm A, and for firm B while A is bound
        for firm in (fa, fb):
            attempt(cadence.plan_checkins, firm, now + timedelta(days=30), horizon=now + timedelta(days=31))
            items = attempt(cadence_digest.digest_items, firm, now + timedelta(days=30))
            for rows in (items or {}).values():
                assert not {r.get("candidate_id") for r in rows} & theirs_ids
            attempt(cadence_digest.plan_recruiter_digests, firm, now + timedelta(days=30))
            attempt(nurture.plan_nurture, firm, now + timedelta(days=120))
            attempt(nurture.plan_availability_prompts, firm, now + timedelta(days=120))
            suggested = attempt(nurture.suggestions, firm, B["people"])
            assert not suggested or not set(suggested) & theirs_ids
        # the recruiter's lists and the talent pool
        attention = attempt(dashboard.needs_attention, fa, a_recruiter, "firm")
        assert attention is not None
        page = attempt(talent_pool.page, fa, talent_pool.PoolFilters())
        assert page is not None and not {r.candidate.id for r in page.rows} & theirs_ids
        vocabulary = attempt(skills.vocabulary, fa)
        assert vocabulary is not None and all(s.firm_id == fa.id for s, _, _ in vocabulary)
        # writes through the ORM with firm B's objects
        attempt(pipeline.move, fa, a_recruiter, b_candidacy, Stage.INTERVIEWING)
        attempt(data_rights.delete_account, fa, b_person, None)
        attempt(skills.set_candidate_skills, fa, b_person, ["Cobol"])
        assert seen, "no builder ran"
        for result in seen:  # firm B's people and searches appear in no result
            assert "of beta" not in repr(result) and "at beta" not in repr(result)

    assert _snapshot(app, firms.b.firm.id) == before
