"""The indexes of clients' search keys (:mod:`services.name_search`) for the search box.

The client search finds every typed word anywhere in a client's ``search_key`` (the canonical words of
the names and the alias). No b-tree answers ``LIKE '%word%'``, so each engine has its own index:

- SQLite: an FTS5 table with the trigram tokenizer over the key (:data:`TABLE`) finds a word of three
  letters or more in about a millisecond (reading every key takes ~15 ms at 100 000 clients). It holds
  no copy of the keys (``content='client'``): triggers keep its index in step with the client table.
  An erased key's trigrams stay in the index's old segments until they are merged, so
  :func:`forget_erased` rewrites the index after every erasure (with ``secure_delete`` the old pages
  are zeroed). Shorter words are read with LIKE.
- PostgreSQL: a trigram (``pg_trgm``) index on the key (:data:`PG_INDEX`).

Both are made by revision 0012 (and the SQLite one with the tables by ``create_all``, for tests).
Revision 0012 replaced revision 0009's SQLite index of the raw names (:data:`NAMES_INDEX`, kept here
for the revisions that make and remove it) and revision 0007's trigram indexes of the lowered names.
"""
from __future__ import annotations

import sqlalchemy as sa

from services.fts_index import FtsIndex
from services.typed import Typed

TABLE = "client_search_key_fts"
#: PostgreSQL's trigram index of the search key (revision 0012)
PG_INDEX = "ix_client_search_key_trgm"
#: the shortest word the trigram index can find
MIN_WORD = 3


def _external_content_index(table: str, columns: tuple[str, ...], what: str) -> FtsIndex:
    """An FTS5 trigram table over ``columns`` of the client table, kept in step by triggers."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    create = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({names}, content='client', content_rowid='id', "
        "tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON client BEGIN "
        f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON client BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_update AFTER UPDATE OF id, {names} ON client BEGIN "
        f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new}); END",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {table}_{name}" for name in ("insert", "delete", "update")] + [
        f"DROP TABLE IF EXISTS {table}"]
    return FtsIndex(table, create, drop, fill=None, what=what)  # fills itself from its content table


INDEX = _external_content_index(TABLE, ("search_key",), "client search key")
install, uninstall, present, forget_erased, listen = (INDEX.install, INDEX.uninstall, INDEX.present,
                                                      INDEX.forget_erased, INDEX.listen)

#: revision 0009's index of the raw names (replaced by revision 0012; made and removed by those revisions only)
NAMES_INDEX = _external_content_index("client_name_fts", ("first_name", "last_name", "alias"), "client name")


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'  # one phrase: the word's letters in a row, nothing else


def matching_ids(bound: Typed, words, any_of=(), name: str = "match"):
    """The ids of the clients whose key holds every one of ``words`` and, when given, at least one of
    ``any_of`` (each three letters or more), in one FTS query: its AND is far cheaper than an IN per word.
    The query text is a parameter ``name`` of ``bound`` (:mod:`services.typed`)."""
    if isinstance(words, str):
        words = [words]
    query = " AND ".join(_phrase(word) for word in words)
    if any_of:
        alternatives = "(" + " OR ".join(_phrase(word) for word in any_of) + ")"
        query = f"{query} AND {alternatives}" if query else alternatives
    index = sa.table(TABLE, sa.column("rowid"))
    return sa.select(index.c.rowid).where(sa.literal_column(TABLE).op("MATCH")(bound.bind(name, query)))
