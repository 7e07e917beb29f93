"""Walk-ins, opening and working hours, the week calendar, the ICS feed and the start pages."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from models import Appointment, Client, Visit
from models.enums import AppointmentStatus, ClientStatus, Role, TaskStatus, VisitChannel
from services import calendar, dashboard, scheduling, walkins
from services.errors import ServiceError
from services.timeutil import local_now
from tests import factories
from tests.conftest import count_rows


def test_an_anonymous_walk_in_creates_no_client_and_is_counted(db):
    worker = factories.make_worker()
    topic = factories.make_topic()
    visit = walkins.log_walk_in(db.session, logged_by=worker, citizenship="UA", language="uk", sex="female",
                                age_band="27-64", topics=[topic], urgent=True, minutes=20)
    assert visit.client is None and visit.channel == VisitChannel.WALK_IN and visit.worker is worker
    assert count_rows(Client) == 0
    assert count_rows(Visit, Visit.client_id.is_(None), Visit.citizenship == "UA") == 1
    with pytest.raises(ServiceError):
        walkins.log_walk_in(db.session, logged_by=worker)  # nothing at all to count


def test_a_walk_in_goes_to_the_clients_own_worker_when_at_work_else_to_the_worker_on_duty(db):
    own, duty, desk = factories.make_worker(), factories.make_worker(), factories.make_worker(roles=[Role.RECEPTION])
    client = factories.make_client(worker=own)
    now = local_now()
    factories.make_walk_in_hours(weekday=now.weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=duty)
    assert walkins.log_walk_in(db.session, client=client, logged_by=desk).worker is own
    # the own worker's hours today are over (or not yet begun): the worker on duty takes it
    factories.make_working_hours(worker=own, weekday=(now.weekday() + 1) % 7)
    assert walkins.handling_worker(db.session, client, desk) is duty
    visit = walkins.log_walk_in(db.session, client=client, logged_by=desk)
    assert visit.worker is duty and visit.client is client
    db.session.refresh(client)
    assert client.last_contact_at is not None


def test_walk_in_status_open_now_and_next_opening(db):
    now = local_now()
    tomorrow = (now.weekday() + 1) % 7
    factories.make_walk_in_hours(weekday=tomorrow, opens_at=time(9, 0), closes_at=time(12, 0))
    status = scheduling.walk_in_status(db.session)
    assert status["open"] is False
    opening, _interval = status["next"]
    assert opening.date() == now.date() + timedelta(days=1) and opening.time() == time(9, 0)
    factories.make_walk_in_hours(weekday=now.weekday(), opens_at=time(0, 0), closes_at=time(23, 59))
    assert scheduling.walk_in_status(db.session)["open"] is True


def test_outside_working_hours_is_a_warning(db):
    worker = factories.make_worker()
    monday_9 = datetime(2030, 3, 4, 8, 0, tzinfo=timezone.utc)  # 09:00 in Prague
    assert scheduling.outside_working_hours(db.session, worker.id, monday_9, 60) is False  # no hours set
    factories.make_working_hours(worker=worker, weekday=0, starts_at=time(8, 0), ends_at=time(12, 0))
    assert scheduling.outside_working_hours(db.session, worker.id, monday_9, 60) is False
    assert scheduling.outside_working_hours(db.session, worker.id, monday_9 + timedelta(hours=3), 60) is True
    assert scheduling.outside_working_hours(db.session, worker.id, monday_9 + timedelta(days=1), 60) is True


def test_ics_feed_is_valid_shows_codes_only_and_the_link_can_be_revoked(db):
    worker = factories.make_worker()
    client = factories.make_client(worker=worker, first_name="Tajné", last_name="Jméno")
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    factories.make_appointment(client=client, worker=worker, starts_at=soon, notes="Tajná poznámka")
    factories.make_appointment(client=client, worker=worker, starts_at=soon - timedelta(days=60))  # outside the window
    token = calendar.issue_token(db.session, worker)
    assert worker.calendar_token_hash and token not in worker.calendar_token_hash
    assert calendar.worker_for_token(db.session, token) is worker
    body = calendar.ics_feed(db.session, worker)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 1 and client.code in body
    assert "Jméno" not in body and "Tajná" not in body
    assert f"DTSTART:{soon.strftime('%Y%m%dT%H%M%SZ')}" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    calendar.revoke_token(db.session, worker)
    assert calendar.worker_for_token(db.session, token) is None


def test_week_calendar_groups_by_local_day(db):
    worker = factories.make_worker()
    monday = date(2030, 3, 4)
    factories.make_appointment(worker=worker, starts_at=datetime(2030, 3, 4, 23, 30, tzinfo=timezone.utc))  # Tue 00:30 in Prague
    data = calendar.week(db.session, worker, monday)
    assert [len(v) for v in data["days"].values()] == [0, 1, 0, 0, 0, 0, 0]
    assert calendar.parse_week("2030-W10") == monday and calendar.parse_week("nonsense").weekday() == 0


def test_worker_start_page_numbers(db):
    me = factories.make_worker()
    other = factories.make_worker()
    mine = factories.make_client(worker=me)
    stale = factories.make_client(worker=me, created_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    factories.make_client(worker=other, created_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    agreement = factories.make_agreement(client=mine, worker=me)
    factories.make_task(agreement=agreement, due_on=date.today() - timedelta(days=3), status=TaskStatus.OPEN)
    factories.make_task(agreement=agreement, due_on=date.today() - timedelta(days=3), status=TaskStatus.DONE)
    factories.make_task(agreement=agreement, due_on=date.today() + timedelta(days=3))
    factories.make_visit(client=mine, worker=other, channel=VisitChannel.WALK_IN)
    factories.make_appointment(client=mine, worker=me, starts_at=datetime.now(timezone.utc) + timedelta(minutes=10))
    data = dashboard.start_page(db.session, me)
    assert len(data["overdue_tasks"]) == 1
    assert [v.client_id for v in data["walk_ins_since"]] == [mine.id]
    assert [c.id for c in data["stale_clients"]] == [stale.id]
    assert len(data["my_week"]) == 1


def test_manager_start_page_load_and_no_show_rate(db):
    manager = factories.make_worker(roles=[Role.MANAGER])
    a, b = factories.make_worker(full_name="A"), factories.make_worker(full_name="B")
    start_of_today = datetime.combine(local_now().date(), time(0, 5)).replace(tzinfo=local_now().tzinfo)
    factories.make_appointment(worker=a, starts_at=start_of_today, status=AppointmentStatus.ATTENDED)
    factories.make_appointment(worker=a, starts_at=start_of_today + timedelta(hours=23), duration_minutes=30)
    factories.make_appointment(worker=b, starts_at=start_of_today + timedelta(hours=2), status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(worker=b, starts_at=start_of_today + timedelta(hours=5), status=AppointmentStatus.CANCELLED_PHONE)
    data = dashboard.start_page(db.session, manager)
    assert data["load"] == [("A", 2, 90), ("B", 1, 60)]
    assert data["no_show"]["no_show"] == 1 and data["no_show"]["attended"] >= 1
