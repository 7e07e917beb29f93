"""The roadmap in the case file: add, edit, finish and reorder tasks; who may; what is audited."""
from __future__ import annotations

from datetime import date

import pytest

from models import AuditEvent
from models.enums import AgreementStatus, AuditAction, Responsible, Role, TaskStatus
from services import tasks as roadmap  # the task operations (services/roadmap.py: the printed roadmap)
from services.errors import ServiceError
from tests import factories


def _agreement():
    worker = factories.make_worker()
    client = factories.make_client(worker=worker)
    return factories.make_agreement(client=client, worker=worker), worker


def _order(agreement):
    return [t.description for t in sorted(agreement.tasks, key=lambda t: (t.position, t.id))]


def test_add_edit_finish_and_reopen_a_task_with_audit_entries_naming_fields_only(db):
    agreement, worker = _agreement()
    task = roadmap.add_task(db.session, agreement, worker, description="  Přinést nájemní smlouvu ",
                            responsible="client", due_on=date(2030, 1, 10))
    assert task.description == "Přinést nájemní smlouvu" and task.status == TaskStatus.OPEN and task.position == 1
    second = roadmap.add_task(db.session, agreement, worker, description="Zavolat na úřad", responsible=Responsible.WORKER)
    assert second.position == 2
    roadmap.edit_task(db.session, task, worker, description="Přinést smlouvu", responsible="both", due_on=None)
    assert task.responsible == Responsible.BOTH and task.due_on is None
    roadmap.finish_task(db.session, task, worker, status="done", outcome="Přinesla", on=date(2030, 1, 5))
    assert task.status == TaskStatus.DONE and task.completed_on == date(2030, 1, 5) and task.outcome == "Přinesla"
    roadmap.finish_task(db.session, task, worker, status="open", outcome="Přinesla")
    assert task.status == TaskStatus.OPEN and task.completed_on is None
    events = db.session.query(AuditEvent).filter(AuditEvent.entity == "roadmap_task").order_by(AuditEvent.id).all()
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.CREATE, AuditAction.UPDATE,
                                          AuditAction.UPDATE, AuditAction.UPDATE]
    assert all("Přines" not in str(e.details) for e in events)
    assert events[2].details == {"fields": ["description", "responsible", "due_on"]}


def test_not_done_needs_the_reason_and_bad_values_are_refused(db):
    agreement, worker = _agreement()
    task = factories.make_task(agreement=agreement)
    with pytest.raises(ServiceError) as err:
        roadmap.finish_task(db.session, task, worker, status="not_done", outcome="  ")
    assert err.value.field == "outcome"
    for status in ("dropped", "nonsense"):
        with pytest.raises(ServiceError):
            roadmap.finish_task(db.session, task, worker, status=status)
    with pytest.raises(ServiceError) as err:
        roadmap.add_task(db.session, agreement, worker, description=" ", responsible="client")
    assert err.value.field == "description"
    with pytest.raises(ServiceError) as err:
        roadmap.add_task(db.session, agreement, worker, description="x", responsible="nobody")
    assert err.value.field == "responsible"
    roadmap.finish_task(db.session, task, worker, status="not_done", outcome="Úřad byl zavřený")
    assert task.status == TaskStatus.NOT_DONE


def test_reorder_moves_one_place_and_renumbers(db):
    agreement, worker = _agreement()
    a, b, c = (roadmap.add_task(db.session, agreement, worker, description=d, responsible="client") for d in "abc")
    roadmap.move_task(db.session, c, worker, "up")
    assert _order(agreement) == ["a", "c", "b"]
    roadmap.move_task(db.session, a, worker, "up")  # first already: nothing changes
    roadmap.move_task(db.session, a, worker, "down")
    assert _order(agreement) == ["c", "a", "b"]
    assert sorted(t.position for t in agreement.tasks) == [1, 2, 3]
    with pytest.raises(ServiceError):
        roadmap.move_task(db.session, a, worker, "sideways")
    # within the tasks of the same person: the worker's task in between is stepped over
    w = roadmap.add_task(db.session, agreement, worker, description="w", responsible="worker")
    d = roadmap.add_task(db.session, agreement, worker, description="d", responsible="client")
    roadmap.move_task(db.session, w, worker, "up")
    assert _order(agreement) == ["c", "a", "b", "w", "d"]  # the only one of the worker's tasks
    roadmap.move_task(db.session, d, worker, "up")
    assert _order(agreement) == ["c", "a", "d", "w", "b"]
    roadmap.move_task(db.session, d, worker, "up")
    assert _order(agreement) == ["c", "d", "a", "w", "b"]


def test_only_the_own_worker_or_cover_writes_and_only_an_active_agreement(db):
    agreement, worker = _agreement()
    task = factories.make_task(agreement=agreement)
    colleague = factories.make_worker()
    reception = factories.make_worker(roles=(Role.RECEPTION,))
    for who in (colleague, reception):
        with pytest.raises(ServiceError):
            roadmap.add_task(db.session, agreement, who, description="x", responsible="client")
        with pytest.raises(ServiceError):
            roadmap.move_task(db.session, task, who, "down")
    from services import cover

    cover.grant_cover(db.session, colleague, agreement.client, reason="Kolegyně je nemocná a klient přišel s výzvou z úřadu")
    roadmap.add_task(db.session, agreement, colleague, description="Zastupující úkol", responsible="worker")
    agreement.status = AgreementStatus.GOAL_ACHIEVED
    db.session.flush()
    with pytest.raises(ServiceError):
        roadmap.finish_task(db.session, task, worker, status="done")
