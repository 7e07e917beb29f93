"""client search key and merged records: names found whatever the spelling; a duplicate merged into the kept record

A client's names are searched through one column, ``search_key``: the canonical words of the first
name, surname and alias (services/name_search.py), so that Ševčenko, Shevchenko, Шевченко and
sevcenko meet. The revision fills it for every existing client (in Python, in batches) and indexes it
per engine: on SQLite an FTS5 trigram table of the key replaces revision 0009's index of the raw
names (and 0007's covering index of them); on PostgreSQL a trigram index of the key replaces
0007's three trigram indexes of the lowered names. ``merged_into_id`` and ``merged_at`` mark a
duplicate merged into another record (services/merge.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 10:00:00

"""
import logging

from alembic import op
import sqlalchemy as sa

from services import name_index, name_search, phone_index

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 2000
FK = 'fk_client_merged_into_id_client'
#: revision 0007's indexes this one replaces
PG_NAME_INDEXES = {
    'ix_client_first_name_trgm': 'first_name',
    'ix_client_last_name_trgm': 'last_name',
    'ix_client_alias_trgm': 'alias',
}
SQLITE_NAME_INDEX = 'ix_client_name_search'


def _trgm_schema(bind):
    """The schema of the pg_trgm extension (made when available), or None without it."""
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
    if not available:
        logging.getLogger('alembic').warning('pg_trgm is not available: client name search reads the table')
        return None
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    return bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    )).scalar()


def _fill_keys(bind):
    client = sa.table('client', sa.column('id', sa.Integer), sa.column('first_name', sa.String),
                      sa.column('last_name', sa.String), sa.column('alias', sa.String),
                      sa.column('search_key', sa.String))
    named = sa.or_(client.c.first_name.is_not(None), client.c.last_name.is_not(None), client.c.alias.is_not(None))
    update = sa.update(client).where(client.c.id == sa.bindparam('row_id')).values(search_key=sa.bindparam('key'))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(client.c.id, client.c.first_name, client.c.last_name, client.c.alias)
            .where(named, client.c.id > last).order_by(client.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{'row_id': row.id, 'key': name_search.client_key(row.first_name, row.last_name, row.alias)}
                              for row in rows])
        last = rows[-1].id


def upgrade():
    bind = op.get_bind()
    op.add_column('client', sa.Column('search_key', sa.String(length=400), nullable=True))
    if bind.dialect.name == 'sqlite':
        # SQLite adds a foreign key only with its column (a table rebuild would drop the search triggers)
        op.execute(f'ALTER TABLE client ADD COLUMN merged_into_id INTEGER CONSTRAINT {FK} '
                   'REFERENCES client (id)')
    else:
        op.add_column('client', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FK, 'client', 'client', ['merged_into_id'], ['id'])
    op.add_column('client', sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_client_merged_into_id'), 'client', ['merged_into_id'], unique=False)
    if bind.dialect.name == 'sqlite':
        name_index.NAMES_INDEX.uninstall(bind)
        op.execute(f'DROP INDEX IF EXISTS {SQLITE_NAME_INDEX}')
    _fill_keys(bind)
    if bind.dialect.name == 'sqlite':
        name_index.install(bind)
    elif bind.dialect.name == 'postgresql':
        for name in PG_NAME_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
        schema = _trgm_schema(bind)
        if schema:
            op.execute(f'CREATE INDEX IF NOT EXISTS {name_index.PG_INDEX} ON client USING gin (search_key "{schema}".gin_trgm_ops)')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        name_index.uninstall(bind)
    elif bind.dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {name_index.PG_INDEX}')
        op.drop_constraint(FK, 'client', type_='foreignkey')
    op.drop_index(op.f('ix_client_merged_into_id'), table_name='client')
    if bind.dialect.name == 'sqlite':
        # a column with a foreign key goes only with a table rebuild, which drops the table's triggers
        with op.batch_alter_table('client', recreate='always') as batch_op:
            batch_op.drop_column('merged_into_id')
        phone_index.install(bind)
    else:
        op.drop_column('client', 'merged_into_id')
    op.drop_column('client', 'merged_at')
    op.drop_column('client', 'search_key')
    if bind.dialect.name == 'sqlite':
        op.execute(f'CREATE INDEX IF NOT EXISTS {SQLITE_NAME_INDEX} ON client (first_name, last_name, alias, code, created_at)')
        name_index.NAMES_INDEX.install(bind)
    elif bind.dialect.name == 'postgresql':
        schema = _trgm_schema(bind)
        if schema:
            for name, column in PG_NAME_INDEXES.items():
                op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON client USING gin (lower({column}) "{schema}".gin_trgm_ops)')
