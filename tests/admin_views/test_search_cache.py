"""Searches keep the engine's statement cache: two searches of the same shape with other words run the
very same compiled statements (the typed text is bound at execution: services/typed.py), so a search
is not compiled afresh for each request — while the cache keeps none of the text
(tests/admin_views/test_nothing_kept.py)."""
from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from admin_views.base import SecureModelView
from models import Client
from services import clients
from tests import factories


@contextlib.contextmanager
def compiled_statements(engine):
    """The compiled statement of every statement run meanwhile (SQLAlchemy's execution context of the
    public ``before_cursor_execute`` event), in order."""
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(context.compiled)

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture()
def people(db):
    worker = factories.make_worker(full_name="Petra Svobodová")
    for first, last, phone in (("Olena", "Kovalenko", "+420 777 123 456"), ("Taras", "Petrenko", "+420 608 555 111"),
                               ("Oksana", "Ševčenko", "+420 602 999 000"), ("Ivan", "Melnyk", None)):
        factories.make_client(worker=worker, first_name=first, last_name=last, phone=phone, birth_year=1980,
                              citizenship="UA")
    db.session.commit()


def _same_statements(db, run, first, second) -> None:
    """``run(first)`` and ``run(second)`` found something and ran the same statements, compiled once."""
    run(first)  # the first of its shape compiles
    with compiled_statements(db.engine) as once:
        assert run(first)
    with compiled_statements(db.engine) as again:
        assert run(second)
    assert once and len(once) == len(again)
    assert all(a is b for a, b in zip(once, again)), (first, second)


@pytest.mark.parametrize(("role", "first", "second"), [
    ("manager", "/admin/client/?search=kovalenko", "/admin/client/?search=petrenko"),  # a name
    ("manager", "/admin/client/?search=olena+kovalenko", "/admin/client/?search=taras+petrenko"),  # two words
    ("manager", "/admin/client/?search=ko", "/admin/client/?search=pe"),  # a short word
    ("manager", "/admin/client/?search=777123", "/admin/client/?search=608555"),  # phone digits
    ("manager", "/admin/appointment/?search=kovalenko", "/admin/appointment/?search=petrenko"),  # through the client
    ("reception", "/admin/?q=olena+kovalenko", "/admin/?q=taras+petrenko"),  # the desk
    ("manager", "/admin/appointment/ajax/lookup/?name=client&query=kovalenko",
     "/admin/appointment/ajax/lookup/?name=client&query=petrenko"),  # a form's client lookup
    ("manager", "/admin/audit/?search=x1", "/admin/audit/?search=x2"),  # Flask-Admin's search over columns
])
def test_a_search_of_the_same_shape_is_not_compiled_again(client, db, login_as, people, role, first, second):
    login_as(*(("manager", "worker") if role == "manager" else (role,)))

    def run(url):
        response = client.get(url)
        assert response.status_code == 200, url
        return True

    _same_statements(db, run, first, second)


def test_a_filter_of_the_same_shape_is_not_compiled_again(client, db, login_as, people):
    login_as("manager", "worker")
    views = {view.endpoint: view for view in client.application.extensions["admin"][0]._views}
    like = next(i for i, f in enumerate(views["client"]._filters)
                if getattr(f.column, "key", "") == "district" and type(f).__name__ == "FilterLike")
    day = next(i for i, f in enumerate(views["client"]._filters) if getattr(f.column, "key", "") == "created_at")

    def run(url):
        assert client.get(url).status_code == 200, url
        return True

    _same_statements(db, run, f"/admin/client/?flt0_{like}=praha", f"/admin/client/?flt0_{like}=brno")
    _same_statements(db, run, f"/admin/client/?flt0_{day}=2025-03-03", f"/admin/client/?flt0_{day}=2024-12-31")
    _same_statements(db, run, f"/admin/client/?flt0_{like}=praha&search=kovalenko",
                     f"/admin/client/?flt0_{like}=brno&search=petrenko")


def test_a_client_code_searched_compiles_once(client, db, login_as, people):
    login_as("manager", "worker")
    codes = sorted(db.session.execute(sa.select(Client.code)).scalars())

    def run(code):
        response = client.get(f"/admin/client/?search={code}")
        assert response.status_code == 200 and code in response.get_data(as_text=True)
        return True

    _same_statements(db, run, codes[0], codes[1])


def test_the_duplicates_check_compiles_once(db, people):
    user = factories.make_worker(roles=["reception"])
    db.session.commit()

    def run(name):
        first, last = name.split()
        found = clients.possible_duplicates(db.session, Client(first_name=first, last_name=last, birth_year=1980), user)
        return [person.name for person in found] == [name]

    _same_statements(db, run, "Olena Kovalenko", "Taras Petrenko")


def test_every_list_search_binds_what_was_typed(app, db):
    """No screen's search falls back to Flask-Admin's own, which writes the typed terms into the statement."""
    views = [view for view in app.extensions["admin"][0]._views if isinstance(view, SecureModelView)
             and view.column_searchable_list]
    assert len(views) >= 8
    with app.test_request_context("/admin/"):
        for view in views:
            found = view.search_condition("some words")
            assert found is not NotImplemented, view.endpoint
            condition, _order, params = found
            assert params and all(name.startswith("typed_") for name in params), view.endpoint
