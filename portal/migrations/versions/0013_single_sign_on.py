"""single sign-on for staff: a firm's OpenID provider (single_sign_ons) and the identity
each staff account signs in with (sso_links)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "single_sign_ons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_name", sa.String(length=60), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret", sa.String(length=500), nullable=False),
        sa.Column("auto_create", sa.Boolean(), nullable=False),
        sa.Column("allowed_domains", sa.String(length=500), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_single_sign_ons_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_single_sign_ons")),
        sa.UniqueConstraint("firm_id", name=op.f("uq_single_sign_ons_firm_id")),
    )
    with op.batch_alter_table("single_sign_ons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_single_sign_ons_firm_id"), ["firm_id"], unique=False)

    op.create_table(
        "sso_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_sso_links_firm_id_firms"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sso_links_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_links")),
        sa.UniqueConstraint("firm_id", "issuer", "subject", name=op.f("uq_sso_links_firm_id_issuer_subject")),
        sa.UniqueConstraint("firm_id", "user_id", name=op.f("uq_sso_links_firm_id_user_id")),
    )
    with op.batch_alter_table("sso_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_links_firm_id"), ["firm_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sso_links_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sso_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_links_user_id"))
        batch_op.drop_index(batch_op.f("ix_sso_links_firm_id"))
    op.drop_table("sso_links")
    with op.batch_alter_table("single_sign_ons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_single_sign_ons_firm_id"))
    op.drop_table("single_sign_ons")
