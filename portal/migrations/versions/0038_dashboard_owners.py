"""consents carry their candidacy's candidate and search (the dashboard's waiting requests, issue 24)

Revision ID: 0038
Revises: 0037

A consent request's candidacy never changes its candidate or search, so both are copied onto
the request when it is made (backfilled here), and the waiting requests' index holds them with
the candidacy, in the dashboard's order: its "mine" test reads the index alone, not each
waiting request's candidacy (docs/PERFORMANCE.md, "The dashboard at a million candidates").
The index keeps its name and its first three columns (firm_id, state, requested_at).

The candidacies' (firm_id, stage) index gets the same treatment for the new applications:
(firm_id, stage, created_at, id, candidate_id, search_id), the applied candidacies oldest first
with whose they are, instead of a probe of every open search's pipeline; and the candidates'
(firm_id, last_contacted_at) index gets (id, deleted_at), so the firm-wide overdue list walks the
index and not each person's row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

INDEX = "ix_consents_firm_state_requested"
STAGES = "ix_candidacies_firm_stage"
CONTACTED = "ix_candidates_firm_last_contacted"


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("search_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE consents SET"
        " candidate_id = (SELECT c.candidate_id FROM candidacies c WHERE c.id = consents.candidacy_id),"
        " search_id = (SELECT c.search_id FROM candidacies c WHERE c.id = consents.candidacy_id)"
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("candidate_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(INDEX)
        batch_op.create_index(
            INDEX, ["firm_id", "state", "requested_at", "id", "candidate_id", "search_id", "candidacy_id"], unique=False
        )
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.drop_index(STAGES)
        batch_op.create_index(
            STAGES, ["firm_id", "stage", "created_at", "id", "candidate_id", "search_id"], unique=False
        )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(CONTACTED)
        batch_op.create_index(CONTACTED, ["firm_id", "last_contacted_at", "id", "deleted_at"], unique=False)


def downgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(CONTACTED)
        batch_op.create_index(CONTACTED, ["firm_id", "last_contacted_at"], unique=False)
    with op.batch_alter_table("candidacies", schema=None) as batch_op:
        batch_op.drop_index(STAGES)
        batch_op.create_index(STAGES, ["firm_id", "stage"], unique=False)
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, ["firm_id", "state", "requested_at"], unique=False)
        batch_op.drop_column("search_id")
        batch_op.drop_column("candidate_id")
