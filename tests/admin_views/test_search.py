"""The search boxes of the client, appointment, visit, intake and agreement lists: one lookup by the
client's code prefix, name words or phone digits (services.clients.lookup), counted in the
same pass as the page."""
from tests import factories


def _text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_client_list_finds_by_code_prefix_name_words_and_phone(client, db, login_as):
    login_as("worker")
    jan = factories.make_client(first_name="Jan", last_name="Novák", phone="+420 777 123 456")
    olena = factories.make_client(first_name="Olena", last_name="Kovalenko", phone="602 111 222")
    db.session.commit()
    assert jan.code in _text(client.get("/admin/client/?search=Novák+Jan"))
    assert olena.code not in _text(client.get("/admin/client/?search=Novák+Jan"))
    assert jan.code in _text(client.get("/admin/client/?search=777123"))
    assert olena.code not in _text(client.get("/admin/client/?search=777123"))
    page = _text(client.get(f"/admin/client/?search={olena.code}"))
    assert olena.code in page and jan.code not in page
    assert "(1)" in page  # the count of what was found, from the same query as the page


def test_a_search_with_nothing_found_and_a_page_past_the_end(client, db, login_as):
    login_as("worker")
    factories.make_client(last_name="Nguyen")
    db.session.commit()
    assert "Nguyen" not in _text(client.get("/admin/client/?search=Zzyzx"))
    assert client.get("/admin/client/?search=Nguyen&page=7").status_code == 200


def test_appointments_and_visits_are_found_by_their_clients_name(client, db, login_as):
    login_as("reception")
    tran = factories.make_client(first_name="Thi Hoa", last_name="Tran")
    other = factories.make_client(first_name="Ivan", last_name="Petrenko")
    mine = factories.make_appointment(client=tran)
    theirs = factories.make_appointment(client=other)
    visit = factories.make_visit(client=tran)
    db.session.commit()
    page = _text(client.get("/admin/appointment/?search=Tran"))
    assert f"id={mine.id}" in page and f"id={theirs.id}" not in page
    assert f"id={visit.id}" in _text(client.get("/admin/visit/?search=Hoa+Tran"))


def test_a_list_counts_up_to_the_cap_and_then_says_more_than(client, db, login_as, monkeypatch):
    from admin_views import base

    login_as("reception")
    for _ in range(5):
        factories.make_appointment()
    db.session.commit()
    assert "(5)" in _text(client.get("/admin/appointment/"))
    monkeypatch.setattr(base, "COUNT_CAP", 3)
    page = _text(client.get("/admin/appointment/"))
    assert "(více než 3)" in page and "(5)" not in page
    assert page.count('name="rowid"') == 5  # every row of the page is still there


def test_search_pages_follow_the_chosen_sort_and_count_every_row_found(client, db, login_as, monkeypatch):
    """The rows found are counted in a subquery and sorted and cut to the page outside it: a sort
    either way, page after page, shows each row found once, in order, with the count of them all."""
    import re
    from datetime import datetime, timedelta, timezone

    from admin_views.base import SecureModelView

    login_as("manager", "worker")
    namesakes = [factories.make_client(last_name="Horvátová") for _ in range(7)]
    factories.make_client(last_name="Someone Else")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    booked = [factories.make_appointment(client=namesakes[i % 7], starts_at=start + timedelta(hours=i * 5))
              for i in range(12)]
    factories.make_appointment(starts_at=start)  # someone else's
    db.session.commit()
    monkeypatch.setattr(SecureModelView, "page_size", 5)
    monkeypatch.setattr(SecureModelView, "page_size_options", (5,))

    def ids(url):
        return [int(i) for i in re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', _text(client.get(url)))]

    def every_page(url):
        return [row for page in range(4) for row in ids(f"{url}&page={page}")]

    search = "/admin/appointment/?search=Horv%C3%A1tov%C3%A1"
    newest_first = [a.id for a in sorted(booked, key=lambda a: (a.starts_at, a.id), reverse=True)]
    assert ids(search) == newest_first[:5]
    assert every_page(search) == newest_first
    assert "(12)" in _text(client.get(f"{search}&page=2"))
    assert every_page(f"{search}&sort=0") == newest_first[::-1]  # by start, ascending
    by_status_then_id = every_page(f"{search}&sort=6&desc=1")
    assert sorted(by_status_then_id) == sorted(newest_first) and len(set(by_status_then_id)) == 12
    found = [c.id for c in sorted(namesakes, key=lambda c: (c.created_at, c.id), reverse=True)]
    assert every_page("/admin/client/?search=Horv%C3%A1tov%C3%A1") == found
    assert "(7)" in _text(client.get("/admin/client/?search=Horv%C3%A1tov%C3%A1"))




def test_a_list_longer_than_the_cap_says_more_than_and_is_counted_with_its_rows(app, client, db, login_as, monkeypatch):
    """A list counts up to the cap in the statement that reads its rows, on every view (nothing about a
    list is remembered between requests): "more than N" past the cap, the exact number under it."""
    import sqlalchemy as sa

    from admin_views import base
    from extensions import db as ext_db
    from models import Appointment

    monkeypatch.setattr(base, "COUNT_CAP", 3)
    login_as("manager", "worker")
    rows = [factories.make_appointment() for _ in range(5)]
    db.session.commit()
    statements = []

    def page(url="/admin/appointment/"):
        statements.clear()
        text = _text(client.get(url))
        return text, [s for s in statements if "capped" in s]

    def grab(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = ext_db.engine
    sa.event.listen(engine, "before_cursor_execute", grab)
    try:
        for _ in range(2):
            text, counted = page()
            assert "(více než 3)" in text and text.count('name="rowid"') == 5
            assert len(counted) == 1 and counted[0].startswith("SELECT appointment.")  # with the rows
        for row in rows[:2]:
            db.session.delete(db.session.get(Appointment, row.id))
        db.session.commit()
        text, counted = page()
        assert "(3)" in text and len(counted) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", grab)
