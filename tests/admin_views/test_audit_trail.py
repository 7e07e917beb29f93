"""Each audited operation, done once through its real path, leaves exactly one entry: the right actor,
action and client code, and no personal data in its details."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from models import AuditEvent
from models.enums import AuditAction
from tests import factories
from tests.conftest import PASSWORD, count_rows

#: personal data and confidential text of the client the operations touch; none may reach an entry
MARKERS = ("Oksanamarker", "Melnykmarker", "777 999 111", "oksana@marker.example", "MARKER-NOTE", "MARKER-GOAL",
           "MARKER-REASON", "MARKER-SUMMARY")


def _person(worker, **fields):
    fields.setdefault("first_name", "Oksanamarker")
    fields.setdefault("last_name", "Melnykmarker")
    fields.setdefault("phone", "+420 777 999 111")
    fields.setdefault("email", "oksana@marker.example")
    return factories.make_client(worker=worker, **fields)


def _setup(operation, app, client, db, login_as):
    """Prepare ``operation``; returns (do it, actor id, client code expected on the entry)."""
    if operation in (AuditAction.LOGIN, AuditAction.FAILED_LOGIN):
        worker = factories.make_worker(password=PASSWORD)
        db.session.commit()
        password = PASSWORD if operation == AuditAction.LOGIN else "not the password at all"
        actor = worker.id if operation == AuditAction.LOGIN else None
        return lambda: client.post("/login", data={"email": worker.email, "password": password}), actor, None
    if operation in (AuditAction.VIEW, AuditAction.EXPORT, AuditAction.ANONYMISE, AuditAction.PURGE, AuditAction.REASSIGN):
        me = login_as("manager")
    else:  # a denial: a social worker asking for another worker's client's agreement by id
        me = login_as("worker")
    owner = me if operation in (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE) else factories.make_worker()
    created = datetime(2019, 1, 1, tzinfo=timezone.utc) if operation == AuditAction.PURGE else None
    person = _person(owner, **({"created_at": created} if created else {}))
    agreement = factories.make_agreement(client=person, worker=owner, goal="MARKER-GOAL")
    appointment = factories.make_appointment(client=person, worker=owner, notes="MARKER-NOTE")
    factories.make_visit(client=person, worker=owner, summary="MARKER-SUMMARY",
                         occurred_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    other = factories.make_worker()
    db.session.commit()
    code = person.code
    form = {"client": person.id, "worker": owner.id, "starts_at": factories.local_input(12), "duration_minutes": "60",
            "format": "office", "place": "centre", "purpose": "consultation", "status": "planned", "notes": "MARKER-NOTE"}
    do = {
        AuditAction.VIEW: lambda: client.get(f"/admin/agreement/details/?id={agreement.id}"),
        AuditAction.CREATE: lambda: client.post("/admin/appointment/new/", data=form),
        AuditAction.UPDATE: lambda: client.post(f"/admin/appointment/edit/?id={appointment.id}",
                                                data=dict(form, duration_minutes="90", version=appointment.version)),
        AuditAction.DELETE: lambda: client.post("/admin/appointment/delete/", data={"id": appointment.id}),
        AuditAction.EXPORT: lambda: client.post(f"/admin/client/export/?id={person.id}", data={"format": "json", "lang": "cs"}),
        AuditAction.ANONYMISE: lambda: client.post(f"/admin/client/anonymise/?ids={person.id}",
                                                   data={"ids": str(person.id), "confirm": "y"}),
        AuditAction.PURGE: lambda: client.post("/admin/retention/", data={"as_of": "2026-06-15", "confirm": "y"}),
        AuditAction.REASSIGN: lambda: client.post(f"/admin/client/reassign/?id={person.id}",
                                                  data={"to_worker": other.id, "reason": "absent", "note": "MARKER-REASON"}),
        AuditAction.COVER: lambda: client.post(f"/admin/client/cover/?id={person.id}", data={"reason": "MARKER-REASON urgent"}),
        AuditAction.DENIED: lambda: client.get(f"/admin/agreement/details/?id={agreement.id}"),
    }[operation]
    # a purge counts the clients it anonymised; the entry belongs to no one client
    return do, me.id, None if operation == AuditAction.PURGE else code


OPERATIONS = [AuditAction.VIEW, AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.EXPORT,
              AuditAction.ANONYMISE, AuditAction.PURGE, AuditAction.REASSIGN, AuditAction.COVER, AuditAction.LOGIN,
              AuditAction.FAILED_LOGIN, AuditAction.DENIED]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.value for o in OPERATIONS])
def test_each_audited_operation_leaves_exactly_one_entry_without_personal_data(operation, app, client, db, login_as):
    do, actor, code = _setup(operation, app, client, db, login_as)
    before = db.session.query(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1).scalar() or 0
    response = do()
    assert response.status_code in (200, 302, 403, 404), response.status_code
    new = db.session.query(AuditEvent).filter(AuditEvent.id > before).order_by(AuditEvent.id).all()
    # a purge: an entry per batch, committed with it (one batch here), and the run's totals
    entries = 2 if operation == AuditAction.PURGE else 1
    assert [(e.action, e.actor_id, e.client_code) for e in new] == [(operation, actor, code)] * entries
    text = f"{new[0].entity} {new[0].details}"
    assert not [marker for marker in MARKERS if marker in text]
    assert count_rows(AuditEvent) == len(new) + count_rows(AuditEvent, AuditEvent.id <= before)
