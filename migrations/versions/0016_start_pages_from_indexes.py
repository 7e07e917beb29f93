"""the start pages from indexes alone: a day's appointments, a worker's clients' ids, an agreement's open tasks

Three indexes let each role's start page read what it needs from an index instead of the table:

- ix_appointment_day (start, id, status, worker, length): the reception desk pages through a day's
  appointments in time order, leaving out those dealt with over an hour ago; it now stops after a
  page's worth of index entries instead of reading every appointment of the day from the table
  (scattered over thousands of table pages) and sorting them. The manager's load per worker sums
  the same entries without a table read. The index on start and id stays for the lists, which it
  serves with a smaller index.
- ix_client_worker_status_id (worker, status, id) replaces ix_client_worker_status (worker, status),
  which it serves as well: "my clients" (in a worker's overdue tasks, walk-ins and cover) as ids
  from the index alone.
- ix_roadmap_task_agreement_open (agreement, status, due date, id): each of those clients' active
  agreements' open tasks due before today, from the index alone. PostgreSQL had read the worker's
  clients and tasks from the table and, costing that high, ran the overdue tasks' query in parallel.

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
    op.create_index('ix_client_worker_status_id', 'client', ['worker_id', 'status', 'id'], unique=False)
    op.drop_index('ix_client_worker_status', table_name='client')
    op.create_index('ix_roadmap_task_agreement_open', 'roadmap_task', ['agreement_id', 'status', 'due_on', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_roadmap_task_agreement_open', table_name='roadmap_task')
    op.create_index('ix_client_worker_status', 'client', ['worker_id', 'status'], unique=False)
    op.drop_index('ix_client_worker_status_id', table_name='client')
    op.drop_index('ix_appointment_day', table_name='appointment')
