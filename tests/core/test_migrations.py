"""The Alembic migrations build exactly the schema the models describe, with one head."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.support.services import postgres_database


def _targets(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'migrated.db'}", None
    base = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        url, drop = postgres_database(base)
        yield "postgresql", url, drop


def _migrate_and_compare(make_app, app, url):
    from portal.extensions import db

    other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    with other.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            diff = compare_metadata(ctx, db.metadata)
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        config = other.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        upgrade()  # running it again is a no-op
        db.session.remove()
        db.engine.dispose()
    return diff, heads, version


def test_migrations_match_the_models_and_have_one_head(make_app, app, tmp_path):
    ran = []
    for name, url, drop in _targets(tmp_path):
        try:
            diff, heads, version = _migrate_and_compare(make_app, app, url)
        finally:
            if drop is not None:
                drop()
        assert diff == [], f"{name}: the models and the migrations differ (run `make migration`): {diff}"
        assert len(heads) == 1, f"{name}: migrations have several heads: {heads}"
        assert version == heads[0]
        ran.append(name)
    assert ran[0] == "sqlite"
    if os.environ.get("PORTAL_TEST_DATABASE_URL", "").startswith("postgresql"):
        assert ran == ["sqlite", "postgresql"]


def test_a_model_change_without_migration_is_detected(make_app, app, tmp_path):
    """The comparison above is not blind: an extra column in the models shows up as a diff."""
    from sqlalchemy import Column, String

    from portal.extensions import db

    table = db.metadata.tables["clients"]
    col = Column("probe_only", String(10))
    table.append_column(col)
    try:
        diff, _heads, _version = _migrate_and_compare(make_app, app, f"sqlite:///{tmp_path / 'probe.db'}")
    finally:
        table._columns.remove(col)
    assert [d[0] for d in diff] == ["add_column"]
    assert diff[0][3].name == "probe_only"


@pytest.mark.parametrize("command", [["db", "upgrade"]])
def test_portal_db_upgrade_command(make_app, app, tmp_path, command):
    other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.db'}"})
    result = other.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    from sqlalchemy import inspect

    from portal.extensions import db

    with other.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"firms", "users", "messages", "candidacies", "alembic_version"} <= names


def _fill(conn, table_name: str, values: dict) -> None:
    """Insert a row at an old revision: `values`, plus a plain value for every other NOT NULL
    column without a server default (the old schema, read from the database itself)."""
    from sqlalchemy import Boolean, DateTime, Integer, MetaData, Table

    table = Table(table_name, MetaData(), autoload_with=conn)
    row = dict(values)
    for col in table.columns:
        if col.name in row or col.nullable or col.server_default is not None or col.primary_key:
            continue
        if isinstance(col.type, Boolean):
            row[col.name] = False
        elif isinstance(col.type, Integer):
            row[col.name] = 1
        elif isinstance(col.type, DateTime):
            from datetime import datetime

            row[col.name] = datetime(2026, 1, 1)
        else:
            row[col.name] = "x"
    conn.execute(table.insert().values(**row))


def test_0031_moves_existing_logos_and_photos_into_the_storage_and_back(make_app, app, tmp_path):
    """A firm with a logo and a recruiter with a photo at revision 0030 keep them through the
    upgrade (rows of stored_files, served as before) and the downgrade, on SQLite and PostgreSQL."""
    from flask_migrate import downgrade
    from sqlalchemy import inspect, text

    from portal import storage
    from portal.extensions import db
    from portal.models import Firm, User
    from portal.tenancy import as_firm
    from tests.support.images import image_bytes

    logo, photo = image_bytes("PNG", (64, 64)), image_bytes("JPEG", (80, 80))
    ran = []
    for name, url, drop in _targets(tmp_path):
        other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
        try:
            with other.app_context():
                upgrade(revision="0030")
                with db.engine.begin() as conn:
                    conn.execution_options(all_firms=True)  # as a migration does (migrations/env.py)
                    _fill(
                        conn,
                        "firms",
                        {
                            "id": 7,
                            "name": "Old",
                            "slug": "old",
                            "logo": logo,
                            "logo_mime": "image/png",
                            "logo_version": 2,
                        },
                    )
                    _fill(conn, "firms", {"id": 8, "name": "Plain", "slug": "plain"})
                    _fill(
                        conn,
                        "users",
                        {
                            "id": 70,
                            "firm_id": 7,
                            "email": "r@old.example",
                            "name": "R",
                            "role": "recruiter",
                            "photo": photo,
                            "photo_version": 1,
                        },
                    )
                upgrade()
                with as_firm(7):
                    firm, user = db.session.get(Firm, 7), db.session.get(User, 70)
                    assert firm.logo_key.startswith("7/logo/") and firm.logo_version == 2, name
                    assert user.photo_key.startswith("7/photo/"), name
                    assert storage.load(firm.logo_key) == logo and storage.load(user.photo_key) == photo, name
                with as_firm(8):
                    assert db.session.get(Firm, 8).logo_key is None
                db.session.remove()
                columns = {c["name"] for c in inspect(db.engine).get_columns("firms")}
                assert "logo" not in columns and "logo_key" in columns, name

                downgrade(revision="0030")
                with db.engine.connect() as conn:
                    conn.execution_options(all_firms=True)
                    assert conn.execute(text("SELECT logo FROM firms WHERE id = 7")).scalar() == logo, name
                    assert conn.execute(text("SELECT photo FROM users WHERE id = 70")).scalar() == photo, name
                    assert conn.execute(text("SELECT count(*) FROM stored_files")).scalar() == 0, name
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop is not None:
                drop()
        ran.append(name)
    assert ran[0] == "sqlite"


def test_0039_keeps_the_by_search_rows_apart_and_back(make_app, app, tmp_path):
    """A snapshot stored at 0038 (its "By search" rows inside the document) comes out of the
    upgrade with its rows in report_snapshot_rows, in order, and the same document otherwise
    (key order kept: the page's tables follow it); the downgrade puts them back."""
    import json

    from flask_migrate import downgrade
    from sqlalchemy import text

    from portal.extensions import db

    rows = [{"id": i, "name": f"S{i}", "owner": None, "survey": {"count": 0}} for i in (3, 1, 2)]
    data = {"period": {"key": "week"}, "by_recruiter": [], "by_search": rows, "funnel": {"sourced": 1, "applied": 0}}
    empty = {"by_search": [], "funnel": {}}
    ran = []
    for name, url, drop in _targets(tmp_path):
        other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
        try:
            with other.app_context():
                upgrade(revision="0038")
                with db.engine.begin() as conn:
                    conn.execution_options(all_firms=True)  # as a migration does (migrations/env.py)
                    _fill(conn, "firms", {"id": 7, "name": "Old", "slug": "old"})
                    for sid, period, doc in ((70, "week", data), (71, "30d", empty)):
                        conn.execute(
                            text(
                                "INSERT INTO report_snapshots (id, firm_id, scope, period, computed_at, data)"
                                " VALUES (:id, 7, 'firm', :period, :at, :data)"
                            ),
                            {"id": sid, "period": period, "at": "2026-01-01 00:00:00", "data": json.dumps(doc)},
                        )
                upgrade()
                with db.engine.connect() as conn:
                    conn.execution_options(all_firms=True)
                    docs = dict(conn.execute(text("SELECT id, data FROM report_snapshots")).all())
                    stored = conn.execute(
                        text("SELECT firm_id, snapshot_id, position, data FROM report_snapshot_rows ORDER BY position")
                    ).all()
                docs = {k: v if isinstance(v, dict) else json.loads(v) for k, v in docs.items()}
                assert list(docs[70].items()) == [
                    ("period", {"key": "week"}),
                    ("by_recruiter", []),
                    ("funnel", {"sourced": 1, "applied": 0}),
                    ("by_search_count", 3),
                ], name
                assert list(docs[70]["funnel"]) == ["sourced", "applied"], name
                assert docs[71] == {"funnel": {}, "by_search_count": 0}, name
                assert [(f, s, p) for f, s, p, _ in stored] == [(7, 70, 0), (7, 70, 1), (7, 70, 2)], name
                assert [d if isinstance(d, dict) else json.loads(d) for *_, d in stored] == rows, name
                db.session.remove()

                downgrade(revision="0038")
                with db.engine.connect() as conn:
                    conn.execution_options(all_firms=True)
                    docs = dict(conn.execute(text("SELECT id, data FROM report_snapshots")).all())
                docs = {k: v if isinstance(v, dict) else json.loads(v) for k, v in docs.items()}
                assert docs[70] == data and docs[71] == empty, name
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop is not None:
                drop()
        ran.append(name)
    assert ran[0] == "sqlite"
