"""Every export is one service operation: it checks that the person may take the data out, produces the
file, then records the export (a failed export is not in the audit trail) and flushes; the caller commits.
The client's record (services.privacy.export_client), a report (services.report_export.export) and the
documents a client takes home (services.client_documents.print_document); then one request per page."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from models import AuditEvent
from models.enums import AuditAction, Role
from services import client_documents, privacy, report_export, reports
from services.timeutil import local_now
from tests import factories


def _exports() -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).order_by(AuditEvent.id).all()


def test_a_clients_record_is_exported_by_one_operation(app, db):
    manager = factories.make_worker(roles=[Role.MANAGER])
    worker = factories.make_worker()
    person = factories.make_client(worker=worker)
    db.session.commit()
    with pytest.raises(PermissionError):  # the client's own social worker does not export records
        privacy.export_client(db.session, person, "json", user=worker)
    assert not _exports()
    text = privacy.export_client(db.session, person, "json", user=manager)
    assert person.code in text and not db.session.new  # flushed
    db.session.commit()
    [entry] = _exports()
    assert (entry.actor_id, entry.entity, entry.entity_id, entry.client_code) == (manager.id, "client", person.id, person.code)
    assert entry.details == {"format": "json"}
    with app.test_request_context():
        html = privacy.export_client(db.session, person, "html", "en")  # the command line: no person to ask
    assert "<html" in html
    assert _exports()[-1].details == {"format": "html", "lang": "en"}


def test_a_report_is_exported_by_one_operation(app, db):
    manager = factories.make_worker(roles=[Role.MANAGER])
    worker = factories.make_worker()
    db.session.commit()
    today = local_now().date()  # the centre's day
    period = (today - timedelta(days=30), today)
    with app.test_request_context():
        everything = reports.summary(db.session, *period, user=manager)
        own = reports.summary(db.session, *period, user=worker)
        with pytest.raises(PermissionError):  # a social worker takes out their own clients' figures only
            report_export.export(db.session, everything, "csv", user=worker)
        with pytest.raises(PermissionError):  # reception has no reports
            report_export.export(db.session, everything, "csv", user=factories.make_worker(roles=[Role.RECEPTION]))
        with pytest.raises(LookupError):
            report_export.export(db.session, everything, "csv", "no_such_table", user=manager)
        assert not _exports()
        mine = report_export.export(db.session, own, "csv", user=worker)
        assert mine.mimetype == "text/csv" and mine.filename.endswith(".csv") and mine.data
        whole = report_export.export(db.session, everything, "xlsx", user=manager)
        assert whole.data[:2] == b"PK"
    assert not db.session.new
    assert [(e.actor_id, e.entity, e.details["format"]) for e in _exports()] == [
        (worker.id, "report", "csv"), (manager.id, "report", "xlsx")]


def test_the_documents_a_client_takes_home_are_printed_by_one_operation(app, db):
    worker = factories.make_worker()
    reception = factories.make_worker(roles=[Role.RECEPTION])
    person = factories.make_client(worker=worker)
    factories.make_agreement(client=person, worker=worker)
    appointment = factories.make_appointment(client=person, worker=worker)
    db.session.commit()
    from services import roadmap

    with app.test_request_context():
        data = roadmap.printed(db.session, person, worker)
        with pytest.raises(PermissionError):  # case content: not for reception
            client_documents.print_document(db.session, "roadmap", reception, "cs", **data)
        with pytest.raises(PermissionError):  # the centre's rules: staff at the client screen
            client_documents.print_document(db.session, "rules", factories.make_worker(roles=[Role.ADMIN]), "cs")
        with pytest.raises(LookupError):
            client_documents.print_document(db.session, "passport", worker, "cs")
        assert not _exports()
        assert person.code in client_documents.print_document(db.session, "roadmap", worker, "uk", **data)
        client_documents.print_document(db.session, "appointment_card", reception, "cs", appointment=appointment)
        client_documents.print_document(db.session, "rules", reception, "ru", retention_years=3)
    assert not db.session.new
    assert [(e.entity, e.client_code, e.details) for e in _exports()] == [
        ("client", person.code, {"format": "roadmap", "lang": "uk"}),
        ("appointment", person.code, {"format": "appointment_card", "lang": "cs"}),
        ("centre_profile", None, {"format": "rules", "lang": "ru"}),
    ]


# --- the pages -----------------------------------------------------------------------------------

def test_the_report_page_exports_through_the_operation(client, login_as):
    me = login_as("manager")
    today = local_now().date()
    frm, to = (today - timedelta(days=30)).isoformat(), today.isoformat()
    response = client.get(f"/admin/reports/export/csv/?report=summary&period=custom&date_from={frm}&date_to={to}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert [(e.actor_id, e.entity) for e in _exports()] == [(me.id, "report")]
    missing = client.get(f"/admin/reports/export/csv/?report=summary&period=custom&date_from={frm}&date_to={to}&table=nope")
    assert missing.status_code == 404 and len(_exports()) == 1


def test_the_record_export_still_needs_the_csrf_token(app, client, login_as):
    login_as("manager")
    person = factories.make_client(worker=factories.make_worker())
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True  # once signed in (the sign-in above posts no token)
    try:
        response = client.post(f"/admin/client/export/?id={person.id}", data={"format": "json", "lang": "cs"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code != 200 or response.mimetype != "application/json"
    assert not _exports()
