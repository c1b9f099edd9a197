"""Upgrading to DNS-verified domains keeps the domains that were serving a firm serving it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade


def _filler(column: sa.Column):
    """A value for a NOT NULL column of the old schema (whatever columns it had)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, (sa.DateTime, sa.Date)):
        return datetime(2026, 1, 1, tzinfo=UTC)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.LargeBinary):
        return b""
    return "x"


def test_upgrade_keeps_existing_domains_verified(make_app, app, tmp_path, client_for):
    from portal.extensions import db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    other = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    with other.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            meta = sa.MetaData()
            firms = sa.Table("firms", meta, autoload_with=conn)
            values = {c.name: _filler(c) for c in firms.columns if not c.nullable and not c.primary_key}
            values.update(name="Old Firm", slug="oldfirm")
            firm_id = conn.execute(firms.insert().values(**values)).inserted_primary_key[0]
            conn.execute(
                sa.text("INSERT INTO firm_domains (firm_id, domain, created_at) VALUES (:f, :d, :c)"),
                {"f": firm_id, "d": "careers.old.example", "c": datetime(2026, 1, 2)},
            )
        upgrade()
        with db.engine.connect() as conn:
            conn.execution_options(all_firms=True)  # reads or writes every firm's rows, explicitly
            token, verified_at = conn.execute(
                sa.text("SELECT verification_token, verified_at FROM firm_domains WHERE domain = 'careers.old.example'")
            ).one()
        assert token and len(token) >= 24 and verified_at is not None
        resp = other.test_client().get("/login", headers={"Host": "careers.old.example"})
        assert resp.status_code == 200 and "Old Firm" in resp.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
