"""a day's appointments from one index: start, id, status, worker and length

The reception desk pages through a day's appointments in time order, leaving out those dealt with
over an hour ago; the manager's start page sums each worker's appointments and minutes of a day.
Both read the day's rows from the index alone: the desk stops after a page's worth of index
entries instead of reading every appointment of the day from the table (scattered over thousands
of table pages) and sorting them, and the load per worker needs no table read at all. The index on
start and id stays for the lists, which it serves with a smaller index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_appointment_day', 'appointment',
                    ['starts_at', 'id', 'status', 'worker_id', 'duration_minutes'], unique=False)


def downgrade():
    op.drop_index('ix_appointment_day', table_name='appointment')
