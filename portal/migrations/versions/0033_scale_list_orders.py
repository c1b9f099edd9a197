"""indexes for lists read in their order or by a few rows, so a page's cost does not grow with the firm

candidates (firm_id, updated_at, id): the API's candidate list and its cursor (issue 24);
searches (firm_id, title, id, state, client_id): the candidate page's "add to search" list of
open searches, read from the index alone (a search row carries its description);
users (firm_id, role): the firm's staff (the talent pool's owner filter, forms' owner lists), a
few dozen rows among tens of thousands of candidates' logins.

Revision ID: 0033
Revises: 0032
"""
from alembic import op

revision = "0033"
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.create_index('ix_candidates_firm_updated', ['firm_id', 'updated_at', 'id'], unique=False)
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.create_index('ix_searches_firm_title', ['firm_id', 'title', 'id', 'state', 'client_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_firm_role', ['firm_id', 'role'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_firm_role')
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index('ix_searches_firm_title')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_firm_updated')
