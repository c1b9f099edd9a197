"""the talent pool's walk by name (issue 24)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 13:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

_COLUMNS = ['firm_id', 'name', 'id', 'deleted_at', 'job_seeking', 'last_contacted_at', 'owner_id', 'location']


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.create_index('ix_candidates_firm_name', _COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_firm_name')
