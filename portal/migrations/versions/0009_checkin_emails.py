"""candidates.checkin_emails: whether check-ins are also emailed (always in the portal)

A one-click unsubscribe used to leave check-ins coming (they are not an optional stream);
it now stops check-in emails too. Candidates who had already unsubscribed start with
check-in emails off, which is what they asked for.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.add_column(sa.Column("checkin_emails", sa.Boolean(), nullable=False, server_default=sa.true()))
    candidates = sa.table("candidates", sa.column("checkin_emails", sa.Boolean()),
                          sa.column("unsubscribed_all", sa.Boolean()))
    op.execute(candidates.update().where(candidates.c.unsubscribed_all.is_(True)).values(checkin_emails=False))


def downgrade():
    with op.batch_alter_table("candidates") as batch_op:
        batch_op.drop_column("checkin_emails")
