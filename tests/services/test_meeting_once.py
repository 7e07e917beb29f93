"""A meeting is recorded once: two submissions of "Record a meeting" for the same planned appointment
(a double click, two tabs) recorded it twice, duplicated the new tasks and lost one set of notes.

The meeting record now locks its appointment (PostgreSQL ``SELECT … FOR UPDATE``, SQLite the
database's write lock) and a second submission, waiting for the first, finds it recorded and
changes nothing. Run with TEST_DATABASE_URL for the PostgreSQL case (two threads, two sessions).
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Agreement, Appointment, Client, RoadmapTask, Worker
from models.base import utcnow
from models.enums import AgreementStatus, AppointmentStatus, ClientStatus, Responsible, Role, TaskStatus
from services import case_operations, scheduling
from services.case_operations import Meeting, NewTask
from services.errors import ServiceError
from tests import factories
from tests.admin_views.test_casefile import _case_with_tasks, _meeting
from tests.services.test_scheduling import concurrent_engine  # noqa: F401 - the fixture

ALREADY = "Tato schůzka už byla zaznamenána"


def test_two_parallel_submissions_record_the_meeting_once(app, db, concurrent_engine, monkeypatch):
    with Session(concurrent_engine) as setup:
        worker = Worker(email="meeting-race@test.example", full_name="Souběh", roles=[Role.WORKER.value], languages=[],
                        active=True)
        client = Client(code="2030-99002", status=ClientStatus.CLIENT, worker=worker)
        agreement = Agreement(client=client, worker=worker, agreed_on=utcnow().date() - timedelta(days=30), goal="Cíl",
                              consent_service=True, status=AgreementStatus.ACTIVE)
        appointment = Appointment(client=client, worker=worker, starts_at=utcnow() - timedelta(minutes=40),
                                  duration_minutes=30, status=AppointmentStatus.PLANNED)
        setup.add_all([worker, client, agreement, appointment])
        setup.commit()
        ids = {"worker": worker.id, "client": client.id, "agreement": agreement.id, "appointment": appointment.id}

    # the first to take the appointment's lock holds it a moment, so the other submission really waits on it
    real_set_status = scheduling.set_status

    def slow_set_status(session, appointment, status):
        time.sleep(0.5)
        return real_set_status(session, appointment, status)

    monkeypatch.setattr(scheduling, "set_status", slow_set_status)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def submit(tab: str) -> None:
        with app.app_context(), Session(concurrent_engine) as session:
            client = session.get(Client, ids["client"])
            worker = session.get(Worker, ids["worker"])
            barrier.wait(timeout=10)
            try:
                case_operations.record_meeting(session, client, worker, Meeting(
                    appointment_id=ids["appointment"], notes=f"Poznámky z karty {tab}",
                    new_tasks=[NewTask(f"Úkol z karty {tab}", Responsible.CLIENT, None)]))
                session.commit()
                results[tab] = "recorded"
            except ServiceError as exc:
                session.rollback()
                results[tab] = str(exc.message)

    threads = [threading.Thread(target=submit, args=(tab,)) for tab in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert len(results) == 2 and list(results.values()).count("recorded") == 1, results
        loser = next(tab for tab, outcome in results.items() if outcome != "recorded")
        winner = "A" if loser == "B" else "B"
        assert ALREADY in results[loser]  # told (in Czech, the default) that it was recorded already
        with Session(concurrent_engine) as check:
            stored = check.get(Appointment, ids["appointment"])
            assert stored.status == AppointmentStatus.ATTENDED and stored.notes == f"Poznámky z karty {winner}"
            tasks = check.query(RoadmapTask).filter_by(agreement_id=ids["agreement"]).all()
            assert [t.description for t in tasks] == [f"Úkol z karty {winner}"]  # not duplicated
    finally:
        if concurrent_engine.dialect.name == "postgresql":
            with Session(concurrent_engine) as cleanup:
                cleanup.execute(sa.delete(RoadmapTask).where(RoadmapTask.agreement_id == ids["agreement"]))
                cleanup.execute(sa.delete(Appointment).where(Appointment.client_id == ids["client"]))
                cleanup.execute(sa.delete(Agreement).where(Agreement.id == ids["agreement"]))
                cleanup.execute(sa.text("DELETE FROM audit_event WHERE client_code = '2030-99002'"))
                cleanup.execute(sa.delete(Client).where(Client.id == ids["client"]))
                cleanup.execute(sa.delete(Worker).where(Worker.id == ids["worker"]))
                cleanup.commit()


def test_a_second_tab_is_told_the_meeting_was_recorded_and_changes_nothing(client, db, login_as):
    me = login_as("worker")
    person, agreement, tasks, planned = _case_with_tasks(me)
    db.session.commit()
    first = _meeting(appointment=str(planned.id), notes="Z první karty",
                     **{f"task_{tasks[0].id}_status": "done", "new_tasks-0-description": "Nový úkol z první karty"})
    second = _meeting(appointment=str(planned.id), notes="Z druhé karty",
                      **{f"task_{tasks[0].id}_status": "done", "new_tasks-0-description": "Nový úkol z druhé karty"})
    assert client.post(f"/admin/client/case/meeting/?id={person.id}", data=first).status_code == 302
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and ALREADY in page
    assert "Z druhé karty" in page  # what was typed in the second tab is still there
    db.session.expire_all()
    assert db.session.get(Appointment, planned.id).notes == "Z první karty"
    descriptions = [t.description for t in db.session.query(RoadmapTask).order_by(RoadmapTask.id)]
    assert descriptions.count("Nový úkol z první karty") == 1 and "Nový úkol z druhé karty" not in descriptions
    assert db.session.query(RoadmapTask).filter_by(status=TaskStatus.DONE).count() == 1


def test_the_service_refuses_a_recorded_appointment(db):
    worker = factories.make_worker()
    person = factories.make_client(worker=worker)
    factories.make_agreement(client=person, worker=worker)
    planned = factories.make_appointment(client=person, worker=worker, starts_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    case_operations.record_meeting(db.session, person, worker, Meeting(appointment_id=planned.id, notes="Jednou"))
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        case_operations.record_meeting(db.session, person, worker, Meeting(appointment_id=planned.id, notes="Podruhé"))
    assert refused.value.field == "appointment" and refused.value.message is case_operations.ALREADY_RECORDED
    db.session.rollback()
    assert db.session.get(Appointment, planned.id).notes == "Jednou"
