"""Booking: the same specialist, no double-booking (also under concurrency), attendance rules."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Appointment, Base, Client, Worker
from models.enums import AppointmentStatus, ClientStatus, Role
from services import scheduling
from services.errors import ServiceError
from tests import factories

#: a slot ahead (a planned appointment starts in the future and at most a year ahead)
T0 = (datetime.now(timezone.utc) + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)


def test_a_worker_cannot_be_double_booked(db):
    worker = factories.make_worker()
    client = factories.make_client(worker=worker)
    scheduling.book(db.session, client, None, T0, 60)
    with pytest.raises(ServiceError) as err:
        scheduling.book(db.session, client, None, T0 + timedelta(minutes=30), 60)
    assert err.value.field == "starts_at"
    with pytest.raises(ServiceError):
        scheduling.book(db.session, client, None, T0 - timedelta(minutes=30), 45)
    # back to back is fine, and so is a slot freed by a cancellation
    scheduling.book(db.session, client, None, T0 + timedelta(minutes=60), 30)
    first = db.session.query(Appointment).order_by(Appointment.id).first()
    first.status = AppointmentStatus.CANCELLED_PHONE
    db.session.flush()
    scheduling.book(db.session, client, None, T0 + timedelta(minutes=15), 30)
    assert db.session.query(Appointment).count() == 3


def test_the_longest_appointment_still_clashes_at_its_end(db):
    """The overlap search bounds the start from below by the longest appointment (12 hours): one that
    long, started 11 h 45 min earlier, still blocks; one that ended exactly at the start does not."""
    worker = factories.make_worker()
    client = factories.make_client(worker=worker)
    scheduling.book(db.session, client, None, T0, 720)
    assert scheduling.clashes(db.session, worker.id, T0 + timedelta(hours=11, minutes=45), T0 + timedelta(hours=13))
    assert not scheduling.clashes(db.session, worker.id, T0 + timedelta(hours=12), T0 + timedelta(hours=13))
    with pytest.raises(ServiceError):
        scheduling.book(db.session, client, None, T0 + timedelta(hours=11, minutes=30), 60)
    scheduling.book(db.session, client, None, T0 + timedelta(hours=12), 60)


def test_booking_another_worker_than_the_clients_own_needs_a_reason(db):
    own, other = factories.make_worker(), factories.make_worker()
    client = factories.make_client(worker=own)
    with pytest.raises(ServiceError) as err:
        scheduling.book(db.session, client, other, T0, 60)
    assert err.value.field == "worker"
    appointment = scheduling.book(db.session, client, other, T0, 60, other_worker_reason="Pracovnice je nemocná")
    assert appointment.worker is other and appointment.other_worker_reason == "Pracovnice je nemocná"
    assert appointment.ends_at == T0 + timedelta(minutes=60)


def test_no_show_only_after_the_time_has_passed(db):
    client = factories.make_client()
    future = scheduling.book(db.session, client, None, datetime.now(timezone.utc) + timedelta(hours=2), 60)
    with pytest.raises(ServiceError):
        scheduling.set_status(db.session, future, AppointmentStatus.NO_SHOW)
    scheduling.set_status(db.session, future, AppointmentStatus.CANCELLED_EMAIL)
    past = factories.make_appointment(client=client, worker=client.worker, starts_at=datetime.now(timezone.utc) - timedelta(hours=3))
    scheduling.set_status(db.session, past, AppointmentStatus.NO_SHOW)
    assert scheduling.attendance_counts(db.session, client.id) == {"attended": 0, "no_show": 1, "cancelled_in_advance": 1}


NOW = datetime(2030, 3, 6, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
def frozen_now(monkeypatch):
    """The services read the time from services.clock; pin it."""
    from services import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def test_a_future_appointment_cannot_be_marked_no_show_or_attended_by_any_path(db, frozen_now):
    from services import cases

    client = factories.make_client()
    future = scheduling.book(db.session, client, None, NOW + timedelta(minutes=1), 60)
    for status in (AppointmentStatus.NO_SHOW, AppointmentStatus.ATTENDED):
        with pytest.raises(ServiceError) as err:
            scheduling.set_status(db.session, future, status)
        assert err.value.field == "status" and future.status == AppointmentStatus.PLANNED
        future.status = status  # what a form does: set the field, then save through the service
        with pytest.raises(ServiceError):
            cases.save_appointment(db.session, future)
        future.status = AppointmentStatus.PLANNED
    with pytest.raises(ServiceError):  # nor booked as a no-show straight away
        scheduling.book(db.session, client, None, NOW + timedelta(days=1), 30, status=AppointmentStatus.NO_SHOW)
    other = factories.make_client()
    started = factories.make_appointment(client=other, worker=other.worker, starts_at=NOW)  # starting now counts as started
    scheduling.set_status(db.session, started, AppointmentStatus.NO_SHOW)
    db.session.flush()
    assert db.session.query(Appointment).filter_by(status=AppointmentStatus.NO_SHOW).count() == 1


def test_a_cancellation_in_advance_only_while_planned_and_before_the_start(db, frozen_now):
    from services import cases

    client = factories.make_client()
    ahead = scheduling.book(db.session, client, None, NOW + timedelta(hours=1), 60)
    begun = factories.make_appointment(client=client, worker=client.worker, starts_at=NOW - timedelta(minutes=10))
    attended = scheduling.book(db.session, client, None, NOW - timedelta(days=1), 60, status=AppointmentStatus.ATTENDED)
    missed = scheduling.book(db.session, client, None, NOW - timedelta(days=2), 60, status=AppointmentStatus.NO_SHOW)
    db.session.commit()
    for appointment in (begun, attended, missed):
        before = appointment.status
        for status in scheduling.CANCELLED_IN_ADVANCE:
            with pytest.raises(ServiceError):
                scheduling.set_status(db.session, appointment, status)
            assert appointment.status == before
            appointment.status = status  # the form path
            with pytest.raises(ServiceError):
                cases.save_appointment(db.session, appointment)
            db.session.rollback()
    assert scheduling.can_cancel_in_advance(ahead) and not scheduling.can_cancel_in_advance(begun)
    assert not scheduling.can_cancel_in_advance(attended) and not scheduling.can_cancel_in_advance(missed)
    scheduling.set_status(db.session, ahead, AppointmentStatus.CANCELLED_PHONE)
    db.session.commit()
    ahead.notes = "Volala, přijde příští týden."  # saving it again unchanged is fine
    cases.save_appointment(db.session, ahead)
    with pytest.raises(ServiceError):  # a phone cancellation is not turned into an email one after the fact
        scheduling.set_status(db.session, ahead, AppointmentStatus.CANCELLED_EMAIL)
    # the centre can still cancel a begun appointment
    scheduling.set_status(db.session, begun, AppointmentStatus.CANCELLED_CENTRE)
    assert scheduling.attendance_counts(db.session, client.id) == {"attended": 1, "no_show": 1, "cancelled_in_advance": 1}


def test_moving_an_appointment_to_another_worker_than_the_clients_own_needs_a_reason(db):
    own, other, third = factories.make_worker(), factories.make_worker(), factories.make_worker()
    client = factories.make_client(worker=own)
    appointment = scheduling.book(db.session, client, None, T0, 60)
    db.session.commit()
    appointment.worker = other  # as the edit form sets it: worker_id still holds the old worker
    with pytest.raises(ServiceError) as err:
        scheduling.check_booking(db.session, appointment)
    assert err.value.field == "worker"
    appointment.other_worker_reason = "Vlastní pracovnice je nemocná"
    scheduling.check_booking(db.session, appointment)
    db.session.commit()
    assert appointment.worker_id == other.id
    # moving it in time keeps the stated reason; editing notes needs nothing new
    appointment.starts_at = T0 + timedelta(days=1)
    scheduling.check_booking(db.session, appointment)
    db.session.commit()
    # an old booking with another worker (made before the client had one) needs no reason to be edited...
    legacy = scheduling.book(db.session, client, third, T0 + timedelta(days=3), 60, other_worker_reason="x")
    db.session.commit()
    db.session.execute(sa.update(Appointment).where(Appointment.id == legacy.id).values(other_worker_reason=None))
    db.session.expire(legacy)
    legacy.notes = "Poznámka"
    scheduling.check_booking(db.session, legacy)
    # ...but moving it does
    legacy.starts_at = T0 + timedelta(days=4)
    with pytest.raises(ServiceError):
        scheduling.check_booking(db.session, legacy)
    # and the overlap check looks at the new worker's diary, not the old one's
    db.session.rollback()
    scheduling.book(db.session, client, third, T0 + timedelta(days=10), 60, other_worker_reason="Zástup")
    mine = scheduling.book(db.session, client, None, T0 + timedelta(days=10), 60)
    mine.worker = third
    mine.other_worker_reason = "Zástup"
    with pytest.raises(ServiceError) as clash:
        scheduling.check_booking(db.session, mine)
    assert clash.value.field == "starts_at"


def test_moving_an_appointment_checks_overlap_but_not_against_itself(db):
    client = factories.make_client()
    a = scheduling.book(db.session, client, None, T0, 60)
    b = scheduling.book(db.session, client, None, T0 + timedelta(hours=2), 60)
    a.starts_at = T0 + timedelta(minutes=30)
    scheduling.check_booking(db.session, a)
    b.starts_at = T0 + timedelta(minutes=45)
    with pytest.raises(ServiceError):
        scheduling.check_booking(db.session, b)


@pytest.fixture()
def concurrent_engine(app, tmp_path):
    """An engine whose connections are really separate: PostgreSQL's pool, or a SQLite file."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()
        return
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'race.sqlite'}", connect_args={"timeout": 15})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=15000")

    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_two_simultaneous_bookings_exactly_one_wins(app, db, concurrent_engine):
    with Session(concurrent_engine) as setup:
        worker = Worker(email="race@test.example", full_name="Závod", roles=[Role.WORKER.value], languages=[], active=True)
        client = Client(code="2030-99001", status=ClientStatus.CLIENT, worker=worker)
        setup.add_all([worker, client])
        setup.commit()
        worker_id, client_id = worker.id, client.id
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(minutes: int) -> None:
        with app.app_context(), Session(concurrent_engine) as session:
            client = session.get(Client, client_id)
            barrier.wait(timeout=10)
            try:
                scheduling.book(session, client, None, T0 + timedelta(minutes=minutes), 60)
                session.commit()
                results.append("booked")
            except ServiceError:
                session.rollback()
                results.append("refused")

    threads = [threading.Thread(target=attempt, args=(m,)) for m in (0, 15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["booked", "refused"]
    with Session(concurrent_engine) as check:
        assert check.query(Appointment).filter_by(worker_id=worker_id).count() == 1
        if concurrent_engine.dialect.name == "postgresql":
            check.query(Appointment).filter_by(worker_id=worker_id).delete()
            check.query(Client).filter_by(id=client_id).delete()
            check.query(Worker).filter_by(id=worker_id).delete()
            check.commit()


def test_the_appointment_form_refuses_a_double_booking(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    from services.timeutil import local_now, local_to_utc

    day = (local_now() + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None)
    factories.make_appointment(client=person, worker=me, starts_at=local_to_utc(day))
    db.session.commit()
    typed = (day + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": me.id, "starts_at": typed, "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
    })
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert typed in page and "už má v tu dobu schůzku" in page
    assert db.session.query(Appointment).count() == 1
