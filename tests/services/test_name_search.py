"""Names as reception hears them (services/name_search.py, services.clients.lookup): a table of what
is stored and what is typed, found or not, on the database in use (SQLite or PostgreSQL), the ranking,
and the upkeep of the search key (personal data: erased wherever the names are)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from models import Client
from models.enums import ClientStatus, Role
from services import clients, name_search, privacy, retention
from tests import factories

#: (stored first name, stored last name, typed): the typed text must find the stored person
MATCH = [
    # case and diacritics, both ways
    ("Thị", "Hương", "huong"), ("Thi", "Huong", "Hương"), ("Văn", "Nguyễn", "nguyen"), ("Van", "Nguyen", "Nguyễn"),
    ("Minh", "Đặng", "dang"), ("Minh", "Dang", "Đặng"), ("Ivan", "Kuzněcov", "kuznecov"), ("Ivan", "Kuznecov", "Kuzněcov"),
    ("Olena", "Kovalenko", "KOVALENKO"), ("Zdeňka", "Horáková", "horakova"),
    # Cyrillic ↔ Latin: Czech transcription, passport romanisation, plain typing
    ("Тарас", "Шевченко", "shevchenko"), ("Тарас", "Шевченко", "Ševčenko"), ("Тарас", "Шевченко", "sevcenko"),
    ("Taras", "Ševčenko", "Шевченко"), ("Taras", "Ševčenko", "shevchenko"), ("Taras", "Shevchenko", "sevcenko"),
    ("Іван", "Кузнецов", "kuznetsov"), ("Ivan", "Kuznetsov", "Kuzněcov"), ("Ivan", "Kuzněcov", "Кузнецов"),
    ("Олександр", "Бондаренко", "Olexandr"), ("Olexandr", "Bondarenko", "Oleksandr"), ("Oleksandr", "Bondarenko", "Олександр"),
    ("Юлія", "Мельник", "Julija"), ("Julija", "Melnyk", "Yuliia"), ("Yuliia", "Melnyk", "Юлія"), ("Юлия", "Мельник", "yulia"),
    ("Тетяна", "Ткаченко", "Tetjana Tkačenko"), ("Tetiana", "Tkachenko", "tetjana tkacenko"),
    ("Сергій", "Бойко", "Serhij Bojko"), ("Serhii", "Boyko", "Сергій Бойко"),
    ("Євген", "Мороз", "Jevhen"), ("Yevhen", "Moroz", "Євген"),
    ("Марʼяна", "Зеленська", "Marjana Zelenska"), ("Mariana", "Zelenska", "Мар'яна"),
    ("Володимир", "Хмельницький", "Volodymyr Khmelnytskyi"), ("Volodymyr", "Chmelnyckyj", "Хмельницький"),
    ("Ганна", "Щербина", "Hanna Shcherbyna"), ("Hanna", "Ščerbyna", "Щербина"),
    ("Їжак", "Ґудзь", "Jižak"),  # ї, ґ (Ukrainian)
    # Russian: ё, ы, э, ъ, щ, х, е after a vowel, soft sign before a vowel
    ("Пётр", "Крылов", "Pjotr Krylov"), ("Pyotr", "Krylov", "Пётр"), ("Эдуард", "Объедков", "Eduard Objedkov"),
    ("Михаил", "Андреев", "Michail Andrejev"), ("Mikhail", "Andreyev", "Михаил Андреев"), ("Дарья", "Афанасьева", "Darja"),
    ("Daria", "Afanasyeva", "Дарья Афанасьева"), ("Елена", "Смирнова", "Jelena"), ("Yelena", "Smirnova", "Елена"),
    ("Ольга", "Попова", "Olga"), ("Olha", "Popova", "Ольга"),
    # Belarusian ў, і
    ("Алена", "Кавалёў", "Kavalioŭ"), ("Alena", "Kavaliou", "Кавалёў"), ("Таццяна", "Навумчык", "Tacciana Navumčyk"),
    ("Аляксандр", "Лукашэнка", "Aliaksandr Lukashenka"),
    # Mongolian ө, ү
    ("Төмөр", "Батбаяр", "Tömör Batbayar"), ("Tömör", "Batbajar", "Төмөр"), ("Сүхбаатар", "Дорж", "Suchbaatar"),
    # the words in any order, part of a word, a hyphen
    ("Thị Hương", "Nguyễn", "nguyen huong"), ("Hương", "Nguyễn Thị", "huong nguyen thi"), ("Taras", "Ševčenko", "shevch"),
    ("Fatima", "Al-Hassan", "hassan fatima"),
]
#: (stored first name, stored last name, typed): the typed text must not find the stored person
NO_MATCH = [
    ("Petr", "Ševčík", "shevchenko"), ("Taras", "Ševčenko", "sevcik"), ("Ivan", "Kuzmin", "kuznecov"),
    ("Thị", "Hoàng", "huong"), ("Minh", "Dung", "dang"), ("Thanh", "Trần", "thang"), ("Alena", "Nováková", "olena"),
    ("Julie", "Dvořáková", "julija"), ("Michal", "Novák", "mikhail"), ("Taras", "Shevchenko", "taras kovalenko"),
    ("Olena", "Kovalenko", "Ivan"),
]


def _found(db, text) -> list[int]:
    desk = factories.make_worker(roles=[Role.RECEPTION])
    return [c.id for c in clients.search(db.session, text, desk, limit=50)]


@pytest.mark.parametrize(("first", "last", "typed"), MATCH)
def test_a_name_is_found_whatever_the_spelling(db, first, last, typed):
    person = factories.make_client(first_name=first, last_name=last, status=ClientStatus.INTERESTED)
    factories.make_client(first_name="Jana", last_name="Dvořáková", status=ClientStatus.INTERESTED)  # someone else
    db.session.commit()
    assert _found(db, typed) == [person.id]


@pytest.mark.parametrize(("first", "last", "typed"), NO_MATCH)
def test_a_different_name_is_not_found(db, first, last, typed):
    factories.make_client(first_name=first, last_name=last, status=ClientStatus.INTERESTED)
    db.session.commit()
    assert _found(db, typed) == []


def test_the_best_match_comes_first(db):
    inside = factories.make_client(first_name="Oksana", last_name="Ševčenková")  # ``sevcenko`` inside a word
    longer = factories.make_client(first_name="Taras Petro", last_name="Ševčenko Kovalenko")  # whole words, more of them
    exact = factories.make_client(first_name="Taras", last_name="Ševčenko")
    starts = factories.make_client(first_name="Tarasa", last_name="Ševčenková")  # both words start ones
    db.session.commit()
    assert _found(db, "taras shevchenko") == [exact.id, longer.id, starts.id]
    assert _found(db, "shevchenko")[:2] == [exact.id, longer.id] and set(_found(db, "shevchenko")) == {
        inside.id, longer.id, exact.id, starts.id}


def test_phone_digits_and_codes_are_found_as_before(db):
    person = factories.make_client(first_name="Olena", last_name="Kovalenko", phone="+420 601 222 333")
    db.session.commit()
    assert _found(db, "601 222") == [person.id] and _found(db, "123") == []
    assert _found(db, person.code) == [person.id] and _found(db, person.code[:7]) == [person.id]


@pytest.mark.parametrize(("stored", "typed"), [
    ("Ševčenko", "Shevchenko"), ("Шевченко", "sevcenko"), ("Kuzněcov", "Kuznetsov"), ("Кузнецов", "kuznecov"),
    ("Olexandr", "Олександр"), ("Julija", "Yuliia"), ("Hương", "huong"), ("Nguyễn", "nguyen"), ("Đặng", "dang"),
    ("Зеленський", "Zelenskyj"), ("Zelensky", "Zelenskyi"), ("Україна", "Ukrajina"), ("Ілля", "Illja"),
])
def test_the_skeletons_meet(stored, typed):
    assert name_search.skeleton(stored) == name_search.skeleton(typed)


def test_the_skeleton_of_odd_input():
    assert name_search.skeleton_words(None) == [] and name_search.skeleton_words("  ,;- ") == []
    assert name_search.skeleton_words("O'Brien  Al-Hassan") == ["obrien", "al", "hasan"]
    assert name_search.skeleton_words("محمد") == ["محمد"]  # a script without a transliteration: itself, case folded
    assert name_search.skeleton("Jo") == "io"  # two letters keep their i (not "o", which would find everybody)
    assert len(name_search.client_key("a" * 100, " ".join(["Щщщщ"] * 50), "x" * 100)) <= name_search.KEY_LENGTH


# --- the key: kept in step with the names, erased with them ---------------------------------------

def _key(db, client_id):
    return db.session.execute(sa.select(Client.search_key).where(Client.id == client_id)).scalar()


def test_the_key_follows_every_change_of_a_name(db):
    person = factories.make_client(first_name="Taras", last_name="Ševčenko", alias=None)
    db.session.commit()
    assert _key(db, person.id) == "taras sevcenko"
    person.last_name = "Шевченко-Бондаренко"
    person.alias = "Taras z Kladna"
    db.session.commit()
    assert _key(db, person.id) == "taras sevcenko bondarenko z kladna"
    person.first_name = person.last_name = None
    person.alias = None
    db.session.commit()
    assert _key(db, person.id) is None
    anonymous = factories.make_client(is_anonymous=True, first_name=None, last_name=None, alias="Babička")
    db.session.commit()
    assert _key(db, anonymous.id) == "babicka"


def test_anonymisation_and_deletion_erase_the_key(db):
    person = factories.make_client(first_name="Taras", last_name="Ševčenko")
    other = factories.make_client(first_name="Olena", last_name="Bondarenko")
    db.session.commit()
    privacy.anonymise(db.session, person)
    db.session.commit()
    assert _key(db, person.id) is None and _found(db, "sevcenko") == []
    privacy.delete_client(db.session, other)
    db.session.commit()
    assert _found(db, "bondarenko") == []


def test_the_retention_purge_erases_the_key(db):
    old = factories.make_client(first_name="Taras", last_name="Ševčenko", status=ClientStatus.INTERESTED,
                                created_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
    db.session.commit()
    retention.purge(db.session, date(2026, 6, 15), 3)
    assert _key(db, old.id) is None and _found(db, "shevchenko") == []
