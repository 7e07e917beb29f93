"""Walk-ins, opening and working hours, the week calendar, the ICS feed and the start pages."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from models import Appointment, Client, Visit
from models.enums import AgreementStatus, AppointmentStatus, ClientStatus, DataRequestStatus, Role, TaskStatus, VisitChannel
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


def test_a_walk_in_goes_to_the_clients_own_worker_when_at_work_else_to_the_worker_on_duty(db, not_at_midnight):
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


def test_walk_in_status_open_now_and_next_opening(db, not_at_midnight):
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


def test_ics_feed_parses_as_icalendar_with_codes_only_and_a_revoked_link_gives_404(app, db, monkeypatch):
    import icalendar

    from models.enums import AppointmentPurpose
    from services import clock

    now = datetime(2030, 3, 6, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: now)
    worker = factories.make_worker()
    client = factories.make_client(worker=worker, first_name="Tajné", last_name="Jméno", alias="Přezdívka",
                                   phone="+420 777 000 111")
    other = factories.make_client(worker=worker, first_name="Skrytá", last_name="Osoba")
    soon = factories.make_appointment(client=client, worker=worker, starts_at=now + timedelta(days=2), duration_minutes=45,
                                      notes="Tajná poznámka", evaluation="Tajné hodnocení", next_steps="Tajný krok")
    past = factories.make_appointment(client=other, worker=worker, starts_at=now - timedelta(days=29),
                                      purpose=AppointmentPurpose.ACCOMPANIMENT, status=AppointmentStatus.ATTENDED)
    cancelled = factories.make_appointment(client=client, worker=worker, starts_at=now + timedelta(days=89),
                                           status=AppointmentStatus.CANCELLED_PHONE)
    factories.make_appointment(client=client, worker=worker, starts_at=now - timedelta(days=31))  # outside the window
    factories.make_appointment(client=client, worker=worker, starts_at=now + timedelta(days=91))  # outside the window
    factories.make_appointment(client=client, worker=factories.make_worker(), starts_at=now + timedelta(days=3),
                               other_worker_reason="Zástup")  # another worker's diary
    token = calendar.issue_token(db.session, worker)
    db.session.commit()
    assert worker.calendar_token_hash and token not in worker.calendar_token_hash

    http = app.test_client()
    response = http.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    feed = icalendar.Calendar.from_ical(response.get_data())
    assert str(feed["VERSION"]) == "2.0" and feed["PRODID"]
    events = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    expected = {soon: (client, "CONFIRMED"), past: (other, "CONFIRMED"), cancelled: (client, "CANCELLED")}
    assert set(events) == {f"appointment-{a.id}@localhost" for a in expected}  # the test client's host
    for appointment, (person, status) in expected.items():
        event = events[f"appointment-{appointment.id}@localhost"]
        assert event.decoded("DTSTART") == appointment.starts_at
        assert event.decoded("DTEND") == appointment.starts_at + timedelta(minutes=appointment.duration_minutes)
        summary = str(event["SUMMARY"])
        assert summary.split(" ", 1)[0] == person.code
        assert summary == f"{person.code} – {appointment.purpose.title}"
        assert str(event["STATUS"]) == status
    text = response.get_data(as_text=True)
    for secret in ("Tajné", "Jméno", "Přezdívka", "777", "Skrytá", "Osoba", "Tajná", "hodnocení", "Tajný"):
        assert secret not in text, secret

    calendar.revoke_token(db.session, worker)
    db.session.commit()
    assert calendar.worker_for_token(db.session, token) is None
    assert http.get(f"/calendar/{token}.ics").status_code == 404
    assert http.get("/calendar/not-a-token.ics").status_code == 404


def test_week_calendar_groups_by_local_day(db):
    worker = factories.make_worker()
    monday = date(2030, 3, 4)
    factories.make_appointment(worker=worker, starts_at=datetime(2030, 3, 4, 23, 30, tzinfo=timezone.utc))  # Tue 00:30 in Prague
    data = calendar.week(db.session, worker, monday)
    assert [len(v) for v in data["days"].values()] == [0, 1, 0, 0, 0, 0, 0]
    assert calendar.parse_week("2030-W10") == monday and calendar.parse_week("nonsense").weekday() == 0


# --- start pages: fixed data at fixed times ------------------------------------------------------

#: Wednesday 6 March 2030, 10:00 in Prague (CET, UTC+1).
NOW = datetime(2030, 3, 6, 9, 0, tzinfo=timezone.utc)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A wall-clock time in Prague in 2030 (winter time) as UTC."""
    return datetime(2030, month, day, hour, minute, tzinfo=timezone.utc) - timedelta(hours=1)


@pytest.fixture()
def pinned_clock(monkeypatch):
    from services import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def test_worker_start_page_lists_exactly_what_needs_attention(db, pinned_clock):
    from models import CoverGrant

    me = factories.make_worker(full_name="Marta Moje", previous_login_at=NOW - timedelta(days=2))
    other = factories.make_worker(full_name="Olga Jiná")
    mine = factories.make_client(worker=me, last_contact_at=NOW - timedelta(days=1))
    theirs = factories.make_client(worker=other, last_contact_at=NOW - timedelta(days=1))

    # today's and this week's appointments (Wednesday to Sunday); not yesterday, not next week, not others'
    factories.make_appointment(client=mine, worker=me, starts_at=at(5, 10))
    today_early = factories.make_appointment(client=mine, worker=me, starts_at=at(6, 8), status=AppointmentStatus.ATTENDED)
    today_late = factories.make_appointment(client=mine, worker=me, starts_at=at(6, 15))
    sunday = factories.make_appointment(client=mine, worker=me, starts_at=at(10, 23, 30))
    friday = factories.make_appointment(client=mine, worker=me, starts_at=at(8, 9))
    factories.make_appointment(client=mine, worker=me, starts_at=at(11, 0, 0))
    factories.make_appointment(client=theirs, worker=other, starts_at=at(6, 11))

    # overdue roadmap tasks of my clients' active agreements, the oldest first
    active = factories.make_agreement(client=mine, worker=me, agreed_on=date(2030, 1, 10))
    ended = factories.make_agreement(client=mine, worker=me, agreed_on=date(2029, 1, 10),
                                     status=AgreementStatus.GOAL_ACHIEVED, ended_on=date(2029, 12, 1))
    overdue_march = factories.make_task(agreement=active, due_on=date(2030, 3, 3))
    overdue_february = factories.make_task(agreement=active, due_on=date(2030, 2, 20))
    factories.make_task(agreement=active, due_on=date(2030, 3, 6))  # due today: not overdue yet
    factories.make_task(agreement=active, due_on=date(2030, 3, 1), status=TaskStatus.DONE)
    factories.make_task(agreement=ended, due_on=date(2029, 11, 1))
    factories.make_task(agreement=factories.make_agreement(client=theirs, worker=other), due_on=date(2030, 3, 1))

    # walk-ins of my clients since my last login (4 March, 10:00), the newest first
    walk_in_yesterday = factories.make_visit(client=mine, worker=other, occurred_at=NOW - timedelta(days=1))
    walk_in_this_morning = factories.make_visit(client=mine, worker=other, occurred_at=NOW - timedelta(hours=2))
    factories.make_visit(client=mine, worker=other, occurred_at=NOW - timedelta(days=3))  # before my last login
    factories.make_visit(client=mine, worker=me, occurred_at=NOW - timedelta(hours=1), channel=VisitChannel.PHONE)
    factories.make_visit(client=theirs, worker=other, occurred_at=NOW - timedelta(hours=1))

    # cover access on my clients: granted since my last login, or still running
    covers = [
        CoverGrant(client=mine, worker=other, reason="Nemoc", granted_at=NOW - timedelta(days=1), expires_at=NOW - timedelta(hours=12)),
        CoverGrant(client=mine, worker=other, reason="Dovolená", granted_at=NOW - timedelta(days=10), expires_at=NOW + timedelta(days=1)),
        CoverGrant(client=mine, worker=other, reason="Dávno", granted_at=NOW - timedelta(days=10), expires_at=NOW - timedelta(days=9)),
        CoverGrant(client=theirs, worker=me, reason="Zástup", granted_at=NOW - timedelta(hours=3), expires_at=NOW + timedelta(hours=3)),
    ]
    db.session.add_all(covers)

    # my clients with no contact for more than 3 months (90 days), the longest first
    silent_since_october = factories.make_client(worker=me, last_contact_at=NOW - timedelta(days=150))
    never_seen = factories.make_client(worker=me, created_at=NOW - timedelta(days=125))
    ninety_five = factories.make_client(worker=me, last_contact_at=NOW - timedelta(days=95))
    factories.make_client(worker=me, last_contact_at=NOW - timedelta(days=80))
    factories.make_client(worker=me, status=ClientStatus.CLOSED, last_contact_at=NOW - timedelta(days=400))
    factories.make_client(worker=other, last_contact_at=NOW - timedelta(days=400))
    db.session.flush()

    data = dashboard.start_page(db.session, me)
    assert data["today"] == date(2030, 3, 6)
    assert [a.id for a in data["my_week"]] == [today_early.id, today_late.id, friday.id, sunday.id]
    assert [t.id for t in data["overdue_tasks"]] == [overdue_february.id, overdue_march.id]
    assert data["since"] == NOW - timedelta(days=2)
    assert [v.id for v in data["walk_ins_since"]] == [walk_in_this_morning.id, walk_in_yesterday.id]
    assert [g.id for g in data["cover_on_my_clients"]] == [covers[0].id, covers[1].id]
    assert data["stale_months"] == 3
    assert [c.id for c in data["stale_clients"]] == [silent_since_october.id, never_seen.id, ninety_five.id]
    assert [c.id for c in dashboard.start_page(db.session, me, stale_months=4)["stale_clients"]] == [
        silent_since_october.id, never_seen.id]
    assert "load" not in data and "today_by_worker" not in data  # a worker's page, not the manager's or the desk's


def test_manager_start_page_load_open_requests_and_no_show_rate(db, pinned_clock):
    manager = factories.make_worker(roles=[Role.MANAGER])
    a = factories.make_worker(full_name="Alena A")
    b = factories.make_worker(full_name="Bohdan B")
    factories.make_worker(full_name="Cyril C")  # nothing today: not listed
    # today's load: planned, attended and no-show count; cancellations, yesterday and tomorrow do not
    factories.make_appointment(worker=a, starts_at=at(6, 0, 5), status=AppointmentStatus.ATTENDED)
    factories.make_appointment(worker=a, starts_at=at(6, 23, 0), duration_minutes=30)
    factories.make_appointment(worker=b, starts_at=at(6, 8), status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(worker=b, starts_at=at(6, 12), status=AppointmentStatus.CANCELLED_PHONE)
    factories.make_appointment(worker=b, starts_at=at(6, 13), status=AppointmentStatus.CANCELLED_CENTRE)
    factories.make_appointment(worker=b, starts_at=at(5, 23, 59), status=AppointmentStatus.ATTENDED)
    factories.make_appointment(worker=b, starts_at=at(7, 0, 0))
    # the month so far: attended 1 Mar 00:00, 5 Mar 23:59 and today 00:05 → 3; no-shows today 08:00 and 2 Mar → 2
    factories.make_appointment(worker=b, starts_at=at(1, 0, 0), status=AppointmentStatus.ATTENDED)
    factories.make_appointment(worker=a, starts_at=at(2, 10), status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(worker=a, starts_at=at(28, 23, 59, month=2), status=AppointmentStatus.NO_SHOW)  # February
    factories.make_appointment(worker=a, starts_at=at(3, 10), status=AppointmentStatus.CANCELLED_EMAIL)
    # data requests: open and in progress, the earliest due first; completed ones are not listed
    late = factories.make_data_request(received_on=date(2030, 2, 1), due_on=date(2030, 3, 1))
    soon = factories.make_data_request(received_on=date(2030, 2, 20), due_on=date(2030, 3, 20),
                                       status=DataRequestStatus.IN_PROGRESS)
    factories.make_data_request(received_on=date(2030, 2, 2), due_on=date(2030, 3, 2), status=DataRequestStatus.COMPLETED)
    data = dashboard.start_page(db.session, manager)
    assert data["load"] == [("Alena A", 2, 90), ("Bohdan B", 1, 60)]
    # the load counts what is not cancelled: a new status must say which side it is on
    assert set(AppointmentStatus) - set(dashboard.CANCELLED_STATUSES) == {
        AppointmentStatus.PLANNED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW}
    assert [r.id for r in data["data_requests"]] == [late.id, soon.id]
    assert data["no_show"] == {"attended": 3, "no_show": 2, "rate": 0.4}
    assert "my_week" not in data


def test_reception_desk_groups_todays_appointments_per_worker_with_cancellations(db, pinned_clock):
    desk = factories.make_worker(roles=[Role.RECEPTION])
    zuzana = factories.make_worker(full_name="Zuzana Z")
    adam = factories.make_worker(full_name="Adam A")
    z_late = factories.make_appointment(worker=zuzana, starts_at=at(6, 14))
    z_cancelled = factories.make_appointment(worker=zuzana, starts_at=at(6, 9), status=AppointmentStatus.CANCELLED_PHONE)
    a_only = factories.make_appointment(worker=adam, starts_at=at(6, 11))
    factories.make_appointment(worker=adam, starts_at=at(5, 11))
    factories.make_appointment(worker=adam, starts_at=at(7, 11))
    data = dashboard.start_page(db.session, desk)
    grouped = [(worker.full_name, [(a.id, a.status) for a in rows]) for worker, rows in data["today_by_worker"]]
    assert grouped == [
        ("Adam A", [(a_only.id, AppointmentStatus.PLANNED)]),
        ("Zuzana Z", [(z_cancelled.id, AppointmentStatus.CANCELLED_PHONE), (z_late.id, AppointmentStatus.PLANNED)]),
    ]
    assert data["now"] == NOW
