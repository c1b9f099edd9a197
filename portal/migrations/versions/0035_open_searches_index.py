"""open searches index (the roles a candidate may fit, issue 24)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 10:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

_INCLUDE = ['seniority', 'location', 'remote_policy', 'pay_min', 'pay_max', 'pay_currency', 'anticipated']


def upgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.create_index('ix_searches_firm_open', ['firm_id', 'id'], unique=False,
                              postgresql_include=_INCLUDE,
                              postgresql_where=sa.text("state = 'open'"),
                              sqlite_where=sa.text("state = 'open'"))


def downgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index('ix_searches_firm_open', postgresql_include=_INCLUDE,
                            postgresql_where=sa.text("state = 'open'"),
                            sqlite_where=sa.text("state = 'open'"))
