"""Two people of one name told apart (issue 19): the desk's results, the client lookups of the forms and the
client list show the year of birth, the citizenship and the phone's last digits, never the whole number."""
from __future__ import annotations

import json

from tests import factories


def _melnyks():
    worker = factories.make_worker()
    one = factories.make_client(worker=worker, first_name="Oleksandr", last_name="Melnyk", birth_year=1985,
                                citizenship="UA", phone="+420 777 123 456")
    other = factories.make_client(worker=worker, first_name="Oleksandr", last_name="Melnyk", birth_year=1992,
                                  citizenship="MD", phone="+420 608 987 321")
    return worker, one, other


def test_the_desk_tells_namesakes_apart_without_showing_the_number(client, db, login_as):
    login_as("reception")
    _melnyks()
    db.session.commit()
    page = client.get("/admin/?q=Melnyk").get_data(as_text=True)
    assert "nar. 1985 · Ukrajina · tel. …456" in page
    assert "nar. 1992 · Moldavsko · tel. …321" in page
    assert "777 123 456" not in page and "987 321" not in page


def test_the_client_lookup_of_a_form_tells_namesakes_apart(client, db, login_as):
    worker = login_as("worker")
    _w, one, other = _melnyks()
    one.worker, other.worker = worker, worker
    db.session.commit()
    found = json.loads(client.get("/admin/appointment/ajax/lookup/?name=client&query=Melnyk").get_data(as_text=True))
    labels = sorted(label for _id, label in found)
    assert labels == sorted([f"{one.code} Oleksandr Melnyk (nar. 1985 · Ukrajina · tel. …456)",
                             f"{other.code} Oleksandr Melnyk (nar. 1992 · Moldavsko · tel. …321)"])
    with client.session_transaction() as session:
        session["locale"] = "en"
    found = json.loads(client.get("/admin/visit/ajax/lookup/?name=client&query=Melnyk").get_data(as_text=True))
    assert f"{one.code} Oleksandr Melnyk (born 1985 · Ukraine · phone …456)" in [label for _id, label in found]


def test_the_client_list_shows_only_the_last_digits_of_a_phone(client, db, login_as):
    login_as("reception")
    _melnyks()
    db.session.commit()
    page = client.get("/admin/client/").get_data(as_text=True)
    assert "…456" in page and "777 123 456" not in page
