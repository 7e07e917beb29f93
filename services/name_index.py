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

import logging
import weakref

import sqlalchemy as sa

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

#: engine → whether its database has the index (looked up once per engine)
_present: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def install(connection) -> bool:
    """Create the index and fill it from the client table (SQLite with FTS5's trigram tokenizer; on
    another engine, or without FTS5, nothing: the search then reads the names with LIKE)."""
    if connection.dialect.name != "sqlite":
        return False
    try:
        for statement in CREATE:
            connection.exec_driver_sql(statement)
    except sa.exc.OperationalError as error:  # an SQLite built without FTS5 or its trigram tokenizer
        logging.getLogger(__name__).warning("client name index not created (%s): the search reads the names", error)
        return False
    connection.exec_driver_sql(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    _present.pop(connection.engine, None)
    return True


def uninstall(connection) -> None:
    if connection.dialect.name == "sqlite":
        for statement in DROP:
            connection.exec_driver_sql(statement)
        _present.pop(connection.engine, None)


def present(session) -> bool:
    """Whether the database behind ``session`` has the index."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return False
    found = _present.get(engine)
    if found is None:
        found = _present[engine] = session.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": TABLE}
        ).scalar() is not None
    return found


def matching_ids(word: str):
    """The ids of the clients with ``word`` (three letters or more) in a name or the alias."""
    phrase = '"' + word.replace('"', '""') + '"'  # one phrase: the word's letters in a row, nothing else
    index = sa.table(TABLE, sa.column("rowid"))
    return sa.select(index.c.rowid).where(sa.literal_column(TABLE).op("MATCH")(sa.literal(phrase, sa.String)))


def forget_erased(session) -> None:
    """Rewrite the index so that no trigram of an erased name stays in its old segments (after an
    anonymisation, deletion or purge; part of :func:`services.privacy.wipe_freed_space`)."""
    if present(session):
        session.execute(sa.text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')"))


def _create_with_table(target, connection, **kw):
    install(connection)


def _drop_with_table(target, connection, **kw):
    uninstall(connection)


def listen(client_table: sa.Table) -> None:
    """``create_all`` and ``drop_all`` make and remove the index with the client table (once)."""
    if not sa.event.contains(client_table, "after_create", _create_with_table):
        sa.event.listen(client_table, "after_create", _create_with_table)
        sa.event.listen(client_table, "before_drop", _drop_with_table)
