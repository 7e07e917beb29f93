"""client phone search: an index of the numbers' digits (FTS5 trigram on SQLite, pg_trgm on PostgreSQL)

The search box finds a client by a run of digits from the phone number, whatever separators it was
written with; both engines read every client's number for it (~17 ms at 100 000 clients). SQLite: a
contentless FTS5 trigram table of the numbers without separators, kept in step by triggers
(services/phone_index.py), finds them in about a millisecond. PostgreSQL: a trigram index on the same
expression. Without FTS5 or pg_trgm the revision only warns, and the search reads the numbers as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:45:00

"""
import logging

from alembic import op
import sqlalchemy as sa

from services import phone_index

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        phone_index.install(bind)
        return
    if bind.dialect.name != 'postgresql':
        return
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        logging.getLogger('alembic').warning('pg_trgm is not available: client phone search reads the table')
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    # the operator class by its schema: the extension may live in a schema not on the search path
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )).scalar()
    op.execute(f'CREATE INDEX IF NOT EXISTS {phone_index.PG_INDEX} ON client '
               f'USING gin (({phone_index.digits_sql("phone")}) "{schema}".gin_trgm_ops)')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        phone_index.uninstall(bind)
    elif bind.dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {phone_index.PG_INDEX}')
