"""sign-in links: where a candidate's passwordless sign-in link lands once used

`messages.credential_next` is the local path a sign-in email's link leads to after signing
in; the worker copies it to `auth_tokens.next_path` when it mints the link. The emailed URL
never carries it (a forwarded or edited link cannot send anybody elsewhere).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential_next", sa.String(length=500), nullable=True))
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_path", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_column("next_path")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("credential_next")
