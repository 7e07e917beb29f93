"""Free slots: working hours minus appointments, in the centre's zone, in the chosen length."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from models import WorkingHours
from models.enums import AppointmentStatus
from services import scheduling, slots
from services.timeutil import local_to_utc
from tests import factories

#: a Monday well ahead, and "now" a week before it
MONDAY = date(2027, 3, 1)
NOW = local_to_utc(datetime(2027, 2, 22, 12, 0))


def _worker_with_hours(db, *intervals):
    worker = factories.make_worker()
    for weekday, opens, closes in intervals:
        db.session.add(WorkingHours(worker=worker, weekday=weekday, starts_at=opens, ends_at=closes))
    db.session.flush()
    return worker


def _times(free, day):
    return [s.local.strftime("%H:%M") for s in free.days[day]]


def test_slots_fill_the_working_hours_on_the_half_hour_in_the_chosen_length(db):
    worker = _worker_with_hours(db, (0, time(9, 0), time(11, 0)), (2, time(13, 0), time(14, 0)))
    free = slots.free_time(db.session, worker.id, MONDAY, days=7, length=60, now=NOW)
    assert _times(free, MONDAY) == ["09:00", "09:30", "10:00"]
    assert _times(free, MONDAY + timedelta(days=1)) == []  # no hours on Tuesday
    assert _times(free, MONDAY + timedelta(days=2)) == ["13:00"]
    assert _times(slots.free_time(db.session, worker.id, MONDAY, days=1, length=90, now=NOW), MONDAY) == ["09:00", "09:30"]
    assert len(slots.free_time(db.session, worker.id, MONDAY, days=1, length=30, now=NOW).days[MONDAY]) == 4
    assert free.has_hours and not free.empty
    # the link's value is the centre's wall clock; the slot itself is UTC (Prague is UTC+1 in March)
    first = free.days[MONDAY][0]
    assert first.value == "2027-03-01T09:00"
    assert first.starts_at == datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_an_appointment_takes_its_time_and_a_cancelled_one_gives_it_back(db):
    worker = _worker_with_hours(db, (0, time(9, 0), time(12, 0)))
    client = factories.make_client(worker=worker)
    factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 10, 0)), duration_minutes=45)
    cancelled = factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 11, 0)),
                                           duration_minutes=60, status=AppointmentStatus.CANCELLED_PHONE)
    free = slots.free_time(db.session, worker.id, MONDAY, days=1, length=60, now=NOW)
    # 09:00 ends at 10:00 (back to back is fine); 09:30–11:15 overlap the 10:00–10:45 appointment
    assert _times(free, MONDAY) == ["09:00", "11:00"]
    assert cancelled.status == AppointmentStatus.CANCELLED_PHONE
    # another worker's appointment does not matter
    other = _worker_with_hours(db, (0, time(9, 0), time(12, 0)))
    assert _times(slots.free_time(db.session, other.id, MONDAY, days=1, length=60, now=NOW), MONDAY)[:3] == [
        "09:00", "09:30", "10:00"]


def test_a_long_appointment_takes_its_time_when_shorter_ones_start_within_it(db):
    """The overlap is decided by the latest end among the appointments starting before a slot ends, not by
    the last of them to start: a long meeting that a short one starts inside still takes its whole time."""
    worker = _worker_with_hours(db, (0, time(8, 0), time(15, 0)))
    client = factories.make_client(worker=worker)
    factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 9, 0)), duration_minutes=180)
    factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 9, 30)), duration_minutes=30)
    factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 13, 0)), duration_minutes=30)
    free = slots.free_time(db.session, worker.id, MONDAY, days=1, length=60, now=NOW)
    assert _times(free, MONDAY) == ["08:00", "12:00", "13:30", "14:00"]


def test_every_offered_slot_is_accepted_by_the_double_booking_guard(db):
    worker = _worker_with_hours(db, (0, time(9, 0), time(12, 0)))
    client = factories.make_client(worker=worker)
    factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1, 10, 0)), duration_minutes=30)
    free = slots.free_time(db.session, worker.id, MONDAY, days=1, length=30, now=NOW)
    for slot in free.days[MONDAY]:
        assert not scheduling.clashes(db.session, worker.id, slot.starts_at, slot.starts_at + timedelta(minutes=30))
    taken = {s.value for s in free.days[MONDAY]}
    assert "2027-03-01T10:00" not in taken and "2027-03-01T10:30" in taken


def test_no_slot_in_the_past_and_none_without_working_hours(db):
    worker = _worker_with_hours(db, (0, time(9, 0), time(12, 0)))
    now = local_to_utc(datetime(2027, 3, 1, 10, 10))
    assert _times(slots.free_time(db.session, worker.id, MONDAY, days=1, length=30, now=now), MONDAY) == [
        "10:30", "11:00", "11:30"]
    nobody = factories.make_worker()
    free = slots.free_time(db.session, nobody.id, MONDAY, days=14, now=NOW)
    assert not free.has_hours and free.empty and len(free.days) == 14


def test_slots_follow_the_centres_wall_clock_across_the_change_to_summer_time(db):
    worker = _worker_with_hours(db, (6, time(9, 0), time(10, 0)), (0, time(9, 0), time(10, 0)))
    sunday = date(2027, 3, 28)  # clocks go forward at 02:00 in Prague
    free = slots.free_time(db.session, worker.id, sunday, days=2, length=60, now=NOW)
    assert _times(free, sunday) == ["09:00"] and _times(free, sunday + timedelta(days=1)) == ["09:00"]
    assert free.days[sunday][0].starts_at.hour == 7  # UTC+2 now


def test_two_queries_whatever_the_number_of_appointments(db):
    worker = _worker_with_hours(db, *[(d, time(8, 0), time(16, 30)) for d in range(5)])
    client = factories.make_client(worker=worker)
    for n in range(20):
        factories.make_appointment(client=client, starts_at=local_to_utc(datetime(2027, 3, 1 + n % 5, 8 + n // 5, 0)),
                                   duration_minutes=30)
    db.session.flush()
    seen = []

    def count(*args, **kwargs):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        free = slots.free_time(db.session, worker.id, MONDAY, days=14, length=60, now=NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 2
    assert _times(free, MONDAY)[0] == "11:30"  # 8:00, 9:00, 10:00 and 11:00 are taken for half an hour each


def test_query_string_values_are_kept_in_range():
    today = date(2027, 3, 1)
    assert slots.length_or_default("90") == 90 and slots.length_or_default("45") == 60
    assert slots.length_or_default("x") == 60 and slots.length_or_default(None) == 60
    assert slots.first_day_or_today("2027-03-08", today) == date(2027, 3, 8)
    assert slots.first_day_or_today("2020-01-01", today) == today
    assert slots.first_day_or_today("2030-01-01", today) == today + timedelta(days=364)
    assert slots.first_day_or_today("nonsense", today) == today
    assert slots.parse_start("2027-03-01T09:30") == datetime(2027, 3, 1, 8, 30, tzinfo=timezone.utc)
    assert slots.parse_start("2027-03-01 09:30") is None and slots.parse_start(None) is None
