"""searches.skill_weight: each search's stored skill weight, read with the open searches
(roles_for_candidate at a million candidates, issue 24)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

_OLD_INCLUDE = ['seniority', 'location', 'remote_policy', 'pay_min', 'pay_max', 'pay_currency', 'anticipated']
_NEW_INCLUDE = _OLD_INCLUDE + ['skill_weight']
_OPEN = "state = 'open'"

# 3 per required skill, 1 per nice-to-have (matching's REQUIRED_WEIGHT / NICE_WEIGHT), 0 with none.
_BACKFILL = """
UPDATE searches SET skill_weight = COALESCE((
    SELECT SUM(CASE WHEN search_skills.required THEN 3 ELSE 1 END)
    FROM search_skills
    WHERE search_skills.firm_id = searches.firm_id AND search_skills.search_id = searches.id
), 0)
"""


def upgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skill_weight', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.execute(_BACKFILL)
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index('ix_searches_firm_open', postgresql_include=_OLD_INCLUDE,
                            postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
        batch_op.create_index('ix_searches_firm_open', ['firm_id', 'id'], unique=False,
                              postgresql_include=_NEW_INCLUDE,
                              postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))


def downgrade():
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_index('ix_searches_firm_open', postgresql_include=_NEW_INCLUDE,
                            postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
        batch_op.create_index('ix_searches_firm_open', ['firm_id', 'id'], unique=False,
                              postgresql_include=_OLD_INCLUDE,
                              postgresql_where=sa.text(_OPEN), sqlite_where=sa.text(_OPEN))
    with op.batch_alter_table('searches', schema=None) as batch_op:
        batch_op.drop_column('skill_weight')
