"""Two-factor authentication for staff: TOTP authenticators, hashed recovery codes, and the
firm's policy that every recruiter and admin must use one.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "two_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_two_factors_firm_id_firms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_two_factors_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factors")),
        sa.UniqueConstraint("firm_id", "user_id", name=op.f("uq_two_factors_firm_id_user_id")),
    )
    with op.batch_alter_table("two_factors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_two_factors_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_two_factors_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_recovery_codes_firm_id_firms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("firm_id", "code_hash", name=op.f("uq_recovery_codes_firm_id_code_hash")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("require_two_factor", sa.Boolean(), server_default=sa.text("false"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.drop_column("require_two_factor")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
        batch_op.drop_index(batch_op.f("ix_recovery_codes_firm_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("two_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_two_factors_user_id"))
        batch_op.drop_index(batch_op.f("ix_two_factors_firm_id"))
    op.drop_table("two_factors")
