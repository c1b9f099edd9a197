"""report snapshot rows: the promises report's "By search" rows apart from the snapshot (issue 24)

A snapshot's document held one row per search with a case in the period (95% of it: 1 MB at
100,000 candidates), decoded whole for a page that shows 50 of them. The rows now live in
report_snapshot_rows, one per search, at their place in the table's order; the document keeps
their number ("by_search_count"). Each existing snapshot is converted here, one at a time (a
large installation's memory stays small); the page also reads a document that still holds its
rows (written by a worker not yet upgraded), until that snapshot's next refresh. Downgrade puts
the rows back into their documents.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 12:41:37.795877

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

snapshots = sa.table("report_snapshots", sa.column("id", sa.Integer()), sa.column("firm_id", sa.Integer()),
                     sa.column("data", sa.JSON()))
rows = sa.table("report_snapshot_rows", sa.column("snapshot_id", sa.Integer()), sa.column("position", sa.Integer()),
                sa.column("data", sa.JSON()), sa.column("firm_id", sa.Integer()))


def _each_snapshot(conn):
    """(id, firm id, document) of every snapshot, one document in memory at a time."""
    ids = conn.execute(sa.select(snapshots.c.id, snapshots.c.firm_id).order_by(snapshots.c.id)).all()
    for snapshot_id, firm_id in ids:
        yield snapshot_id, firm_id, conn.execute(sa.select(snapshots.c.data).where(snapshots.c.id == snapshot_id)).scalar()


def upgrade():
    op.create_table('report_snapshot_rows',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_report_snapshot_rows_firm_id_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['report_snapshots.id'], name=op.f('fk_report_snapshot_rows_snapshot_id_report_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('snapshot_id', 'position', name=op.f('pk_report_snapshot_rows'))
    )
    with op.batch_alter_table('report_snapshot_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_snapshot_rows_firm_id'), ['firm_id'], unique=False)

    conn = op.get_bind()
    for snapshot_id, firm_id, data in _each_snapshot(conn):
        if not isinstance(data, dict) or "by_search" not in data:
            continue
        found = data.pop("by_search")
        data["by_search_count"] = len(found)
        if found:
            conn.execute(rows.insert(), [{"snapshot_id": snapshot_id, "position": i, "data": row, "firm_id": firm_id}
                                         for i, row in enumerate(found)])
        conn.execute(snapshots.update().where(snapshots.c.id == snapshot_id).values(data=data))


def downgrade():
    conn = op.get_bind()
    for snapshot_id, _firm_id, data in _each_snapshot(conn):
        if not isinstance(data, dict) or "by_search_count" not in data:
            continue
        del data["by_search_count"]
        data["by_search"] = list(conn.execute(sa.select(rows.c.data).where(rows.c.snapshot_id == snapshot_id)
                                              .order_by(rows.c.position)).scalars())
        conn.execute(snapshots.update().where(snapshots.c.id == snapshot_id).values(data=data))

    with op.batch_alter_table('report_snapshot_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_snapshot_rows_firm_id'))

    op.drop_table('report_snapshot_rows')
