"""Buttons only where they work (issue 19): a list offers Delete on the rows the access policy lets the person
delete, and every row action has its words (tooltip and screen-reader text), not a bare icon."""
from __future__ import annotations

import re

from tests import factories
from tests.conftest import statements_run


def _delete_forms(page: str) -> list[str]:
    """The ids of the rows whose Delete button the page shows."""
    return re.findall(r'action="/admin/appointment/delete/">\s*<input name="id" type="hidden" value="(\d+)"', page)


def test_reception_and_a_pure_manager_see_no_delete_on_appointments(client, db, login_as):
    worker = factories.make_worker()
    for _ in range(3):
        factories.make_appointment(client=factories.make_client(worker=worker), worker=worker)
    db.session.commit()
    login_as("reception")
    page = client.get("/admin/appointment/").get_data(as_text=True)
    assert "fa-trash" not in page and not _delete_forms(page)
    client.get("/logout")
    login_as("manager")
    page = client.get("/admin/appointment/").get_data(as_text=True)
    assert page.count("fa-pencil") >= 3 or page.count("fa-eye") >= 3  # the rows are listed
    assert not _delete_forms(page)


def test_a_worker_sees_delete_only_on_their_own_clients_appointments(client, db, login_as):
    me = login_as("worker", "manager")  # a manager who is also a social worker sees every row
    colleague = factories.make_worker()
    mine = [factories.make_appointment(client=factories.make_client(worker=me), worker=me) for _ in range(2)]
    theirs = factories.make_appointment(client=factories.make_client(worker=colleague), worker=colleague)
    db.session.commit()
    page = client.get("/admin/appointment/").get_data(as_text=True)
    assert sorted(_delete_forms(page)) == sorted(str(a.id) for a in mine)
    assert str(theirs.id) in page  # listed, without Delete
    # every row's delete form without ids of its own (they would repeat on the page)
    assert all(page.count(f'id="{name}"') <= 1 for name in ("id", "url", "csrf_token"))  # the page's one action form
    # the row actions have words: a tooltip and text for screen readers
    assert re.search(r'title="Smazat záznam">\s*<span class="fa fa-trash[^"]*" aria-hidden="true"></span>'
                     r'<span class="sr-only">Smazat záznam</span>', page)


def test_the_delete_buttons_cost_no_query_of_their_own(client, db, login_as):
    """Whether the worker holds each row's client comes with the page's rows, in its one statement,
    on a plain page and on a search."""
    me = login_as("worker")
    colleague = factories.make_worker()
    mine = factories.make_appointment(client=factories.make_client(worker=me, last_name="Dovbenko"), worker=me)
    theirs = factories.make_appointment(client=factories.make_client(worker=colleague, last_name="Dovbenko"),
                                        worker=colleague)
    db.session.commit()
    for url in ("/admin/appointment/", "/admin/appointment/?search=Dovbenko"):
        pages = []
        statements = statements_run(lambda: pages.append(client.get(url).get_data(as_text=True)))
        assert _delete_forms(pages[0]) == [str(mine.id)] and str(theirs.id) in pages[0], url
        asking = [s for s in statements if "held_client" in s]
        assert len(asking) == 1 and "FROM appointment" in asking[0], url  # the page's own statement


def test_the_delete_buttons_cost_one_query_per_page(client, db, login_as):
    me = login_as("worker")
    for _ in range(3):
        factories.make_appointment(client=factories.make_client(worker=me), worker=me)
    db.session.commit()
    few = len(statements_run(lambda: client.get("/admin/appointment/")))
    for _ in range(12):
        factories.make_appointment(client=factories.make_client(worker=me), worker=me)
    db.session.commit()
    many = len(statements_run(lambda: client.get("/admin/appointment/")))
    assert many == few

