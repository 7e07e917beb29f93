"""SQLite's index of client names for the search box: an FTS5 table with the trigram tokenizer.

The client search finds a word anywhere in a first name, last name or alias. SQLite has no index for
``LIKE '%word%'``, so it read every client's names (~20 ms at 100 000 clients, 40 on a busy host).
FTS5's trigram tokenizer indexes every three letters of the names and finds a word of three letters
or more in ~1 ms, ignoring case (for accented letters too, where LIKE ignores only ASCII case). Shorter
words still use LIKE. PostgreSQL has trigram indexes on the same names instead (revision 0007).

The table holds no copy of the names (``content='client'``): triggers keep its index in step with the
client table. An erased name's trigrams stay in the index's old segments until they are merged, so
:func:`forget_erased` rewrites the index after every erasure (with ``secure_delete`` the old pages
are zeroed). Created by revision 0009, and with the tables by ``create_all`` (tests).
"""
from __future__ import annotations

import sqlalchemy as sa

from services.fts_index import FtsIndex

TABLE = "client_name_fts"
COLUMNS = ("first_name", "last_name", "alias")
#: the shortest word the trigram index can find
MIN_WORD = 3

_columns = ", ".join(COLUMNS)
_new = ", ".join(f"new.{c}" for c in COLUMNS)
_old = ", ".join(f"old.{c}" for c in COLUMNS)
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({_columns}, content='client', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON client BEGIN "
    f"INSERT INTO {TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON client BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {_columns}) VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF id, {_columns} ON client BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, {_columns}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO {TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{name}" for name in ("insert", "delete", "update")] + [
    f"DROP TABLE IF EXISTS {TABLE}"]

INDEX = FtsIndex(TABLE, CREATE, DROP, fill=None, what="client name")  # fills itself from its content table
install, uninstall, present, forget_erased, listen = (INDEX.install, INDEX.uninstall, INDEX.present,
                                                      INDEX.forget_erased, INDEX.listen)


def matching_ids(word: str):
    """The ids of the clients with ``word`` (three letters or more) in a name or the alias."""
    phrase = '"' + word.replace('"', '""') + '"'  # one phrase: the word's letters in a row, nothing else
    index = sa.table(TABLE, sa.column("rowid"))
    return sa.select(index.c.rowid).where(sa.literal_column(TABLE).op("MATCH")(sa.literal(phrase, sa.String)))
