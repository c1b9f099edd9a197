"""users.photo, photo_version, about: a recruiter's photo and short line, shown to their candidates

Additive: existing users have no photo (version 0) and no line.

Revision ID: 0015
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("photo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("photo_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("about", sa.String(length=160), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("about")
        batch_op.drop_column("photo_version")
        batch_op.drop_column("photo")
