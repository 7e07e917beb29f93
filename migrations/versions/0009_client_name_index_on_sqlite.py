"""client name search on SQLite: an FTS5 trigram index of first names, last names and aliases

SQLite read every client's names for a search (~20 ms at 100 000 clients); the index finds a word of
three letters or more in ~1 ms. It keeps no copy of the names (its content is the client table) and
triggers keep it in step. Without FTS5 or its trigram tokenizer the revision only warns, and the
search reads the names as before. PostgreSQL: nothing (its trigram indexes came with revision 0007).
Revision 0012 replaced it by an index of the clients' search keys (services/name_index.py keeps this
one's definition as NAMES_INDEX).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:20:00

"""
from alembic import op

from services import name_index

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    name_index.NAMES_INDEX.install(op.get_bind())


def downgrade():
    name_index.NAMES_INDEX.uninstall(op.get_bind())
