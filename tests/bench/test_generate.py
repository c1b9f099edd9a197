"""The dataset generator: complete, consistent, deterministic, usable by the app (tiny scale)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from bench.generate import CANDIDATE_EMAIL, PASSWORD, RECRUITER_EMAIL, facts_from_db, generate, scaled, table_digest
from tests.support.apps import extra_app

SCALE = 0.003
ANCHOR = date(2025, 3, 14)


@pytest.fixture
def bench_db_url(tmp_path):
    """A database of its own for the generator (it empties the database it is given)."""
    base = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        from tests.support.services import postgres_database

        url, drop = postgres_database(base)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'bench.db'}"


def _scalar(url: str, sql: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


# 300 candidates: one chunk (as every firm of up to 100,000), and three of 100 (as the 1,000,000
# firm is made, ten of 100,000).
@pytest.mark.parametrize("chunk", [None, 100])
def test_generates_every_part_at_the_requested_size(bench_db_url, chunk):
    more = {"chunk": chunk} if chunk else {}
    ds = generate(bench_db_url, seed=3, scale=SCALE, anchor=ANCHOR, log=lambda *_: None, **more)
    n = scaled(SCALE)
    q = lambda sql, **p: _scalar(bench_db_url, sql, **p)  # noqa: E731
    assert q("SELECT COUNT(*) FROM candidates") == n["candidates"]
    assert q("SELECT COUNT(*) FROM searches") == n["searches"]
    assert q("SELECT COUNT(*) FROM searches WHERE state = 'open'") == n["open_searches"]
    assert q("SELECT COUNT(*) FROM candidacies") == n["candidacies"] == ds.counts["candidacies"]
    assert q("SELECT COUNT(*) FROM feedback") == n["feedback"]
    assert q("SELECT COUNT(*) FROM notes") == n["notes"]
    assert q("SELECT COUNT(*) FROM messages") == n["messages"]
    assert q("SELECT COUNT(*) FROM skills") == n["skills"]
    # each search's stored skill weight is that of its rows (3 per required skill, 1 per nice one)
    drift = """SELECT COUNT(*) FROM searches WHERE skill_weight <> COALESCE((SELECT SUM(CASE WHEN
        ss.required THEN 3 ELSE 1 END) FROM search_skills ss WHERE ss.search_id = searches.id), 0)"""
    assert q(drift) == 0 and q("SELECT MIN(skill_weight) FROM searches") > 0
    # every stage is represented, and every candidacy has its history ending at its stage
    assert q("SELECT COUNT(DISTINCT stage) FROM candidacies") == 8
    assert (
        q(
            "SELECT COUNT(*) FROM candidacies c WHERE NOT EXISTS "
            "(SELECT 1 FROM stage_changes s WHERE s.candidacy_id = c.id)"
        )
        == 0
    )
    assert (
        q(
            "SELECT COUNT(*) FROM candidacies c WHERE c.stage <> (SELECT s.to_stage FROM stage_changes s "
            "WHERE s.candidacy_id = c.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1)"
        )
        == 0
    )
    assert q("SELECT COUNT(*) FROM candidacies WHERE stage = 'closed' AND close_reason IS NULL") == 0
    # one placement in each filled search that had people (the benchmark candidate's own aside)
    assert q("SELECT COUNT(*) FROM candidacies WHERE stage = 'placed' AND candidate_id <> 1") == q(
        "SELECT COUNT(DISTINCT c.search_id) FROM candidacies c JOIN searches s ON s.id = c.search_id "
        "WHERE s.state = 'filled' AND c.candidate_id <> 1"
    )
    # candidacies are made in a chunk with their candidate, and every chunk's ids follow the last
    assert q("SELECT COUNT(DISTINCT candidate_id) FROM candidacies") > n["candidates"] * 0.8
    assert q("SELECT MAX(id) FROM messages") == n["messages"]
    assert q("SELECT MAX(id) FROM stage_changes") == q("SELECT COUNT(*) FROM stage_changes")
    assert q("SELECT COUNT(DISTINCT dedupe_key) FROM messages") == n["messages"]
    # no row points at something missing
    for child, col, parent in (
        ("candidacies", "search_id", "searches"),
        ("candidacies", "candidate_id", "candidates"),
        ("feedback", "candidacy_id", "candidacies"),
        ("messages", "candidate_id", "candidates"),
        ("candidate_skills", "skill_id", "skills"),
        ("candidates", "user_id", "users"),
    ):
        assert (
            q(
                f"SELECT COUNT(*) FROM {child} x WHERE x.{col} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.id = x.{col})"
            )
            == 0
        ), (child, col)
    # the benchmark users
    rid = q("SELECT id FROM users WHERE email = :e", e=RECRUITER_EMAIL)
    assert (
        q("SELECT COUNT(*) FROM candidacies WHERE search_id = :s", s=ds.board_search_id)
        == ds.counts["board_candidacies"]
    )
    assert q("SELECT owner_id FROM searches WHERE id = :s", s=ds.board_search_id) == rid
    cand = q("SELECT c.id FROM candidates c JOIN users u ON u.id = c.user_id WHERE u.email = :e", e=CANDIDATE_EMAIL)
    assert q("SELECT COUNT(*) FROM candidacies WHERE candidate_id = :c", c=cand) == 6
    assert (
        q(
            "SELECT COUNT(*) FROM feedback f JOIN candidacies c ON c.id = f.candidacy_id WHERE c.candidate_id = :c",
            c=cand,
        )
        >= 5
    )
    # passwords hashed once: every login shares one hash
    assert q("SELECT COUNT(DISTINCT password_hash) FROM users") == 1
    facts = facts_from_db(bench_db_url)
    assert facts.board_search_id == ds.board_search_id


@pytest.mark.parametrize("chunk", [None, 100])
def test_same_seed_same_rows_other_seed_other_rows(tmp_path, chunk):
    more = {"chunk": chunk} if chunk else {}
    urls = [f"sqlite:///{tmp_path / f'{i}.db'}" for i in range(3)]
    generate(urls[0], seed=7, scale=SCALE, anchor=ANCHOR, log=lambda *_: None, **more)
    generate(urls[1], seed=7, scale=SCALE, anchor=ANCHOR, log=lambda *_: None, **more)
    generate(urls[2], seed=8, scale=SCALE, anchor=ANCHOR, log=lambda *_: None, **more)
    a, b, c = (table_digest(u) for u in urls)
    assert a == b
    assert a["candidacies"] != c["candidacies"] and a["messages"] != c["messages"]


def test_the_app_serves_the_generated_firm(app, bench_db_url, tmp_path):
    """The generated rows load through the real models and a real login."""
    ds = generate(bench_db_url, seed=1, scale=SCALE, log=lambda *_: None)
    with extra_app(
        app,
        {
            "PORTAL_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": bench_db_url,
            "DEFAULT_FIRM": "bench",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_DIR": str(tmp_path),
        },
    ) as gapp:
        _check_generated_firm(gapp, ds)


def _check_generated_firm(app, ds):
    for email, home in ((CANDIDATE_EMAIL, "/me/"), (RECRUITER_EMAIL, "/recruiter/")):
        client = app.test_client()
        resp = client.post("/login", data={"email": email, "password": PASSWORD}, base_url="http://127.0.0.1")
        assert resp.status_code == 302, email
        assert client.get(home, base_url="http://127.0.0.1").status_code == 200
    with app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Candidacy, Message, Search
        from portal.tenancy import as_firm

        with as_firm(1):
            search = db.session.get(Search, ds.board_search_id)
            assert search.client.name and search.skills
            cys = db.session.scalars(select(Candidacy).where(Candidacy.search_id == search.id)).all()
            assert len(cys) == ds.counts["board_candidacies"]
            assert all(c.stage_changed_at.tzinfo is not None for c in cys)
            msg = db.session.scalars(select(Message).order_by(Message.id.desc()).limit(1)).one()
            assert msg.dedupe_key and msg.created_at.tzinfo is not None
        db.session.remove()
        db.engine.dispose()


def test_refuses_to_empty_a_database_not_named_for_benchmarks():
    with pytest.raises(SystemExit, match="must contain 'bench'"):
        generate("postgresql+psycopg://postgres@127.0.0.1:5432/test", scale=SCALE, log=lambda *_: None)
