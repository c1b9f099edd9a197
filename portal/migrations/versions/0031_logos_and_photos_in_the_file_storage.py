"""logos and photos in the file storage: firms.logo_key and users.photo_key replace the bytes columns

Each existing logo and photo becomes a row of stored_files (the database storage backend's
files) under a new key `<firm id>/logo/...` or `<firm id>/photo/...`, then the bytes columns go.
With PORTAL_STORAGE=s3 the files are read from those rows until `portal storage import-local`
moves them into the bucket. One file at a time, so a large installation's memory stays small.
Downgrade moves the files kept in the database back into the columns; a file already moved into
an S3 bucket is not brought back (that logo or photo is then missing: upload it again).

Revision ID: 0031
Revises: 0030
"""
import secrets

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

firms = sa.table("firms", sa.column("id", sa.Integer()), sa.column("logo", sa.LargeBinary()),
                 sa.column("logo_mime", sa.String()), sa.column("logo_key", sa.String()))
users = sa.table("users", sa.column("id", sa.Integer()), sa.column("firm_id", sa.Integer()),
                 sa.column("photo", sa.LargeBinary()), sa.column("photo_key", sa.String()))
stored_files = sa.table("stored_files", sa.column("key", sa.String()), sa.column("firm_id", sa.Integer()),
                        sa.column("content_type", sa.String()), sa.column("size", sa.Integer()),
                        sa.column("data", sa.LargeBinary()),
                        sa.column("created_at", portal.models.base.UTCDateTime(timezone=True)))


def _move_in(conn, table, id_col, firm_col, data_col, key_col, kind, ext, mime_of):
    """Each row's bytes into a stored_files row, its key into key_col (one row at a time)."""
    ids = conn.execute(sa.select(id_col, firm_col).where(data_col.is_not(None)).order_by(id_col)).all()
    for row_id, firm_id in ids:
        data, mime = conn.execute(sa.select(data_col, mime_of).where(id_col == row_id)).one()
        key = f"{firm_id}/{kind}/{row_id}-{secrets.token_hex(8)}{ext}"
        conn.execute(stored_files.insert().values(key=key, firm_id=firm_id, content_type=mime or "image/png",
                                                  size=len(data), data=data,
                                                  created_at=portal.models.base.utcnow()))
        conn.execute(table.update().where(id_col == row_id).values({key_col.name: key}))


def _move_out(conn, table, id_col, data_col, key_col):
    rows = conn.execute(sa.select(id_col, key_col).where(key_col.is_not(None)).order_by(id_col)).all()
    for row_id, key in rows:
        data = conn.execute(sa.select(stored_files.c.data).where(stored_files.c.key == key)).scalar()
        conn.execute(table.update().where(id_col == row_id).values({data_col.name: data}))
        conn.execute(stored_files.delete().where(stored_files.c.key == key))


def upgrade():
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_key", sa.String(length=300), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_key", sa.String(length=300), nullable=True))

    conn = op.get_bind()
    _move_in(conn, firms, firms.c.id, firms.c.id, firms.c.logo, firms.c.logo_key, "logo", ".png", firms.c.logo_mime)
    _move_in(conn, users, users.c.id, users.c.firm_id, users.c.photo, users.c.photo_key, "photo", ".jpg",
             sa.literal("image/jpeg"))

    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.drop_column("logo")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("photo")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))

    conn = op.get_bind()
    _move_out(conn, users, users.c.id, users.c.photo, users.c.photo_key)
    _move_out(conn, firms, firms.c.id, firms.c.logo, firms.c.logo_key)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("photo_key")
    with op.batch_alter_table("firms", schema=None) as batch_op:
        batch_op.drop_column("logo_key")
