"""Free slots: a worker's working hours minus their appointments, in the centre's time zone.

The booking page and the week calendar offer these as links; the double-booking guard
(:func:`services.scheduling.check_booking`) still decides when the booking is saved, so a slot
taken by a colleague a moment earlier is refused there.

Two queries whatever the span or the number of appointments: the worker's working hours and the
appointments that occupy them in the span.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Appointment, WorkingHours
from services import clock
from services.scheduling import BUSY
from services.timeutil import centre_zone, local_day_bounds, local_to_utc, to_local

#: The lengths a booking offers, in minutes.
LENGTHS = (30, 60, 90)
DEFAULT_LENGTH = 60
#: Slots start on the half hour of a working interval.
STEP_MINUTES = 30
#: How many days the booking page shows from its first day.
DAYS = 14
#: How far ahead slots are offered (a planned appointment starts at most a year ahead).
HORIZON_DAYS = 365
VALUE_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  #: aware UTC
    local: datetime  #: the same instant in the centre's zone

    @cached_property  # the page compares and links each slot by it
    def value(self) -> str:
        """As a booking link carries it: ``starts_at=YYYY-MM-DDTHH:MM`` (the centre's wall clock)."""
        return self.local.strftime(VALUE_FORMAT)


@dataclass
class FreeTime:
    worker_id: int
    length: int
    first_day: date
    days: dict[date, list[Slot]]
    has_hours: bool  #: False when the worker has no working hours set (then nothing is offered)

    @property
    def empty(self) -> bool:
        return not any(self.days.values())


def length_or_default(value) -> int:
    """A length from a query string: one of :data:`LENGTHS`, else the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LENGTH
    return number if number in LENGTHS else DEFAULT_LENGTH


def first_day_or_today(value, today: date | None = None) -> date:
    """A first day from a query string (``YYYY-MM-DD``), kept between today and the horizon; else today."""
    today = today or to_local(clock.now()).date()
    try:
        day = date.fromisoformat(str(value)) if value else today
    except ValueError:
        return today
    return min(max(day, today), today + timedelta(days=HORIZON_DAYS - 1))


def parse_start(value) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` in the centre's time → aware UTC, or None for anything else."""
    try:
        return local_to_utc(datetime.strptime(str(value or ""), VALUE_FORMAT))
    except ValueError:
        return None


def free_time(session: Session, worker_id: int, first_day: date, *, days: int = DAYS, length: int = DEFAULT_LENGTH,
              now: datetime | None = None) -> FreeTime:
    """The worker's free slots of ``length`` minutes on ``days`` days from ``first_day``: inside their working
    hours, not overlapping any appointment that occupies their time, starting after ``now``."""
    now = now or clock.now()
    hours = session.execute(
        sa.select(WorkingHours.weekday, WorkingHours.starts_at, WorkingHours.ends_at)
        .where(WorkingHours.worker_id == worker_id).order_by(WorkingHours.weekday, WorkingHours.starts_at)
    ).all()
    last_day = first_day + timedelta(days=days - 1)
    span_start, span_end = local_day_bounds(first_day)[0], local_day_bounds(last_day)[1]
    # aware UTC instants (the columns' type makes them so)
    busy = [] if not hours else [
        tuple(row) for row in session.execute(
            sa.select(Appointment.starts_at, Appointment.ends_at)
            .where(Appointment.worker_id == worker_id, Appointment.status.in_(BUSY),
                   Appointment.overlapping(span_start, span_end))
            .order_by(Appointment.starts_at)
        ).all()
    ]
    horizon = now + timedelta(days=HORIZON_DAYS)
    step, duration = timedelta(minutes=STEP_MINUTES), timedelta(minutes=length)
    # a slot [start, end) is taken when an appointment starting before its end ends after its start: of
    # the appointments (sorted by start) those starting before the end are a prefix, and the latest end
    # among them decides (a busy worker has hundreds in two weeks, tested against each slot otherwise)
    busy.sort()
    busy_starts = [b_start for b_start, _b_end in busy]
    latest_end = list(itertools.accumulate((b_end for _b_start, b_end in busy), max))
    zone = centre_zone()  # read once for the few hundred starts converted below
    result: dict[date, list[Slot]] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        slots = result.setdefault(day, [])
        for weekday, opens, closes in hours:
            if weekday != day.weekday():
                continue
            wall, closing = datetime.combine(day, opens), datetime.combine(day, closes)
            while wall + duration <= closing:
                start = local_to_utc(wall, zone)
                end = start + duration
                before_end = bisect.bisect_left(busy_starts, end)
                if now < start <= horizon and not (before_end and latest_end[before_end - 1] > start):
                    slots.append(Slot(start, to_local(start, zone)))
                wall += step
        slots.sort(key=lambda slot: slot.starts_at)
    return FreeTime(worker_id=worker_id, length=length, first_day=first_day, days=result, has_hours=bool(hours))

