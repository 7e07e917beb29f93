"""SQLite's trigram index of the clients' search keys (services/name_index.py) finds what the keys
hold, follows every change of a name, and forgets erased names; on PostgreSQL the trigram index of
revision 0012 does that work and this index does not exist."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Client
from services import clients, name_index, privacy
from services.typed import Typed
from tests import factories
from tests.conftest import statements_run


def _found(db, text: str) -> set[int]:
    found = clients.lookup(db.session, text)
    return set(db.session.execute(sa.select(Client.id).where(found.condition), found.params).scalars())


@pytest.fixture()
def sqlite_index(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's name index (PostgreSQL searches through its own trigram index)")
    assert name_index.present(db.session)


def test_the_index_finds_a_word_anywhere_in_a_name_or_the_alias(db, sqlite_index):
    novak = factories.make_client(first_name="Jan", last_name="Novák")
    tran = factories.make_client(first_name="Thi Hoa", last_name="Tran")
    alias = factories.make_client(is_anonymous=True, first_name=None, last_name=None, alias="Babička z Kladna")
    db.session.commit()
    assert _found(db, "ovák") == {novak.id}
    assert _found(db, "NOVÁK") == _found(db, "novak") == {novak.id}  # case and diacritics ignored
    assert _found(db, "novák jan") == _found(db, "jan novák") == {novak.id}  # every word, in any order
    assert _found(db, "hoa tra") == {tran.id}
    assert _found(db, "kladn") == {alias.id}
    assert _found(db, "Jo") == set()  # two letters: read with LIKE
    assert _found(db, "Ja") == {novak.id}
    assert _found(db, 'Nov"ák') == {novak.id}  # a quote separates words, it is no FTS syntax
    statement = str(sa.select(Client.id).where(clients.lookup(db.session, "novák").condition).compile(db.engine))
    assert name_index.TABLE in statement and "LIKE" not in statement.split("OR", 1)[1]


def test_a_quote_in_a_word_is_part_of_the_phrase(db, sqlite_index):
    factories.make_client(first_name="Jan", last_name="Novák")
    db.session.commit()
    typed = Typed()
    statement = sa.select(sa.func.count()).select_from(name_index.matching_ids(typed, 'no" OR "vak').subquery())
    assert db.session.execute(statement, typed.params).scalar() == 0


def test_the_index_follows_renames_and_deletions(db, sqlite_index):
    person = factories.make_client(first_name="Olga", last_name="Petrenko")
    other = factories.make_client(first_name="Olga", last_name="Shevchenko")
    db.session.commit()
    person.last_name = "Kovalenko"
    db.session.commit()
    assert _found(db, "petrenko") == set()
    assert _found(db, "kovalenko") == {person.id}
    db.session.delete(db.session.get(Client, other.id))
    db.session.commit()
    assert _found(db, "olga") == {person.id}


def test_an_anonymised_name_is_not_found_and_the_index_is_rewritten(db, sqlite_index):
    person = factories.make_client(first_name="Zdeňka", last_name="Qwertyová")
    db.session.commit()
    assert _found(db, "qwerty") == {person.id}
    privacy.anonymise(db.session, person)
    db.session.commit()
    statements = statements_run(lambda: privacy.wipe_freed_space(db.session))
    assert _found(db, "qwerty") == set() and _found(db, "zdeňka") == set()
    assert any("'optimize'" in s and name_index.TABLE in s for s in statements)  # old segments merged away


def test_without_the_index_the_search_reads_the_keys(db, sqlite_index, monkeypatch):
    person = factories.make_client(first_name="Marta", last_name="Horáková")
    db.session.commit()
    monkeypatch.setattr(name_index, "present", lambda session: False)
    assert _found(db, "horák") == {person.id}
    assert name_index.TABLE not in str(sa.select(Client.id).where(clients.lookup(db.session, "horák").condition))


def test_every_word_and_any_of_others_in_one_index_query(db, sqlite_index):
    both = factories.make_client(first_name="Thị Hương", last_name="Nguyễn")
    factories.make_client(first_name="Văn Nam", last_name="Nguyễn")
    db.session.commit()
    def ids(words, any_of=()):
        typed = Typed()
        return set(db.session.execute(name_index.matching_ids(typed, words, any_of), typed.params).scalars())

    assert ids(["nguen", "huong"]) == {both.id}
    assert ids(["nguen"], ["huong", "lan"]) == {both.id} and len(ids(["nguen"])) == 2
    statement = str(sa.select(Client.id).where(clients.lookup(db.session, "nguyen huong").condition).compile(db.engine))
    assert statement.count(name_index.TABLE + " MATCH") == 1
