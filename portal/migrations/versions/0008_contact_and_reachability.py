"""contact records (a call, a meeting ...) and candidates.unreachable_since

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-06 19:30:00

"""
import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = '0008'
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('candidacy_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('call', 'meeting', 'other', name='contactkind', native_enum=False, create_constraint=False, length=24), nullable=False),
    sa.Column('occurred_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidacy_id'], ['candidacies.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.create_index('ix_contact_records_firm_candidate_at', ['firm_id', 'candidate_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_records_firm_id'), ['firm_id'], unique=False)

    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_since', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_candidates_firm_unreachable', ['firm_id', 'unreachable_since'], unique=False)


def downgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index('ix_candidates_firm_unreachable')
        batch_op.drop_column('unreachable_since')

    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_records_firm_id'))
        batch_op.drop_index('ix_contact_records_firm_candidate_at')

    op.drop_table('contact_records')
