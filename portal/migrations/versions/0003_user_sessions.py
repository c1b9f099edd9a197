"""server-side sign-in sessions (user_sessions); users.session_token goes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 19:30:00

Every signed-in browser is a row of user_sessions; logout, a password change and
"sign out everywhere" end rows, so a copied cookie stops working at once. The per-user
session_token that the login id used to carry is replaced by it: upgrading signs
everybody out once.
"""
import sqlalchemy as sa
from alembic import op

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_user_sessions_firm_id_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('firm_id', 'secret_hash', name=op.f('uq_user_sessions_firm_id_secret_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        # A value no login id of the old code carries: everybody signs in again.
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=False,
                                      server_default=sa.text("'ended'")))

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_firm_id'))

    op.drop_table('user_sessions')
