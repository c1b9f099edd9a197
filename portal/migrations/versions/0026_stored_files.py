"""stored_files: files kept by the database storage backend (CVs first)

Existing CVs stay where they are (PORTAL_UPLOAD_DIR) and are still read from there until
`portal storage import-local` moves them in; their keys do not change.

Revision ID: 0026
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = "0026"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_stored_files_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_firm_id"), ["firm_id"], unique=False)


def downgrade():
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_firm_id"))
    op.drop_table("stored_files")
