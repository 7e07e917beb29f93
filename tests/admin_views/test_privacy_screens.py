"""The privacy screens: export, anonymisation and deletion with confirmation, data requests, retention."""
from datetime import date, datetime, timezone

from models import AuditEvent, Client, DataRequest, Visit
from models.enums import AuditAction
from tests import factories
from tests.conftest import count_rows


def _text(response):
    return response.get_data(as_text=True)


def test_manager_exports_a_record_as_json_and_html(client, db, login_as):
    me = login_as("manager")
    person = factories.make_client(last_name="Exportovaná")
    factories.make_appointment(client=person, notes="Poznámka k exportu")
    db.session.commit()
    page = client.get(f"/admin/client/export/?id={person.id}")
    assert page.status_code == 200 and 'name="format"' in _text(page)
    response = client.post(f"/admin/client/export/?id={person.id}", data={"format": "json", "lang": "cs"})
    assert response.mimetype == "application/json"
    assert response.get_json()["client"]["last_name"] == "Exportovaná"
    assert "Poznámka k exportu" in _text(response)
    html = client.post(f"/admin/client/export/?id={person.id}", data={"format": "html", "lang": "en"})
    assert html.mimetype == "text/html" and '<html lang="en">' in _text(html)
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).order_by(AuditEvent.id).all()
    assert [(e.actor_id, e.client_code, e.details["format"]) for e in events] == [(me.id, person.code, "json"), (me.id, person.code, "html")]


def test_export_action_needs_exactly_one_client(client, db, login_as):
    login_as("manager")
    a, b = factories.make_client(), factories.make_client()
    db.session.commit()
    one = client.post("/admin/client/action/", data={"action": "export", "rowid": [a.id]})
    assert one.headers["Location"].endswith(f"/admin/client/export/?id={a.id}")
    two = client.post("/admin/client/action/", data={"action": "export", "rowid": [a.id, b.id]})
    assert two.headers["Location"].endswith("/admin/client/")


def test_anonymise_through_the_confirmation_page(client, db, login_as):
    login_as("manager")
    person = factories.make_client(last_name="Smazatelná", phone="+420 777 000 999")
    held = factories.make_client(legal_hold=True, legal_hold_reason="Řízení")
    factories.make_visit(client=person, summary="Shrnutí návštěvy")
    db.session.commit()
    redirect = client.post("/admin/client/action/", data={"action": "anonymise", "rowid": [person.id, held.id]})
    confirm_url = redirect.headers["Location"]
    page = _text(client.get(confirm_url))
    assert person.code in page and held.code in page and "Shrnutí návštěvy" not in page
    assert "I understand" in page or "nelze vrátit" in page.lower() or 'name="confirm"' in page
    ids = f"{person.id},{held.id}"
    unconfirmed = client.post(confirm_url, data={"ids": ids})
    assert unconfirmed.status_code == 200
    db.session.refresh(person)
    assert person.anonymised_at is None
    done = client.post(confirm_url, data={"ids": ids, "confirm": "y"})
    assert done.status_code == 302
    db.session.refresh(person)
    db.session.refresh(held)
    assert person.anonymised_at is not None and person.last_name is None
    assert held.anonymised_at is None
    assert db.session.query(Visit).filter_by(client_id=person.id).one().summary is None
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.ANONYMISE) == 1


def test_workers_cannot_anonymise_export_or_delete_even_by_post(client, db, login_as):
    me = login_as("worker")
    mine = factories.make_client(worker=me)
    db.session.commit()
    assert client.post(f"/admin/client/anonymise/?ids={mine.id}", data={"ids": str(mine.id), "confirm": "y"}).status_code == 403
    assert client.post(f"/admin/client/export/?id={mine.id}", data={"format": "json", "lang": "cs"}).status_code == 403
    assert client.post(f"/admin/client/delete-record/?id={mine.id}", data={"ids": str(mine.id), "confirm": "y"}).status_code == 403
    denied = count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED)
    for name in ("anonymise", "export"):  # the list's actions: refused and audited, not a silent redirect
        assert client.post("/admin/client/action/", data={"action": name, "rowid": [mine.id]}).status_code == 403
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED).order_by(AuditEvent.id).all()[denied:]
    assert [(e.actor_id, e.entity, e.details["action"]) for e in events][-2:] == [
        (me.id, "client", "anonymise"), (me.id, "client", "export")]
    db.session.refresh(mine)
    assert mine.anonymised_at is None


def test_delete_a_record_after_confirmation(client, db, login_as):
    login_as("manager")
    person = factories.make_client()
    code = person.code
    factories.make_agreement(client=person)
    db.session.commit()
    page = _text(client.get(f"/admin/client/delete-record/?id={person.id}"))
    assert code in page
    client.post(f"/admin/client/delete-record/?id={person.id}", data={"ids": str(person.id)})
    assert count_rows(Client) == 1
    response = client.post(f"/admin/client/delete-record/?id={person.id}", data={"ids": str(person.id), "confirm": "y"})
    assert response.status_code == 302
    assert count_rows(Client) == 0
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.DELETE, client_code=code).count() == 1


def test_data_request_register_and_the_managers_dashboard(client, db, login_as):
    login_as("manager")
    person = factories.make_client()
    db.session.commit()
    response = client.post("/admin/data_request/new/", data={
        "client": person.id, "type": "erasure", "received_on": "2026-01-05", "channel": "letter", "status": "open",
    })
    assert response.status_code == 302, _text(response)
    request = db.session.query(DataRequest).one()
    assert request.due_on == date(2026, 2, 5) and request.client_code == person.code
    page = _text(client.get("/admin/"))
    assert person.code in page and "overdue" in page or "po termínu" in page


def test_retention_page_previews_then_purges_with_confirmation(client, db, login_as):
    login_as("manager")
    old = factories.make_client(created_at=datetime(2019, 1, 1, tzinfo=timezone.utc))
    factories.make_visit(client=old, occurred_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    db.session.commit()
    page = _text(client.get("/admin/retention/?as_of=2026-06-15"))
    assert old.code in page
    assert _text(client.get("/admin/retention/?as_of=not-a-date")).count("YYYY-MM-DD") >= 1
    client.post("/admin/retention/", data={"as_of": "2026-06-15"})
    db.session.refresh(old)
    assert old.anonymised_at is None
    response = client.post("/admin/retention/", data={"as_of": "2026-06-15", "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(old)
    assert old.anonymised_at is not None
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.PURGE) == 2  # its one batch, and the run


def test_the_due_date_of_a_data_request_is_optional_in_the_browser_too(client, db, login_as):
    """Issue 19: the form does not make the browser require the due date; empty is one month after receipt."""
    import re

    login_as("manager")
    person = factories.make_client()
    db.session.commit()
    form = _text(client.get("/admin/data_request/new/"))
    due = re.search(r'<input[^>]*name="due_on"[^>]*>', form).group(0)
    assert "required" not in due
    label = re.search(r'<label[^>]*for="due_on"[^>]*>.*?</label>', form, flags=re.S).group(0)
    assert "*" not in label and "required" not in label  # nor marked required next to its label
    assert "required" in re.search(r'<input[^>]*name="received_on"[^>]*>', form).group(0)
    response = client.post("/admin/data_request/new/", data={
        "client": person.id, "type": "access", "received_on": "2026-01-31", "channel": "email", "status": "open",
        "due_on": ""})
    assert response.status_code == 302, _text(response)
    assert db.session.query(DataRequest).one().due_on == date(2026, 2, 28)
    edit = _text(client.get(f"/admin/data_request/edit/?id={db.session.query(DataRequest).one().id}"))
    assert "required" not in re.search(r'<input[^>]*name="due_on"[^>]*>', edit).group(0)
