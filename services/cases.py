"""Rules of the case: intake, agreement, roadmap, appointments and visits."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Agreement, Appointment, Client, Intake, RoadmapTask, Visit
from models.base import utcnow
from models.enums import AgreementStatus, AppointmentPlace, AppointmentStatus, ClientStatus, TaskStatus
from services import clients, clock
from services.errors import ServiceError
from services.timeutil import local_now


def _today() -> date:
    return local_now().date()


#: No record of the centre's work is older than this.
EARLIEST = date(2000, 1, 1)


def _changed(obj, name: str) -> bool:
    """Is ``name`` of ``obj`` new or changed in this transaction (an unchanged old date is left alone)?"""
    import sqlalchemy as sa

    state = sa.inspect(obj)
    if state.transient or state.pending:
        return True
    return state.attrs[name].history.has_changes()


def _client_created_on(client: Client | None) -> date | None:
    from services.timeutil import to_local

    if client is None:
        return None
    return to_local(client.created_at).date() if client.created_at is not None else _today()


def _client_of(session: Session, obj) -> Client | None:
    """The client of a record being saved (its relationship, or the row its ``client_id`` names)."""
    if obj.client is not None:
        return obj.client
    return session.get(Client, obj.client_id) if getattr(obj, "client_id", None) else None


def check_day(obj, name: str, client: Client | None, future_message) -> None:
    """The date (or the day of the moment) ``name`` of ``obj`` cannot be in the future, before the
    client's record existed or before 2000. Checked when it is set or changed, on every path that saves
    ``obj`` (the forms, the case file, the command line); ``ServiceError.field`` is ``name``."""
    from datetime import datetime

    from services.formats import date_text
    from services.timeutil import to_local

    value = getattr(obj, name)
    if value is None or not _changed(obj, name):
        return
    day = to_local(value).date() if isinstance(value, datetime) else value
    if day > _today():
        raise ServiceError(future_message, field=name)
    if day < EARLIEST:
        raise ServiceError(_l("Enter a date from %(date)s on.", date=date_text(EARLIEST)), field=name)
    created_on = _client_created_on(client)
    if created_on is not None and day < created_on:
        raise ServiceError(_l("The date cannot be before the client's record was created (%(date)s).",
                              date=date_text(created_on)), field=name)


def save_intake(session: Session, intake: Intake) -> Intake:
    """Check an intake; ending it without agreement needs a reason and closes an interested person."""
    check_day(intake, "held_on", _client_of(session, intake), _l("The conversation cannot be held in the future."))
    if intake.end_reason is not None and intake.agreement_id is not None:
        raise ServiceError(_l("An intake ends either with an agreement or with a reason, not both."), field="end_reason")
    if intake.end_reason is not None and intake.ended_on is None:
        intake.ended_on = _today()
    if intake.ended_on is not None and intake.end_reason is None:
        raise ServiceError(_l("Choose why the intake ended without an agreement."), field="end_reason")
    if intake.held_on and intake.ended_on and intake.ended_on < intake.held_on:
        raise ServiceError(_l("The intake cannot end before it was held."), field="ended_on")
    check_day(intake, "ended_on", _client_of(session, intake), _l("The intake cannot end in the future."))
    session.flush()
    return intake


def save_agreement(session: Session, agreement: Agreement, is_created: bool) -> Agreement:
    """Check an agreement and apply what it means for the client.

    The verbal agreement needs a goal and the client's consent to the service; making it turns
    an interested person into a client assigned to the agreement's worker.
    """
    if agreement.status is None:
        agreement.status = AgreementStatus.ACTIVE
    if not (agreement.goal or "").strip():
        raise ServiceError(_l("Write down the goal agreed with the client."), field="goal")
    if not agreement.consent_service:
        raise ServiceError(_l("An agreement needs the client's consent to the service."), field="consent_service")
    check_day(agreement, "agreed_on", _client_of(session, agreement), _l("The agreement cannot be made in the future."))
    if agreement.consent_recorded_at is None:
        agreement.consent_recorded_at = utcnow()
    if agreement.consent_recorded_by_id is None and agreement.consent_recorded_by is None:
        agreement.consent_recorded_by = agreement.worker
    if agreement.status == AgreementStatus.ACTIVE:
        agreement.ended_on = None
    else:
        agreement.ended_on = agreement.ended_on or _today()
        if agreement.agreed_on and agreement.ended_on < agreement.agreed_on:
            raise ServiceError(_l("The agreement cannot end before it was made."), field="ended_on")
        check_day(agreement, "ended_on", _client_of(session, agreement), _l("The agreement cannot end in the future."))
    client: Client | None = agreement.client
    if client is not None and agreement.status == AgreementStatus.ACTIVE:
        if client.status != ClientStatus.CLIENT:
            client.status = ClientStatus.CLIENT
        if client.worker_id is None and client.worker is None:
            client.worker = agreement.worker
        clients.validate(client)
    session.flush()
    return agreement


def save_task(session: Session, task: RoadmapTask) -> RoadmapTask:
    if task.status is None:
        task.status = TaskStatus.OPEN
    if not (task.description or "").strip():
        raise ServiceError(_l("Describe what is to be done."), field="description")
    if task.status in (TaskStatus.DONE, TaskStatus.NOT_DONE):
        task.completed_on = task.completed_on or _today()
    elif task.status == TaskStatus.OPEN:
        task.completed_on = None
    if task.position in (None, 0) and task.agreement is not None and task.id is None:
        task.position = len([t for t in task.agreement.tasks if t is not task]) + 1
    session.flush()
    return task


#: Statuses that mean the client cancelled in advance (by phone or email).
CANCELLED_IN_ADVANCE = (AppointmentStatus.CANCELLED_PHONE, AppointmentStatus.CANCELLED_EMAIL)


def _stored_status(session: Session, appointment: Appointment) -> AppointmentStatus | None:
    """The status the appointment had before this change (None for a new one)."""
    import sqlalchemy as sa

    state = sa.inspect(appointment)
    if state.transient or state.pending or appointment.id is None:
        return None
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0]
    if not history.added:
        return appointment.status  # unchanged
    with session.no_autoflush:  # changed without the old value loaded: read what is stored
        return session.execute(sa.select(Appointment.status).where(Appointment.id == appointment.id)).scalar()


def check_status(session: Session, appointment: Appointment) -> None:
    """Attendance and no-shows only once the appointment has started; a client's cancellation in advance
    only while it is planned and before it starts. Every path that saves an appointment passes here."""
    status = appointment.status
    started = appointment.starts_at is not None and appointment.starts_at <= clock.now()
    if status == AppointmentStatus.ATTENDED and not started:
        raise ServiceError(_l("An appointment in the future cannot be marked as attended."), field="status")
    if status == AppointmentStatus.NO_SHOW and not started:
        raise ServiceError(_l("A no-show can be recorded only once the appointment's time has passed."), field="status")
    if status in CANCELLED_IN_ADVANCE:
        before = _stored_status(session, appointment)
        if before != status and (started or before not in (None, AppointmentStatus.PLANNED)):
            raise ServiceError(
                _l("A cancellation in advance can be recorded only for a planned appointment that has not started yet."),
                field="status",
            )


def save_appointment(session: Session, appointment: Appointment) -> Appointment:
    if appointment.status is None:
        appointment.status = AppointmentStatus.PLANNED
    check_status(session, appointment)
    if appointment.place == AppointmentPlace.PUBLIC_OFFICE and appointment.office is None and appointment.office_id is None:
        raise ServiceError(_l("Choose the public office."), field="office")
    if appointment.place != AppointmentPlace.PUBLIC_OFFICE:
        appointment.office = None
    if not appointment.duration_minutes or not (0 < appointment.duration_minutes <= 720):
        raise ServiceError(_l("The duration must be between 1 and 720 minutes."), field="duration_minutes")
    session.flush()
    if appointment.status == AppointmentStatus.ATTENDED:
        clients.record_contact(session, appointment.client_id, appointment.starts_at)
    return appointment


def save_visit(session: Session, visit: Visit) -> Visit:
    if visit.minutes is not None and not (0 <= visit.minutes <= 1440):
        raise ServiceError(_l("Enter the minutes spent (0–1440)."), field="minutes")
    if visit.occurred_at and visit.occurred_at > utcnow():
        raise ServiceError(_l("A contact cannot take place in the future."), field="occurred_at")
    check_day(visit, "occurred_at", _client_of(session, visit), _l("A contact cannot take place in the future."))
    if visit.client is not None or visit.client_id is not None:
        # the client record holds these; the visit keeps them only for anonymous walk-ins
        visit.citizenship = visit.language = None
        visit.sex = visit.age_band = None
    session.flush()
    clients.record_contact(session, visit.client_id, visit.occurred_at)
    return visit
