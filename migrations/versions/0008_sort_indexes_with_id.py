"""list sort indexes end with the id: appointments by start, clients by creation, visits by time

The lists sort by a date and then by id (a stable order). PostgreSQL's index on the date alone made
it read each row of a deep page's offset from the table to sort ties by id (10 000 rows for the
400th page, ~14 ms); with the id in the index the offset is counted in the index alone. SQLite's
indexes carry the row id already; the same indexes serve it unchanged.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

#: (table, index, columns before, columns after)
CHANGED = [
    ('appointment', 'ix_appointment_starts_at', ['starts_at'], ['starts_at', 'id']),
    ('appointment', 'ix_appointment_worker_starts', ['worker_id', 'starts_at'], ['worker_id', 'starts_at', 'id']),
    ('appointment', 'ix_appointment_client_starts', ['client_id', 'starts_at'], ['client_id', 'starts_at', 'id']),
    ('appointment', 'ix_appointment_status_starts', ['status', 'starts_at'], ['status', 'starts_at', 'id']),
    ('client', 'ix_client_created_at', ['created_at'], ['created_at', 'id']),
    ('visit', 'ix_visit_occurred_at', ['occurred_at'], ['occurred_at', 'id']),
]


def upgrade():
    for table, name, _before, after in CHANGED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, after, unique=False)


def downgrade():
    for table, name, before, _after in reversed(CHANGED):
        op.drop_index(name, table_name=table)
        op.create_index(name, table, before, unique=False)
