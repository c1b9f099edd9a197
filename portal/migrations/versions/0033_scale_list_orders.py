"""indexes in the order of two lists, so a page is a short index walk at any firm size

candidates (firm_id, updated_at, id): the API's candidate list and its cursor (issue 24);
searches (firm_id, title, id): the candidate page's "add to search" list of open searches.

Revision ID: 0033_scale
Revises: 0032
"""
from alembic import op

revision = '0033_scale'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.create_index('ix_candidates_firm_updated', ['firm_id', 'updated_at', 'id'], unique=False)
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.create_index('ix_searches_firm_title', ['firm_id', 'title', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index('ix_searches_firm_title')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_firm_updated')
