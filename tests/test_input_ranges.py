"""Out-of-range numbers and control characters from a request get a clear answer, never a 500.

PostgreSQL refuses a number beyond its column's type (every id is an INTEGER: ``integer out of
range``) and a NUL byte in text; SQLite stores both. Each of these was a 500 on PostgreSQL (run the
suite with TEST_DATABASE_URL to see the difference); on SQLite they must answer the same way.
"""
from __future__ import annotations

import pytest
from flask_admin.contrib.sqla import ModelView

from models import Agreement, AuditEvent, DataRequest, PublicOffice, Visit, Worker
from models.enums import AuditAction
from services import inputs
from tests import factories
from tests.conftest import PASSWORD, count_rows

#: beyond 64 bits, beyond 32 bits (every id column), just past the id columns' range
HUGE = ["99999999999999999999", str(2**40), str(2**31)]


def _model_views(app):
    return [view for view in app.extensions["admin"][0]._views if isinstance(view, ModelView)]


def test_the_helpers_accept_only_ids_in_range():
    assert inputs.to_id("42") == 42 and inputs.to_id(" 7 ") == 7 and inputs.to_id(2**31 - 1) == 2**31 - 1
    for bad in ("0", "-1", "1.5", "1e3", "abc", "", None, "٣", str(2**31), "99999999999999999999", True):
        assert inputs.to_id(bad) is None, bad
    assert inputs.clamp("99999999999999999999", 0, 100, 5) == 100 and inputs.clamp("x", 0, 100, 5) == 5
    assert inputs.has_control_characters("a\x00b") and inputs.has_control_characters("a\nb")
    assert not inputs.has_control_characters("a\nb\tc\r\n", multiline=True)
    assert inputs.has_control_characters("a\x1bb", multiline=True)


@pytest.mark.parametrize("number", HUGE)
def test_out_of_range_numbers_in_addresses_are_not_errors(app, client, db, login_as, number):
    me = login_as("reception", "worker", "manager", "admin")
    factories.make_client(worker=me)
    db.session.commit()
    urls = [
        f"/admin/calendar/?worker={number}",
        f"/admin/appointment/new/?client_id={number}",
        f"/admin/client/details/?id={number}", f"/admin/client/edit/?id={number}", f"/admin/client/case/?id={number}",
        f"/admin/client/case/meeting/?id={number}", f"/admin/client/export/?id={number}",
        f"/admin/client/anonymise/?ids={number}", f"/admin/appointment/details/?id={number}",
        f"/admin/client/?page={number}", f"/admin/client/?sort={number}", f"/admin/client/?page_size={number}",
        f"/admin/?worker={number}", f"/admin/client/case/?id=1&page={number}",
        f"/admin/reports/?period=year&year={number}&unit={number}", f"/admin/reports/statement/?year={number}",
        f"/admin/client/case/meeting/?id=1&appointment_id={number}",
    ]
    for endpoint, name in (("intake", "client"), ("agreement", "client"), ("task", "agreement"), ("appointment", "client"),
                           ("visit", "client"), ("data_request", "client")):
        urls.append(f"/admin/{endpoint}/ajax/lookup/?name={name}&query=a&offset={number}")
        urls.append(f"/admin/{endpoint}/ajax/lookup/?name={name}&query=a&limit={number}")
    for view in _model_views(app):  # every filter of every list, the id filters (flt0_0 of intake and audit) among them
        for index, _flt in enumerate(view._filters or ()):
            urls.append(f"/admin/{view.endpoint}/?flt0_{index}={number}")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url


@pytest.mark.parametrize("number", HUGE)
def test_out_of_range_ids_in_posted_forms_are_refused_clearly(app, client, db, login_as, number):
    me = login_as("reception", "worker", "manager", "admin")
    factories.make_client(worker=me)
    db.session.commit()
    before = count_rows(Visit), count_rows(Agreement), count_rows(DataRequest)
    for endpoint in ("visit", "agreement", "data_request", "appointment", "intake"):
        response = client.post(f"/admin/{endpoint}/new/", data={"client": number})
        assert response.status_code == 200, endpoint  # the form again, with its errors
    assert client.post("/admin/task/new/", data={"agreement": number}).status_code == 200
    assert (count_rows(Visit), count_rows(Agreement), count_rows(DataRequest)) == before
    assert client.post("/admin/lockouts/lift/", data={"worker_id": number}).status_code == 404
    assert client.post("/admin/calendar/status/", data={"appointment_id": number, "status": "no_show"}).status_code == 404
    assert client.post("/admin/calendar/walk-in/", data={"client_id": number}).status_code == 404
    assert client.post("/admin/client/action/", data={"action": "anonymise", "rowid": [number]}).status_code == 302


def test_a_number_too_large_for_its_column_is_a_message(client, db, login_as):
    me = login_as("worker")
    agreement = factories.make_agreement(client=factories.make_client(worker=me), worker=me)
    db.session.commit()
    response = client.post("/admin/task/new/", data={
        "agreement": agreement.id, "description": "Donést nájemní smlouvu", "responsible": "client", "status": "open",
        "position": str(2**40)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Číslo je příliš velké" in page and "Donést nájemní smlouvu" in page  # what was typed stays


def test_a_nul_byte_in_a_staff_email_or_an_office_code_is_a_message(client, db, login_as):
    login_as("admin")
    before = count_rows(Worker)
    response = client.post("/admin/worker/new/", data={
        "full_name": "Nová Kolegyně", "email": "nova\x00@test.example", "roles": "worker", "active": "y",
        "new_password": "tramvaj-kobliha-Vltava"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "řídicí znaky" in page and "Nová Kolegyně" in page
    assert count_rows(Worker) == before
    response = client.post("/admin/office/new/", data={"code": "of\x00x", "name_cs": "Úřad", "name_en": "Office", "active": "y"})
    assert response.status_code == 200 and "řídicí znaky" in response.get_data(as_text=True)
    assert count_rows(PublicOffice) == 0


def test_control_characters_in_text_fields_are_refused_but_line_breaks_in_notes_are_not(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    db.session.commit()
    response = client.post(f"/admin/client/edit/?id={person.id}", data={
        "status": "client", "first_name": "Ol\x1bena", "last_name": "Kovalenko", "citizenship": "UA"})
    assert response.status_code == 200 and "řídicí znaky" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.first_name == "Olena"
    visit = client.post("/admin/visit/new/", data={
        "occurred_at": factories.today_input(), "channel": "walk_in", "client": person.id, "worker": me.id,
        "summary": "První řádek\r\n\tdruhý řádek"})
    assert visit.status_code == 302
    assert db.session.query(Visit).one().summary.startswith("První řádek")


def test_control_characters_in_the_address_get_a_clear_page(client, db, login_as):
    login_as("reception", "worker", "manager")
    for url in ("/admin/client/?search=Nov%00ak", "/admin/audit/?search=a%00", "/admin/client/?flt0_2=a%00b",
                "/admin/appointment/?search=%1b"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "řídicí znaky" in response.get_data(as_text=True)


def test_a_nul_byte_at_sign_in_is_a_message(client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": worker.email + "\x00", "password": PASSWORD})
    assert response.status_code == 400 and "řídicí znaky" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not signed in
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.LOGIN) == 0
