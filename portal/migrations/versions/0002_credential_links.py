"""credential links: messages say which credential they carry, never the link itself

Promise 9 (a live credential is readable by its addressee alone). Invitation and reset
emails used to be stored with their live link, readable on the staff message pages. This
adds `messages.credential`, replaces the stored links with the neutral phrase the worker
now fills in at send time, and spends every unused invitation and reset link issued
before the upgrade (any of them may have been read by staff): pending emails get a fresh
link when they are sent; people invited earlier need a new invitation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 19:40:00

"""
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from markupsafe import escape

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = "0001"
branch_labels = None
depends_on = None

# portal.outbox.CREDENTIAL_LINK at the time of this migration (kept here: a migration
# must not change when the code does)
PHRASE = "(a personal link, sent only to the addressee's inbox)"
LINK = re.compile(r"https?://[^\s\"'<>]+/(?:invitation|reset)/[A-Za-z0-9_\-]+")
KINDS = {"invitation": "invitation", "password_reset": "reset"}


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential', sa.String(length=20), nullable=True))

    conn = op.get_bind()
    messages = sa.table(
        'messages', sa.column('id', sa.Integer), sa.column('kind', sa.String),
        sa.column('body_text', sa.Text), sa.column('body_html', sa.Text),
        sa.column('credential', sa.String),
    )
    rows = conn.execute(
        sa.select(messages.c.id, messages.c.kind, messages.c.body_text, messages.c.body_html)
        .where(messages.c.kind.in_(list(KINDS)))
    ).all()
    for row in rows:
        conn.execute(
            messages.update().where(messages.c.id == row.id).values(
                credential=KINDS[row.kind],
                body_text=LINK.sub(PHRASE, row.body_text or ""),
                body_html=LINK.sub(str(escape(PHRASE)), row.body_html or ""),
            )
        )
    tokens = sa.table('auth_tokens', sa.column('used_at', portal.models.base.UTCDateTime()))
    conn.execute(tokens.update().where(tokens.c.used_at.is_(None))
                 .values(used_at=datetime.now(UTC)))


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('credential')
