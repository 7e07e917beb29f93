"""a worker's overdue tasks from the indexes alone: their clients' ids, and each agreement's open tasks by due date

A worker's start page lists the overdue open tasks of their clients' active agreements. PostgreSQL
read each of the worker's clients from the table (for the id) and each agreement's tasks from the
table (for status and due date), and costed it high enough to run the query in parallel; with the id
in the index on a client's worker and status, and the status and due date in an index on a task's
agreement, every step reads an index alone and the plan stays serial.

The index on a client's worker and status is left in place here (revision 0018 drops it): this
revision only adds, so a database can take it while the application runs.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_client_worker_status_id', 'client', ['worker_id', 'status', 'id'], unique=False)
    op.create_index('ix_roadmap_task_agreement_open', 'roadmap_task', ['agreement_id', 'status', 'due_on', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_roadmap_task_agreement_open', table_name='roadmap_task')
    op.drop_index('ix_client_worker_status_id', table_name='client')
