"""Custom domains need DNS proof: verification token, verified/checked times; a domain is
unique among verified claims only (several firms may hold a pending claim).

Domains that existed before this migration were already serving their firm; they are kept
verified (taking a live portal offline on upgrade would be worse), and the README tells the
operator how to re-check them.

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("firm_domains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("verified_at", portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_checked_at", portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_check_error", sa.String(length=300), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, created_at FROM firm_domains")).all()
    for row_id, created_at in rows:
        conn.execute(
            sa.text("UPDATE firm_domains SET verification_token = :t, verified_at = :v WHERE id = :i"),
            {"t": secrets.token_urlsafe(24), "v": created_at, "i": row_id},
        )
    with op.batch_alter_table("firm_domains", schema=None) as batch_op:
        batch_op.alter_column("verification_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_firm_domains_domain", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_firm_domains_firm_id_domain"), ["firm_id", "domain"])
        batch_op.create_index("uq_firm_domains_verified_domain", ["domain"], unique=True,
                              sqlite_where=sa.text("verified_at IS NOT NULL"),
                              postgresql_where=sa.text("verified_at IS NOT NULL"))


def downgrade() -> None:
    op.execute("DELETE FROM firm_domains WHERE verified_at IS NULL")
    with op.batch_alter_table("firm_domains", schema=None) as batch_op:
        batch_op.drop_index("uq_firm_domains_verified_domain")
        batch_op.drop_constraint(batch_op.f("uq_firm_domains_firm_id_domain"), type_="unique")
        batch_op.create_unique_constraint("uq_firm_domains_domain", ["domain"])
        batch_op.drop_column("last_check_error")
        batch_op.drop_column("last_checked_at")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verification_token")
