"""The appointment book shows reception time, worker, client code and name, place and status."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tests import factories

WHEN = datetime(2030, 3, 5, 9, 0, tzinfo=timezone.utc)  # the week 2030-W10


def _book(db):
    worker = factories.make_worker(full_name="Jana Pracovnice")
    named = factories.make_client(worker=worker, first_name="Olena", last_name="Kovalenko")
    alias = factories.make_client(worker=worker, first_name=None, last_name=None, alias="Paní z Kyjeva", is_anonymous=True)
    anonymous = factories.make_client(worker=worker, first_name=None, last_name=None, is_anonymous=True)
    gone = factories.make_client(worker=worker, first_name="Smazaná", last_name="Osoba")
    for i, person in enumerate((named, alias, anonymous, gone)):
        factories.make_appointment(client=person, worker=worker, starts_at=WHEN + timedelta(hours=i))
    gone.first_name, gone.last_name, gone.anonymised_at = None, None, WHEN  # anonymised after its booking
    db.session.commit()
    return named, alias, anonymous, gone


def _row_of(page, code):
    """The list row (or calendar card) that shows ``code``."""
    start = page.index(code)
    return page[start:start + 400]


def test_the_appointment_list_and_calendar_show_code_and_name(client, db, login_as):
    login_as("reception")
    named, alias, anonymous, gone = _book(db)
    for url in ("/admin/appointment/", "/admin/calendar/?week=2030-W10"):
        page = client.get(url).get_data(as_text=True)
        assert "Olena Kovalenko" in _row_of(page, named.code), url
        assert "Paní z Kyjeva" in _row_of(page, alias.code), url
        assert "Jana Pracovnice" in page, url
        assert anonymous.code in page and gone.code in page, url
        assert "Smazaná" not in page, url


def test_the_names_cost_no_query_per_row(client, db, login_as, app):
    login_as("reception")
    _book(db)
    counts = {}

    def count(*args, **kwargs):
        counts["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        measured = []
        for _round in range(2):
            for url in ("/admin/appointment/", "/admin/calendar/?week=2030-W10"):
                counts["n"] = 0
                assert client.get(url).status_code == 200
                measured.append(counts["n"])
            worker = factories.make_worker()
            for i in range(12):  # many more rows, each with another client
                factories.make_appointment(worker=worker, starts_at=WHEN + timedelta(days=1, hours=i))
            db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert measured[:2] == measured[2:]
