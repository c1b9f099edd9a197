"""applications through the careers site

Revision ID: 0022
Revises: 0025
Create Date: 2026-12-07 00:20:00

"""
import sqlalchemy as sa
from alembic import op

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('search_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('source', sa.Enum('careers', 'referral', name='applicationsource', native_enum=False, create_constraint=False, length=24), nullable=False),
        sa.Column('referred_by_candidate_id', sa.Integer(), nullable=True),
        sa.Column('privacy_accepted_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('privacy_notice_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['referred_by_candidate_id'], ['candidates.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['search_id'], ['searches.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_firm_candidate', ['firm_id', 'candidate_id', 'search_id'], unique=False)
        batch_op.create_index('ix_applications_firm_created', ['firm_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_referred_by_candidate_id'), ['referred_by_candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_search_id'), ['search_id'], unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_search_id'))
        batch_op.drop_index(batch_op.f('ix_applications_referred_by_candidate_id'))
        batch_op.drop_index(batch_op.f('ix_applications_firm_id'))
        batch_op.drop_index('ix_applications_firm_created')
        batch_op.drop_index('ix_applications_firm_candidate')

    op.drop_table('applications')
