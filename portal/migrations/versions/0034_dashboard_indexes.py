"""The dashboard's lists read from partial indexes (issue 24, at a million candidates)

Revision ID: 0034
Revises: 0033

Each index holds a list's few rows (failed messages, unhandled interests and updates) in the
list's order with the columns its "mine" test reads, so the walk never visits the table for a
row it skips (docs/PERFORMANCE.md, "The dashboard at a million candidates").
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

INDEXES = (
    ("messages", "ix_messages_firm_failed", ["firm_id", "created_at", "id", "candidate_id", "recipient_user_id"],
     "state = 'failed'"),
    ("interests", "ix_interests_firm_unhandled", ["firm_id", "created_at", "id", "candidate_id", "search_id"],
     "handled_at IS NULL"),
    ("candidate_updates", "ix_candidate_updates_firm_unhandled",
     ["firm_id", "created_at", "id", "candidate_id", "search_id"], "handled_at IS NULL"),
)


def upgrade():
    for table, name, columns, where in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False,
                                  sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade():
    for table, name, _columns, _where in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
