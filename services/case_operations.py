"""The operations that run a case: the first conversation (intake), the agreement, ending an intake,
recording a meeting, closing the case.

Each takes plain data, checks ``access.can_write_confidential``, applies the rules of
:mod:`services.cases` and :mod:`services.scheduling`, audits what it changed (field names, never
values) and flushes. The caller commits; on a :class:`ServiceError` the caller rolls back, so a
refused operation saves nothing, not even the steps that came before the refusal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from models import Agreement, Appointment, Client, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker
from models.base import utcnow
from models.enums import (
    AgreementStatus, AppointmentFormat, AppointmentPlace, AppointmentPurpose, AppointmentStatus, AuditAction, ClientStatus,
    IntakeEndReason, Responsible, Role, TaskStatus, VisitChannel,
)
from services import access, audit, cases, clients, scheduling
from services.casefile import active_agreement, open_intake
from services.errors import ServiceError
from services.timeutil import centre_zone, local_now, to_local

MAX_TEXT = 10000
MAX_OUTCOME = 500

#: Statuses a planned appointment can be given when the meeting is recorded.
ATTENDANCE = (
    AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED_PHONE,
    AppointmentStatus.CANCELLED_EMAIL, AppointmentStatus.CANCELLED_CENTRE,
)
#: A meeting submitted again (a double click, a second tab) after it was recorded.
ALREADY_RECORDED = _l("This meeting has already been recorded (perhaps from another tab or by a second click). "
                      "Nothing was changed by this submission; open the case file to see what was recorded.")
#: What can happen to an open task at a meeting.
TASK_ACTIONS = {"continue": TaskStatus.OPEN, "done": TaskStatus.DONE, "not_done": TaskStatus.NOT_DONE}
#: Client fields that are personal data (their processing needs the client's consent).
PERSONAL_FIELDS = ("first_name", "last_name", "birth_date", "birth_year", "phone", "email", "municipality")


def _today() -> date:
    return local_now().date()


def _clean(text: str | None, limit: int = MAX_TEXT) -> str | None:
    text = (text or "").strip()
    return text[:limit] if text else None


def _audit(session: Session, action: AuditAction, obj: Any, by: Worker | None, details: dict | None = None) -> None:
    audit.record(session, action, entity=getattr(obj, "__tablename__", None), entity_id=getattr(obj, "id", None),
                 client_code=audit.client_code_of(obj), actor_id=getattr(by, "id", None), details=details)



def _require_write(session: Session, by: Worker, obj: Any) -> None:
    client = obj if isinstance(obj, Client) else obj.client
    if client.anonymised_at is not None:
        raise ServiceError(_l("This record has been anonymised."))
    if Role.WORKER not in getattr(by, "role_set", set()) or not access.can_write_confidential(session, by, obj):
        raise ServiceError(_l("Only the client's own social worker may write notes and other confidential content."))


# --- intake → agreement ----------------------------------------------------------------------

def _noon_utc(day: date) -> datetime:
    return datetime.combine(day, time(12, 0)).replace(tzinfo=centre_zone()).astimezone(timezone.utc)


def record_intake(session: Session, client: Client, by: Worker, *, issue: str, held_on: date | None = None,
                  topic_ids=(), channel: VisitChannel | str = VisitChannel.WALK_IN, minutes: int | None = None) -> Intake:
    """Record the first conversation with an interested person (or a returning client).

    The issue in the person's words goes on the intake; the contact itself, with its topics, is a visit.
    """
    held_on = held_on or _today()
    intake = Intake(client=client, client_id=client.id, worker=by, held_on=held_on, issue=_clean(issue))
    _require_write(session, by, intake)
    if client.status == ClientStatus.CLIENT or active_agreement(session, client) is not None:
        raise ServiceError(_l("The client already has an active agreement."))
    if open_intake(session, client) is not None:
        raise ServiceError(_l("An intake with this person is already open: make the agreement or end it first."))
    if not intake.issue:
        raise ServiceError(_l("Write down the issue in the client's words."), field="issue")
    if held_on > _today():
        raise ServiceError(_l("The conversation cannot be held in the future."), field="held_on")
    if minutes is not None and not (0 <= minutes <= 1440):
        raise ServiceError(_l("Enter the minutes spent (0 to 1440)."), field="minutes")
    session.add(intake)
    cases.save_intake(session, intake)
    occurred_at = min(utcnow(), _noon_utc(held_on)) if held_on != _today() else utcnow()
    visit = Visit(client=client, worker=by, occurred_at=occurred_at.replace(microsecond=0), channel=VisitChannel(channel),
                  minutes=minutes)
    ids = {int(i) for i in topic_ids or ()}
    if ids:
        visit.topics = session.query(Topic).filter(Topic.id.in_(ids), Topic.active.is_(True)).order_by(Topic.code).all()
    session.add(visit)
    cases.save_visit(session, visit)
    _audit(session, AuditAction.CREATE, intake, by)
    _audit(session, AuditAction.CREATE, visit, by)
    session.flush()
    return intake


def has_personal_data(client: Client) -> bool:
    return any(getattr(client, name) not in (None, "") for name in PERSONAL_FIELDS)


def make_agreement(session: Session, client: Client, by: Worker, *, goal: str, issue: str | None = None,
                   consent_service: bool, consent_data: bool, agreed_on: date | None = None) -> Agreement:
    """Make the verbal agreement: the goal and the consents, recorded by ``by`` today.

    An interested person must have had the first conversation (an open intake, which the agreement
    closes); they become a client assigned to the worker who made the agreement. A returning
    (closed) client gets a new agreement with their own worker and is a client again.
    """
    if active_agreement(session, client) is not None:
        raise ServiceError(_l("The client already has an active agreement."))
    intake = open_intake(session, client)
    if client.status == ClientStatus.INTERESTED and intake is None:
        raise ServiceError(_l("Record the first conversation before making the agreement."))
    worker = client.worker or by
    agreement = Agreement(
        client=client, client_id=client.id, worker=worker, agreed_on=agreed_on or _today(),
        issue=_clean(issue) or (intake.issue if intake is not None else None), goal=_clean(goal) or "",
        consent_service=bool(consent_service), consent_data=bool(consent_data), consent_recorded_by=by,
        consent_recorded_at=utcnow(), status=AgreementStatus.ACTIVE,
    )
    _require_write(session, by, agreement)
    if intake is not None and agreement.agreed_on < intake.held_on:
        raise ServiceError(_l("The agreement cannot be made before the first conversation."), field="agreed_on")
    if consent_service and not consent_data and has_personal_data(client):
        raise ServiceError(_l("The client has given personal data: record their consent to processing it "
                              "(or remove the data from the client's record)."), field="consent_data")
    session.add(agreement)
    try:
        cases.save_agreement(session, agreement, True)
    except ServiceError:
        session.expunge(agreement)
        raise
    if intake is not None:
        intake.agreement = agreement
        cases.save_intake(session, intake)
        _audit(session, AuditAction.UPDATE, intake, by, {"fields": ["agreement_id"]})
    _audit(session, AuditAction.CREATE, agreement, by)
    session.flush()
    return agreement


def end_intake(session: Session, client: Client, by: Worker, *, reason: IntakeEndReason | str, note: str | None = None,
               ended_on: date | None = None) -> Intake:
    """End the open intake without an agreement, with the reason (the person stays an interested person)."""
    intake = open_intake(session, client)
    if intake is None:
        raise ServiceError(_l("There is no open intake."))
    _require_write(session, by, intake)
    try:
        reason = IntakeEndReason(reason)
    except ValueError as exc:
        raise ServiceError(_l("Choose why the intake ended without an agreement."), field="end_reason") from exc
    note = _clean(note)
    if reason == IntakeEndReason.OTHER and not note:
        raise ServiceError(_l("Describe the other reason."), field="end_note")
    ended_on = ended_on or _today()
    if ended_on > _today():
        raise ServiceError(_l("The intake cannot end in the future."), field="ended_on")
    intake.end_reason, intake.end_note, intake.ended_on = reason, note, ended_on
    cases.save_intake(session, intake)
    _audit(session, AuditAction.UPDATE, intake, by, {"fields": ["end_note", "end_reason", "ended_on"]})
    session.flush()
    return intake


# --- record a meeting ------------------------------------------------------------------------

@dataclass
class TaskUpdate:
    task_id: int
    action: str = "continue"  #: continue, done or not_done
    outcome: str | None = None


@dataclass
class NewTask:
    description: str | None
    responsible: Responsible | str = Responsible.CLIENT
    due_on: date | None = None
    row: int = 0  #: the form row, for error messages


@dataclass
class NextAppointment:
    starts_at: datetime | None
    duration_minutes: int = 60
    worker_id: int | None = None  #: None: the client's own worker
    other_worker_reason: str | None = None
    place: AppointmentPlace | str = AppointmentPlace.CENTRE
    office_id: int | None = None
    purpose: AppointmentPurpose | str = AppointmentPurpose.CONSULTATION


@dataclass
class Meeting:
    """What happened at one meeting, as plain data (field names match the form's)."""

    appointment_id: int | None = None  #: the planned appointment; None records a new, attended one
    attendance: AppointmentStatus | str = AppointmentStatus.ATTENDED
    held_at: datetime | None = None  #: start of a new appointment (default: ``duration_minutes`` ago)
    duration_minutes: int = 60
    place: AppointmentPlace | str = AppointmentPlace.CENTRE
    purpose: AppointmentPurpose | str = AppointmentPurpose.CONSULTATION
    notes: str | None = None
    evaluation: str | None = None
    next_steps: str | None = None
    task_updates: list[TaskUpdate] = field(default_factory=list)
    new_tasks: list[NewTask] = field(default_factory=list)
    next_appointment: NextAppointment | None = None


@dataclass
class MeetingResult:
    appointment: Appointment
    updated: list[RoadmapTask]
    created: list[RoadmapTask]
    next_appointment: Appointment | None


def _format_of(place: AppointmentPlace, purpose: AppointmentPurpose) -> AppointmentFormat:
    if place == AppointmentPlace.CENTRE or purpose == AppointmentPurpose.REMOTE:
        return AppointmentFormat.OFFICE
    return AppointmentFormat.FIELD


def _enum(enum_class, value, field_name: str):
    try:
        return enum_class(value)
    except ValueError as exc:
        raise ServiceError(_l("Not a valid choice."), field=field_name) from exc


def _reraise(exc: ServiceError, mapping: dict[str, str], default: str | None = None) -> ServiceError:
    return ServiceError(exc.message, field=mapping.get(exc.field or "", default))


#: How long after its start an appointment reception marked as arrived is offered for the meeting record.
ARRIVED_DAYS = 14


def _no_record():
    """The appointment holds no record of the meeting yet (no notes, evaluation or next steps)."""
    return sa.and_(Appointment.notes.is_(None), Appointment.evaluation.is_(None), Appointment.next_steps.is_(None))


def is_arrived(appointment: Appointment) -> bool:
    """Attended but not yet recorded: reception marked the client as arrived, the worker has not
    written the meeting down (no notes, evaluation or next steps)."""
    return appointment.status == AppointmentStatus.ATTENDED and not (
        appointment.notes or appointment.evaluation or appointment.next_steps)


def planned_appointments(session: Session, client: Client, until: datetime | None = None, limit: int = 10) -> list[Appointment]:
    """The client's appointments a meeting can be recorded for now: first those reception marked as
    arrived (attended, not yet recorded; of the last ``ARRIVED_DAYS`` days), then the planned ones
    that started before ``until``; each group newest first."""
    until = until or utcnow()
    arrived = sa.and_(Appointment.status == AppointmentStatus.ATTENDED, _no_record(),
                      Appointment.starts_at >= utcnow() - timedelta(days=ARRIVED_DAYS))
    return (
        session.query(Appointment)
        .filter(Appointment.client_id == client.id, Appointment.starts_at <= until,
                sa.or_(Appointment.status == AppointmentStatus.PLANNED, arrived))
        .options(joinedload(Appointment.worker))  # each is offered by its time and worker
        .order_by(sa.case((Appointment.status == AppointmentStatus.ATTENDED, 0), else_=1),
                  Appointment.starts_at.desc(), Appointment.id.desc()).limit(limit).all()
    )


def _arrived_at(session: Session, client: Client, worker_id: int, starts_at: datetime, minutes: int) -> Appointment | None:
    """The client's appointment with ``worker_id`` that reception marked as arrived and that overlaps
    the given time: an "unplanned" meeting at that time is that appointment."""
    ends_at = starts_at + timedelta(minutes=minutes)
    return (
        session.query(Appointment)
        .filter(Appointment.client_id == client.id, Appointment.worker_id == worker_id,
                Appointment.status == AppointmentStatus.ATTENDED, _no_record(),
                Appointment.overlapping(starts_at, ends_at))
        .order_by(Appointment.starts_at, Appointment.id).first()
    )


def record_meeting(session: Session, client: Client, by: Worker, meeting: Meeting) -> MeetingResult:
    """Record one meeting in one go: attendance, notes, evaluation, next steps, the roadmap, the next appointment.

    Everything is checked and flushed in the caller's transaction; on a :class:`ServiceError` the
    caller rolls back and nothing of the meeting is saved. ``ServiceError.field`` names the form field.
    """
    agreement = active_agreement(session, client)
    if agreement is None:
        raise ServiceError(_l("The client has no active agreement. Make the agreement first."))
    _require_write(session, by, agreement)
    now = utcnow()
    attendance = _enum(AppointmentStatus, meeting.attendance, "attendance")
    if attendance not in ATTENDANCE:
        raise ServiceError(_l("Not a valid choice."), field="attendance")
    texts = {name: _clean(getattr(meeting, name)) for name in ("notes", "evaluation", "next_steps")}

    # the appointment the meeting belongs to (checked before anything is written)
    appointment = None
    if meeting.appointment_id is not None:
        # locked until the commit: a second submission (a double click, another tab) waits here, then
        # finds the meeting recorded and changes nothing
        appointment = scheduling.lock_appointment(session, meeting.appointment_id, client.id)
        if appointment is None:
            raise ServiceError(_l("Choose one of the client's appointments."), field="appointment")
        if appointment.status != AppointmentStatus.PLANNED and not is_arrived(appointment):
            raise ServiceError(ALREADY_RECORDED, field="appointment")
        meeting_day = appointment.starts_at
    else:
        if attendance != AppointmentStatus.ATTENDED:
            raise ServiceError(_l("A meeting without a planned appointment can only be recorded as attended."), field="attendance")
        duration = meeting.duration_minutes or 0
        if not (0 < duration <= 720):
            raise ServiceError(_l("The duration must be between 1 and 720 minutes."), field="duration_minutes")
        held_at = meeting.held_at or (now - timedelta(minutes=duration)).replace(second=0, microsecond=0)
        if held_at > now:
            raise ServiceError(_l("An appointment in the future cannot be marked as attended."), field="held_at")
        meeting_day = held_at
        # reception marked the client as arrived for an appointment at that time: the meeting is that one
        appointment = _arrived_at(session, client, by.id, held_at, duration)
        if appointment is not None:
            meeting_day = appointment.starts_at
    if appointment is not None and is_arrived(appointment) and attendance == AppointmentStatus.ATTENDED \
            and not any(texts.values()):
        # what makes an arrived appointment recorded: without it the meeting could be recorded twice
        raise ServiceError(_l("Write down the notes, the evaluation or the next steps of the meeting."), field="notes")
    meeting_date = to_local(meeting_day).date()

    # the roadmap: open tasks of the active agreement, and new ones
    open_tasks = {t.id: t for t in agreement.tasks if t.status == TaskStatus.OPEN}
    updates = []
    for update in meeting.task_updates:
        task = open_tasks.get(int(update.task_id))
        if task is None:
            raise ServiceError(_l("This task is no longer open."), field=f"task_{update.task_id}_status")
        if update.action not in TASK_ACTIONS:
            raise ServiceError(_l("Not a valid choice."), field=f"task_{update.task_id}_status")
        updates.append((task, TASK_ACTIONS[update.action], _clean(update.outcome, MAX_OUTCOME)))
    additions = []
    for new in meeting.new_tasks:
        description = _clean(new.description)
        if not description and new.due_on is None:
            continue  # an empty row
        prefix = f"new_tasks-{new.row}-"
        if not description:
            raise ServiceError(_l("Describe what is to be done."), field=prefix + "description")
        responsible = _enum(Responsible, new.responsible, prefix + "responsible")
        if new.due_on is not None and new.due_on < meeting_date:
            raise ServiceError(_l("The due date cannot be before the meeting."), field=prefix + "due_on")
        if new.due_on is not None and new.due_on > meeting_date + timedelta(days=3 * 366):
            raise ServiceError(_l("The due date is too far ahead."), field=prefix + "due_on")
        additions.append((description, responsible, new.due_on))

    # 1. attendance and the record of the meeting
    if appointment is not None:
        for name, value in texts.items():
            setattr(appointment, name, value)
        try:
            scheduling.set_status(session, appointment, attendance)
        except ServiceError as exc:
            raise _reraise(exc, {"status": "attendance"}, "attendance") from exc
        _audit(session, AuditAction.UPDATE, appointment, by,
               {"fields": sorted(["status"] + [k for k, v in texts.items() if v])})
    else:
        place = _enum(AppointmentPlace, meeting.place, "place")
        purpose = _enum(AppointmentPurpose, meeting.purpose, "purpose")
        if place == AppointmentPlace.PUBLIC_OFFICE:
            raise ServiceError(_l("Choose the public office."), field="place")
        reason = None
        if client.worker_id is not None and client.worker_id != by.id:
            reason = str(_l("Cover access"))
        try:
            appointment = scheduling.book(
                session, client, by, held_at, duration, other_worker_reason=reason, status=AppointmentStatus.ATTENDED,
                place=place, purpose=purpose, format=_format_of(place, purpose), **texts,
            )
        except ServiceError as exc:
            raise _reraise(exc, {"starts_at": "held_at", "status": "held_at", "duration_minutes": "duration_minutes",
                                 "worker": "held_at", "office": "place"}, "held_at") from exc
        _audit(session, AuditAction.CREATE, appointment, by)

    # 2. the roadmap
    updated = []
    for task, status, outcome in updates:
        changed = []
        if status != task.status:
            task.status = status
            changed.append("status")
            if status in (TaskStatus.DONE, TaskStatus.NOT_DONE):
                task.completed_on = max(meeting_date, task.completed_on or meeting_date)
                changed.append("completed_on")
        if outcome and outcome != task.outcome:
            task.outcome = outcome
            changed.append("outcome")
        if changed:
            cases.save_task(session, task)
            _audit(session, AuditAction.UPDATE, task, by, {"fields": sorted(changed)})
            updated.append(task)
    created = []
    for description, responsible, due_on in additions:
        task = RoadmapTask(agreement=agreement, description=description, responsible=responsible, due_on=due_on,
                           status=TaskStatus.OPEN)
        session.add(task)
        cases.save_task(session, task)
        _audit(session, AuditAction.CREATE, task, by)
        created.append(task)

    # 3. the next appointment: the same worker unless another is chosen, never double-booked
    booked = None
    nxt = meeting.next_appointment
    if nxt is not None:
        if nxt.starts_at is None:
            raise ServiceError(_l("Enter when the next appointment starts."), field="next_starts_at")
        if nxt.starts_at <= now:
            raise ServiceError(_l("The next appointment must be in the future."), field="next_starts_at")
        if not (0 < (nxt.duration_minutes or 0) <= 720):
            raise ServiceError(_l("The duration must be between 1 and 720 minutes."), field="next_duration_minutes")
        place = _enum(AppointmentPlace, nxt.place, "next_place")
        purpose = _enum(AppointmentPurpose, nxt.purpose, "next_purpose")
        worker = session.get(Worker, nxt.worker_id) if nxt.worker_id else client.worker
        if worker is None:
            raise ServiceError(_l("Choose the social worker."), field="next_worker")
        office = session.get(PublicOffice, nxt.office_id) if nxt.office_id else None
        try:
            booked = scheduling.book(
                session, client, worker, nxt.starts_at, nxt.duration_minutes,
                other_worker_reason=_clean(nxt.other_worker_reason, 300), place=place, purpose=purpose,
                format=_format_of(place, purpose), office=office,
            )
        except ServiceError as exc:
            raise _reraise(exc, {"starts_at": "next_starts_at", "worker": "next_worker",
                                 "duration_minutes": "next_duration_minutes", "office": "next_office"},
                           "next_starts_at") from exc
        _audit(session, AuditAction.CREATE, booked, by)
    session.flush()
    return MeetingResult(appointment=appointment, updated=updated, created=created, next_appointment=booked)


# --- closing and reopening -------------------------------------------------------------------

ENDED = tuple(s for s in AgreementStatus if s != AgreementStatus.ACTIVE)


def close_case(session: Session, client: Client, by: Worker, *, status: AgreementStatus | str, reason: str,
               ended_on: date | None = None, cancel_appointments: bool = True) -> Agreement:
    """End the active agreement with its status and reason; the client becomes closed.

    Open roadmap tasks are dropped (they stay in the history). The client's planned appointments
    ahead (:func:`services.scheduling.planned_ahead`, the page lists them) are cancelled by the
    centre unless ``cancel_appointments`` is False (the worker unticked it: a last meeting to come).
    A returning client gets a new agreement (:func:`make_agreement`).
    """
    agreement = active_agreement(session, client)
    if agreement is None:
        raise ServiceError(_l("The client has no active agreement."))
    _require_write(session, by, agreement)
    status = _enum(AgreementStatus, status, "status")
    if status not in ENDED:
        raise ServiceError(_l("Choose how the agreement ended."), field="status")
    reason = _clean(reason)
    if not reason:
        raise ServiceError(_l("Write down why the agreement ended."), field="end_reason")
    ended_on = ended_on or _today()
    if ended_on > _today():
        raise ServiceError(_l("The agreement cannot end in the future."), field="ended_on")
    agreement.status, agreement.end_reason, agreement.ended_on = status, reason, ended_on
    try:
        cases.save_agreement(session, agreement, False)
    except ServiceError as exc:
        raise _reraise(exc, {"ended_on": "ended_on"}, None) from exc
    _audit(session, AuditAction.UPDATE, agreement, by, {"fields": ["end_reason", "ended_on", "status"]})
    for task in agreement.tasks:
        if task.status == TaskStatus.OPEN:
            task.status, task.completed_on = TaskStatus.DROPPED, ended_on
            _audit(session, AuditAction.UPDATE, task, by, {"fields": ["completed_on", "status"]})
    if cancel_appointments:
        for appointment in scheduling.planned_ahead(session, [client.id]):
            scheduling.set_status(session, appointment, AppointmentStatus.CANCELLED_CENTRE)
            _audit(session, AuditAction.UPDATE, appointment, by, {"fields": ["status"]})
    client.status = ClientStatus.CLOSED
    clients.validate(client)
    _audit(session, AuditAction.UPDATE, client, by, {"fields": ["status"]})
    session.flush()
    return agreement
