"""The index of phone numbers' digits (services/phone_index.py): on SQLite an FTS5 trigram table
finds a run of digits whatever separators the number was written with, follows every change of the
numbers and forgets erased ones; on PostgreSQL the search writes the digits expression exactly as
revision 0010 indexes it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Client
from services import clients, phone_index, privacy
from services.typed import Typed
from tests import factories
from tests.conftest import statements_run


def _found(db, text: str) -> set[int]:
    found = clients.lookup(db.session, text)
    return set(db.session.execute(sa.select(Client.id).where(found.condition), found.params).scalars())


def _statement(db, text: str) -> str:
    return str(sa.select(Client.id).where(clients.lookup(db.session, text).condition)
               .compile(db.engine, compile_kwargs={"render_postcompile": True}))


@pytest.fixture()
def sqlite_index(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's phone index (PostgreSQL searches through its trigram index of revision 0010)")
    assert phone_index.present(db.session)


def test_digits_are_found_whatever_the_separators_on_either_engine(db):
    spaced = factories.make_client(phone="+420 777 123 456")
    dashed = factories.make_client(phone="(604) 11-22/33.4")
    factories.make_client(phone=None)
    db.session.commit()
    assert _found(db, "777123") == _found(db, "777 123") == _found(db, "+420777") == {spaced.id}
    assert _found(db, "6041122334") == _found(db, "604-112") == {dashed.id}
    assert _found(db, "456") == {spaced.id}
    assert _found(db, "7714") == set()  # these digits, but not in one run
    assert _found(db, "12") == set()  # too short to search by digits


def test_sqlite_finds_the_digits_through_the_index_and_follows_changes(db, sqlite_index):
    person = factories.make_client(phone="777 123 456")
    other = factories.make_client(phone="608 999 000")
    db.session.commit()
    assert phone_index.TABLE in _statement(db, "777123") and "replace" not in _statement(db, "777123")
    person.phone = "731 000 111"
    db.session.commit()
    assert _found(db, "777123") == set() and _found(db, "731000") == {person.id}
    person.phone = None
    db.session.commit()
    assert _found(db, "731000") == set()
    person.phone = "+420 731 555"
    db.session.commit()
    assert _found(db, "731555") == {person.id}
    db.session.delete(db.session.get(Client, other.id))
    db.session.commit()
    assert _found(db, "999000") == set()
    assert _found(db, "608999") == set() and _found(db, "777") == set()


def test_an_anonymised_number_is_not_found_and_the_index_is_rewritten(db, sqlite_index):
    person = factories.make_client(phone="+420 733 987 654")
    db.session.commit()
    assert _found(db, "733987") == {person.id}
    privacy.anonymise(db.session, person)
    db.session.commit()
    statements = statements_run(lambda: privacy.wipe_freed_space(db.session))
    assert _found(db, "733987") == set()
    assert any("'optimize'" in s and phone_index.TABLE in s for s in statements)  # old segments merged away


def test_without_the_index_the_search_reads_the_numbers(db, sqlite_index, monkeypatch):
    person = factories.make_client(phone="777 246 810")
    db.session.commit()
    monkeypatch.setattr(phone_index, "present", lambda session: False)
    assert _found(db, "246810") == {person.id}
    assert phone_index.TABLE not in _statement(db, "246810")


def test_the_search_writes_the_digits_as_postgresql_indexes_them(db):
    """The expression of revision 0010's index, inline, with the pattern inline too (a prepared
    statement's generic plan could not use the index for a LIKE of a parameter)."""
    from sqlalchemy.dialects import postgresql

    condition = clients.phone_digits_expression().like(sa.literal("%246810%", literal_execute=True))
    sql = str(sa.select(Client.id).where(condition).compile(dialect=postgresql.dialect(),
                                                           compile_kwargs={"render_postcompile": True}))
    # (the driver's paramstyle doubles a literal %)
    assert phone_index.digits_sql("client.phone") in sql and "246810%" in sql.split("LIKE", 1)[1]
    if db.engine.dialect.name == "postgresql":
        searched = _statement(db, "246810")
        # the typed digits are a bound value (psycopg's parse cache keeps no typed number: issue 18)
        assert phone_index.digits_sql("client.phone") in searched and "246810" not in searched


def test_only_digits_reach_the_index():
    with pytest.raises(ValueError):
        phone_index.matching_ids(Typed(), '12" OR 1')
