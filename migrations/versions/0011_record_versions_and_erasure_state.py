"""record versions (optimistic locking) and the erasure state (compaction of erased text)

Every client and case record (appointment, visit, intake, agreement, roadmap task) gets a version,
raised by every update (SQLAlchemy's version_id_col): an edit form carries the version it was loaded
at, and a save based on an older one is refused instead of overwriting a newer record (an anonymised
client's name put back by a form opened before the anonymisation). Existing rows start at 1.

erasure_state (one row) keeps when something was last erased and when the database's files were last
compacted (flask privacy compact; the retention purge runs it when something was erased since).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

VERSIONED = ('client', 'appointment', 'visit', 'intake', 'agreement', 'roadmap_task')


def upgrade():
    # plain ADD COLUMN on both engines: a batch (copy) of client on SQLite would drop the search
    # indexes' triggers (revisions 0009 and 0010)
    for table in VERSIONED:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'erasure_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('compacted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_state')),
    )


def downgrade():
    op.drop_table('erasure_state')
    for table in reversed(VERSIONED):
        op.drop_column(table, 'version')  # SQLite 3.35+ drops a column in place (no copy, triggers kept)
