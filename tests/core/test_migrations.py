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
