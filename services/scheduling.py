"""Booking appointments: the same specialist, no double-booking, attendance rules.

The overlap check is safe under concurrency on both engines: before looking for a clash the booking
takes a write lock on the worker's row (a no-op UPDATE). PostgreSQL serialises bookings for the same
worker on that row lock; SQLite serialises all writers on the database lock. The second of two
simultaneous bookings therefore sees the first and is refused.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from models import Appointment, Client, Worker
from models.base import utcnow
from models.enums import AppointmentStatus, AuditAction, Role
from services import audit, cases
from services.errors import ServiceError

#: Statuses that occupy the worker's time.
BUSY = (AppointmentStatus.PLANNED, AppointmentStatus.ATTENDED)
#: Statuses that mean the client cancelled in advance.
CANCELLED_IN_ADVANCE = cases.CANCELLED_IN_ADVANCE


def lock_worker(session: Session, worker_id: int) -> None:
    """Take the write lock that serialises bookings for this worker (see the module doc)."""
    session.execute(sa.update(Worker).where(Worker.id == worker_id).values(active=Worker.active))


def lock_appointment(session: Session, appointment_id: int, client_id: int | None = None) -> Appointment | None:
    """The appointment, locked until this transaction ends and read afresh (None if it is not there,
    or not the client's): PostgreSQL ``SELECT … FOR UPDATE``; SQLite takes the database's write lock
    first (a no-op update). A second transaction wanting the same appointment waits here until the
    first commits, then sees what it wrote (recording a meeting twice: the second sees it recorded)."""
    query = session.query(Appointment).filter(Appointment.id == appointment_id)
    if client_id is not None:
        query = query.filter(Appointment.client_id == client_id)
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=Appointment).populate_existing().one_or_none()
    table = Appointment.__table__
    session.execute(sa.update(table).where(table.c.id == appointment_id).values(status=table.c.status))
    return query.populate_existing().one_or_none()


def clashes(session: Session, worker_id: int, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None) -> list[Appointment]:
    """The worker's appointments that overlap [starts_at, ends_at)."""
    query = (
        session.query(Appointment)
        .filter(Appointment.worker_id == worker_id, Appointment.status.in_(BUSY),
                Appointment.overlapping(starts_at, ends_at))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    if exclude_id is not None:
        query = query.filter(Appointment.id != exclude_id)
    return query.limit(5).all()


def _booked_or_moved(session: Session, appointment: Appointment, worker_id: int) -> bool:
    """A new appointment, or one whose worker or time is being changed (compared with what is stored)."""
    if appointment.id is None:
        return True
    stored = session.execute(
        sa.select(Appointment.worker_id, Appointment.starts_at).where(Appointment.id == appointment.id)
    ).one_or_none()
    return stored is None or stored.worker_id != worker_id or _utc(stored.starts_at) != _utc(appointment.starts_at)


def _utc(value: datetime | None) -> datetime | None:
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def check_booking(session: Session, appointment: Appointment, *, other_worker_reason: str | None = None) -> None:
    """Refuse a booking that double-books the worker; require a reason for another worker than the client's own.

    Call inside the transaction that saves the appointment (it takes the worker's lock), before it is
    flushed: the stored worker and time tell whether it is being moved.
    """
    with session.no_autoflush:  # loading a relationship must not write the change before it is judged
        _check_booking(session, appointment, other_worker_reason)


def _check_booking(session: Session, appointment: Appointment, other_worker_reason: str | None) -> None:
    # the relationship first: a form sets ``worker`` and ``worker_id`` still holds the old one until a flush
    worker_id = appointment.worker.id if appointment.worker is not None else appointment.worker_id
    client = appointment.client
    if worker_id is None:
        raise ServiceError(_l("Choose the social worker."), field="worker")
    worker = appointment.worker or session.get(Worker, worker_id)
    if worker is None or Role.WORKER not in worker.role_set or not worker.active:
        raise ServiceError(_l("Choose an active social worker."), field="worker")
    if appointment.starts_at is None or not appointment.duration_minutes:
        raise ServiceError(_l("Enter the start and the duration."), field="starts_at")
    check_planned_time(session, appointment)
    own_worker_id = client.worker.id if client is not None and client.worker is not None else getattr(client, "worker_id", None)
    if (
        own_worker_id is not None and own_worker_id != worker_id and _booked_or_moved(session, appointment, worker_id)
        and not (other_worker_reason or appointment.other_worker_reason or "").strip()
    ):
        raise ServiceError(
            _l("The client has their own social worker. Give the reason for booking someone else."), field="worker"
        )
    if appointment.status not in BUSY:
        return
    lock_worker(session, worker_id)
    end = appointment.starts_at + timedelta(minutes=appointment.duration_minutes)
    found = clashes(session, worker_id, appointment.starts_at, end, exclude_id=appointment.id)
    if found:
        from services.formats import datetime_text

        raise ServiceError(
            _l("%(name)s already has an appointment at that time (%(when)s).", name=worker.full_name,
               when=datetime_text(found[0].starts_at)),
            field="starts_at",
        )


def a_year_after(moment: datetime) -> datetime:
    """The same moment a year later (28 February for 29 February)."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, day=28)


def _planned_anew(session: Session, appointment: Appointment) -> bool:
    """Is the appointment being planned now: new, moved to another time, or made planned again?"""
    if appointment.id is None:
        return True
    stored = session.execute(
        sa.select(Appointment.starts_at, Appointment.status).where(Appointment.id == appointment.id)
    ).one_or_none()
    return stored is None or stored.status != AppointmentStatus.PLANNED or _utc(stored.starts_at) != _utc(appointment.starts_at)


def check_planned_time(session: Session, appointment: Appointment) -> None:
    """A planned appointment starts in the future (a past meeting is recorded in the case file) and at
    most a year ahead. Checked when it is booked, moved or planned again, whatever the path."""
    if appointment.status != AppointmentStatus.PLANNED or appointment.starts_at is None:
        return
    from services import clock

    now = clock.now()
    if not _planned_anew(session, appointment):
        return
    if _utc(appointment.starts_at) <= now:
        raise ServiceError(_l("A planned appointment must start in the future. Record a meeting that has taken place "
                              "in the client's case file."), field="starts_at")
    if _utc(appointment.starts_at) > a_year_after(now):
        raise ServiceError(_l("An appointment can be booked at most a year ahead."), field="starts_at")


def book(session: Session, client: Client, worker: Worker | None, starts_at: datetime, duration_minutes: int = 60,
         *, other_worker_reason: str | None = None, **fields) -> Appointment:
    """Book an appointment (the client's own worker when ``worker`` is None) and flush it."""
    worker = worker or client.worker
    appointment = Appointment(client=client, worker=worker, starts_at=starts_at, duration_minutes=duration_minutes,
                              status=fields.pop("status", AppointmentStatus.PLANNED),
                              other_worker_reason=(other_worker_reason or "").strip() or None, **fields)
    session.add(appointment)
    try:
        check_booking(session, appointment, other_worker_reason=other_worker_reason)
        cases.save_appointment(session, appointment)
    except ServiceError:
        session.expunge(appointment)  # a refused booking must not be saved by a later flush
        raise
    return appointment


def set_status(session: Session, appointment: Appointment, status: AppointmentStatus) -> Appointment:
    """Mark attendance or a cancellation (the rules are :func:`cases.check_status`, shared with the forms)."""
    status = AppointmentStatus(status)
    previous = appointment.status
    appointment.status = status
    try:
        cases.save_appointment(session, appointment)
    except ServiceError:
        appointment.status = previous  # a refused change must not be saved by a later flush
        raise
    return appointment


def change_status(session: Session, appointment: Appointment, status: AppointmentStatus | str) -> Appointment:
    """The status change of one appointment as an operation (reception's quick buttons): the change
    (:func:`set_status`), its audit entry, flushed; the caller commits."""
    set_status(session, appointment, status)
    audit.record_for(session, AuditAction.UPDATE, appointment, details={"fields": ["status"]})
    session.flush()
    return appointment


def planned_ahead(session: Session, client_ids, *, now: datetime | None = None) -> list[Appointment]:
    """The planned appointments of these clients that have not started yet, by time: what ending an
    agreement or anonymising the client cancels (their confirmation pages list them)."""
    ids = list(client_ids)
    if not ids:
        return []
    return (
        session.query(Appointment)
        .filter(Appointment.client_id.in_(ids), Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at > (now or utcnow()))
        .options(joinedload(Appointment.worker), joinedload(Appointment.office))
        .order_by(Appointment.starts_at, Appointment.id).all()
    )


def can_cancel_in_advance(appointment: Appointment, now: datetime | None = None) -> bool:
    """May the client's cancellation in advance still be recorded (planned, not started)?"""
    from services import clock

    return appointment.status == AppointmentStatus.PLANNED and appointment.starts_at > (now or clock.now())


def can_record_attendance(appointment: Appointment, now: datetime | None = None) -> bool:
    """May arrival or a no-show be recorded (the appointment has started)?"""
    from services import clock

    return appointment.starts_at <= (now or clock.now())


def attendance_counts(session: Session, client_id: int) -> dict[str, int]:
    """Attended, no-show and cancelled-in-advance counts of one client (one query)."""
    rows = dict(
        session.query(Appointment.status, sa.func.count(Appointment.id))
        .filter(Appointment.client_id == client_id)
        .group_by(Appointment.status).all()
    )
    return {
        "attended": rows.get(AppointmentStatus.ATTENDED, 0),
        "no_show": rows.get(AppointmentStatus.NO_SHOW, 0),
        "cancelled_in_advance": sum(rows.get(s, 0) for s in CANCELLED_IN_ADVANCE),
    }


# --- opening and working hours ---------------------------------------------------------------

def _local(value: datetime):
    from services.timeutil import to_local

    return to_local(value)


def outside_working_hours(session: Session, worker_id: int, starts_at: datetime, duration_minutes: int) -> bool:
    """True when the worker has working hours set and the appointment falls outside them (a warning, not a refusal)."""
    from models import WorkingHours

    start = _local(starts_at)
    end = _local(starts_at + timedelta(minutes=duration_minutes))
    hours = session.query(WorkingHours).filter(WorkingHours.worker_id == worker_id).all()
    if not hours:
        return False
    for interval in hours:
        if interval.weekday == start.weekday() and start.date() == end.date() \
                and interval.starts_at <= start.time() and end.time() <= interval.ends_at:
            return False
    return True


def is_at_work(session: Session, worker_id: int, when: datetime | None = None) -> bool:
    """Is the worker at work now (by their working hours; without hours set, assumed yes)?"""
    from models import WorkingHours

    now = _local(when or utcnow())
    hours = session.query(WorkingHours).filter(WorkingHours.worker_id == worker_id).all()
    if not hours:
        return True
    return any(h.weekday == now.weekday() and h.starts_at <= now.time() < h.ends_at for h in hours)


def walk_in_status(session: Session, when: datetime | None = None) -> dict:
    """Whether walk-in hours are open now, the current interval, and the next opening (within a week)."""
    from datetime import datetime as dt

    from models import WalkInHours

    now = _local(when or utcnow())
    intervals = (session.query(WalkInHours).options(joinedload(WalkInHours.duty_worker))
                 .order_by(WalkInHours.weekday, WalkInHours.opens_at, WalkInHours.id).all())
    current = next((i for i in intervals if i.weekday == now.weekday() and i.opens_at <= now.time() < i.closes_at), None)
    upcoming = None
    for offset in range(0, 8):
        day = now.date() + timedelta(days=offset)
        for interval in intervals:
            if interval.weekday != day.weekday():
                continue
            opening = dt.combine(day, interval.opens_at).replace(tzinfo=now.tzinfo)
            if opening > now:
                upcoming = (opening, interval)
                break
        if upcoming:
            break
    return {"open": current is not None, "current": current, "next": upcoming, "intervals": intervals}


def duty_worker(session: Session, when: datetime | None = None):
    """The worker on duty in the current walk-in interval, if any."""
    status = walk_in_status(session, when)
    return status["current"].duty_worker if status["current"] is not None else None
