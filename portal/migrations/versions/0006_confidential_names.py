"""confidential clients: client aliases and the wording candidates read instead of the name

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-06 19:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_wording', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_column('client_wording')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('aliases')
