"""SQLite's FTS5 search indexes of the client table (names: :mod:`services.name_index`, phone
numbers' digits: :mod:`services.phone_index`): made by a revision and by ``create_all``, looked up
once per engine, and rewritten after every erasure so that no erased value stays in old segments."""
from __future__ import annotations

import logging
import weakref

import sqlalchemy as sa


class FtsIndex:
    """One FTS5 table kept in step with the client table by triggers (SQLite only)."""

    def __init__(self, table: str, create: list[str], drop: list[str], fill: str | None, what: str):
        self.table = table  #: the FTS5 table's name
        self.create = create  #: the table and its triggers, each ``IF NOT EXISTS``
        self.drop = drop
        self.fill = fill  #: the statement that fills a new table (None: FTS5's own 'rebuild' of its content table)
        self.what = what  #: what it indexes, for the warning where SQLite lacks FTS5
        #: engine → whether its database has the index
        self._present: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _exists(self, connection) -> bool:
        return connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (self.table,)).scalar() is not None

    def install(self, connection) -> bool:
        """Create the index and fill it from the client table (SQLite with FTS5's trigram tokenizer;
        on another engine, or without FTS5, nothing: the search then reads the table with LIKE)."""
        if connection.dialect.name != "sqlite":
            return False
        existed = self._exists(connection)
        try:
            for statement in self.create:
                connection.exec_driver_sql(statement)
        except sa.exc.OperationalError as error:  # an SQLite built without FTS5 or its trigram tokenizer
            logging.getLogger(__name__).warning("%s index not created (%s): the search reads the table", self.what, error)
            return False
        if self.fill is None:
            connection.exec_driver_sql(f"INSERT INTO {self.table}({self.table}) VALUES ('rebuild')")
        elif not existed:  # a contentless table cannot rebuild itself: filled once, when made
            connection.exec_driver_sql(self.fill)
        self._present.pop(connection.engine, None)
        return True

    def uninstall(self, connection) -> None:
        if connection.dialect.name == "sqlite":
            for statement in self.drop:
                connection.exec_driver_sql(statement)
            self._present.pop(connection.engine, None)

    def present(self, session) -> bool:
        """Whether the database behind ``session`` has the index."""
        engine = session.get_bind()
        if engine.dialect.name != "sqlite":
            return False
        found = self._present.get(engine)
        if found is None:
            found = self._present[engine] = session.execute(
                sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": self.table}
            ).scalar() is not None
        return found

    def forget_erased(self, session) -> None:
        """Rewrite the index (FTS5 'optimize' merges its segments into one) so that no trigram of an
        erased value stays in old segments: after an anonymisation, deletion or purge."""
        if self.present(session):
            session.execute(sa.text(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')"))

    def listen(self, client_table: sa.Table) -> None:
        """``create_all`` and ``drop_all`` make and remove the index with the client table (once)."""
        if not sa.event.contains(client_table, "after_create", self._create_with_table):
            sa.event.listen(client_table, "after_create", self._create_with_table)
            sa.event.listen(client_table, "before_drop", self._drop_with_table)

    def _create_with_table(self, target, connection, **kw):
        self.install(connection)

    def _drop_with_table(self, target, connection, **kw):
        self.uninstall(connection)
