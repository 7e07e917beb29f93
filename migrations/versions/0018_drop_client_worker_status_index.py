"""the index on a client's worker and status dropped: revision 0017's index on worker, status and id serves it

Every query that used it (a worker's clients, by status or not) reads the wider index the same way.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 01:56:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_client_worker_status', table_name='client')


def downgrade():
    op.create_index('ix_client_worker_status', 'client', ['worker_id', 'status'], unique=False)
