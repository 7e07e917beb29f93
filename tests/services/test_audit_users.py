"""The audit trail is append-only; staff accounts and passwords."""
import pytest

from models import AuditEvent
from models.enums import AuditAction, Role
from services import audit, users
from services.errors import ServiceError
from tests import factories


def test_audit_entries_cannot_be_changed_or_deleted(db):
    entry = audit.record(db.session, AuditAction.VIEW, entity="client", entity_id=1, client_code="2026-00001")
    db.session.flush()
    entry.client_code = "2026-00002"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    entry = audit.record(db.session, AuditAction.VIEW, entity="client", entity_id=1)
    db.session.flush()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.flush()


def test_record_for_takes_the_client_code_from_the_record(db):
    task = factories.make_task()
    entry = audit.record_for(db.session, AuditAction.UPDATE, task, details={"fields": ["status"]})
    db.session.flush()
    assert entry.client_code == task.agreement.client.code
    assert entry.entity == "roadmap_task" and entry.entity_id == task.id


def test_changed_fields_lists_names_not_values(db):
    client = factories.make_client(phone="+420 777 111 222")
    db.session.flush()
    client.phone = "+420 777 999 999"
    assert audit.changed_fields(client) == ["phone"]


def test_create_worker_normalises_email_and_checks_password(db):
    worker = users.create_worker(db.session, " Jana@Example.ORG ", "Jana", [Role.RECEPTION], password="a-long-enough-password")
    assert worker.email == "jana@example.org"
    assert worker.check_password("a-long-enough-password")
    assert worker.password_hash.startswith("scrypt:")
    with pytest.raises(ServiceError):
        users.create_worker(db.session, "jana@example.org", "Jana 2", [Role.WORKER], password="a-long-enough-password")
    with pytest.raises(ServiceError):
        users.create_worker(db.session, "petr@example.org", "Petr", [Role.WORKER], password="short")
    with pytest.raises(ServiceError):
        users.create_worker(db.session, "petr@example.org", "Petr", [], password="a-long-enough-password")


def test_authenticate_refuses_inactive_and_wrong_password(db):
    worker = factories.make_worker(password="a-long-enough-password")
    assert users.authenticate(db.session, worker.email, "a-long-enough-password") == worker
    assert users.authenticate(db.session, worker.email, "wrong-password-here") is None
    assert users.authenticate(db.session, "nobody@example.org", "a-long-enough-password") is None
    worker.active = False
    assert users.authenticate(db.session, worker.email, "a-long-enough-password") is None


def test_audit_events_are_listed_in_the_table(db):
    factories.make_audit_event(client_code="2026-00001")
    assert db.session.query(AuditEvent).count() == 1
