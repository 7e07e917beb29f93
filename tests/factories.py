"""Factory functions for every model; each flushes and returns the new object."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from extensions import db
from models import Agreement, Appointment, AuditEvent, Client, DataRequest, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker
from models.enums import (
    AgreementStatus, AppointmentFormat, DataRequestChannel, DataRequestType, AppointmentPlace, AppointmentPurpose, AppointmentStatus, AuditAction,
    ClientStatus, Responsible, Role, TaskStatus, VisitChannel,
)
from services import clients
from services.timeutil import local_now

_counter = itertools.count(1)


def next_n() -> int:
    return next(_counter)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_worker(email=None, full_name=None, roles=(Role.WORKER,), password="correct horse battery staple", **fields):
    n = next_n()
    worker = Worker(
        email=email or f"worker{n}@test.example",
        full_name=full_name or f"Pracovník {n}",
        roles=[Role(r).value for r in roles],
        languages=fields.pop("languages", ["cs"]),
        active=fields.pop("active", True),
        **fields,
    )
    worker.set_password(password)
    return _save(worker)


def make_client(worker=None, status=ClientStatus.CLIENT, **fields):
    if worker is None and status != ClientStatus.INTERESTED:
        worker = make_worker()
    n = next_n()
    fields.setdefault("first_name", "Olena")
    fields.setdefault("last_name", f"Kovalenko{n}")
    fields.setdefault("citizenship", "UA")
    client = Client(status=status, worker=worker, **fields)
    clients.prepare_new(db.session, client)
    return _save(client)


def make_agreement(client=None, worker=None, **fields):
    client = client or make_client(worker=worker)
    worker = worker or client.worker or make_worker()
    fields.setdefault("agreed_on", local_now().date() - timedelta(days=10))
    fields.setdefault("goal", "Podat žádost o prodloužení pobytu")
    fields.setdefault("issue", "Končí mi povolení k pobytu")
    fields.setdefault("consent_service", True)
    fields.setdefault("consent_data", True)
    fields.setdefault("status", AgreementStatus.ACTIVE)
    return _save(Agreement(client=client, worker=worker, consent_recorded_by=worker,
                           consent_recorded_at=datetime.now(timezone.utc), **fields))


def make_intake(client=None, worker=None, **fields):
    client = client or make_client(status=ClientStatus.INTERESTED)
    worker = worker or client.worker or make_worker()
    fields.setdefault("held_on", local_now().date())
    fields.setdefault("issue", "Potřebuje poradit s pobytem")
    return _save(Intake(client=client, worker=worker, **fields))


def make_task(agreement=None, **fields):
    agreement = agreement or make_agreement()
    fields.setdefault("description", "Donést potvrzení o ubytování")
    fields.setdefault("responsible", Responsible.CLIENT)
    fields.setdefault("status", TaskStatus.OPEN)
    fields.setdefault("due_on", local_now().date() + timedelta(days=7))
    return _save(RoadmapTask(agreement=agreement, **fields))


def make_appointment(client=None, worker=None, **fields):
    client = client or make_client(worker=worker)
    worker = worker or client.worker
    fields.setdefault("starts_at", datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1))
    fields.setdefault("duration_minutes", 60)
    fields.setdefault("format", AppointmentFormat.OFFICE)
    fields.setdefault("place", AppointmentPlace.CENTRE)
    fields.setdefault("purpose", AppointmentPurpose.CONSULTATION)
    fields.setdefault("status", AppointmentStatus.PLANNED)
    return _save(Appointment(client=client, worker=worker, **fields))


def make_visit(client=None, worker=None, anonymous=False, **fields):
    if not anonymous:
        client = client or make_client(worker=worker)
        worker = worker or client.worker
    worker = worker or make_worker()
    fields.setdefault("occurred_at", datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1))
    fields.setdefault("channel", VisitChannel.WALK_IN)
    fields.setdefault("minutes", 20)
    return _save(Visit(client=None if anonymous else client, worker=worker, **fields))


def make_topic(code=None, **fields):
    n = next_n()
    return _save(Topic(code=code or f"topic{n}", label_cs=fields.pop("label_cs", f"Téma {n}"),
                       label_en=fields.pop("label_en", f"Topic {n}"), **fields))


def make_office(code=None, **fields):
    n = next_n()
    return _save(PublicOffice(code=code or f"office{n}", name_cs=fields.pop("name_cs", f"Úřad {n}"),
                              name_en=fields.pop("name_en", f"Office {n}"), **fields))


def make_audit_event(action=AuditAction.VIEW, **fields):
    return _save(AuditEvent(action=action, **fields))


def make_data_request(client=None, **fields):
    from services.data_requests import one_month_after

    client = client or make_client()
    fields.setdefault("type", DataRequestType.ACCESS)
    fields.setdefault("channel", DataRequestChannel.IN_PERSON)
    fields.setdefault("received_on", local_now().date() - timedelta(days=3))
    fields.setdefault("due_on", one_month_after(fields["received_on"]))
    return _save(DataRequest(client=client, client_code=client.code, **fields))


def make_walk_in_hours(weekday=0, opens_at=None, closes_at=None, duty_worker=None):
    from datetime import time

    from models import WalkInHours

    return _save(WalkInHours(weekday=weekday, opens_at=opens_at or time(9, 0), closes_at=closes_at or time(12, 0),
                             duty_worker=duty_worker))


def make_working_hours(worker=None, weekday=0, starts_at=None, ends_at=None):
    from datetime import time

    from models import WorkingHours

    return _save(WorkingHours(worker=worker or make_worker(), weekday=weekday, starts_at=starts_at or time(8, 0),
                              ends_at=ends_at or time(16, 30)))


def local_input(days: int = 7, hour: int = 10, minute: int = 0) -> str:
    """A wall-clock time ``days`` from today in the centre, as typed into a datetime-local field (a planned
    appointment must start in the future and at most a year ahead)."""
    from services.timeutil import local_now

    day = local_now().date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def today_input() -> str:
    """The start of today in the centre, as typed into a datetime-local field: never in the future and never
    before the day a client record made today was created."""
    return local_input(days=0, hour=0)
