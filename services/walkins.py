"""Walk-in counselling: log a visit without an appointment, for a client or anonymously."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Client, Topic, Visit, Worker
from models.base import utcnow
from models.enums import AgeBand, AuditAction, Role, Sex, VisitChannel
from services import audit, cases, scheduling
from services.errors import ServiceError


def handling_worker(session: Session, client: Client | None, logged_by: Worker | None) -> Worker | None:
    """Who takes the walk-in: the client's own worker if at work, else the worker on duty, else a social worker logging it."""
    if client is not None and client.worker is not None and client.worker.active and scheduling.is_at_work(session, client.worker_id):
        return client.worker
    duty = scheduling.duty_worker(session)
    if duty is not None and duty.active:
        return duty
    if logged_by is not None and Role.WORKER in logged_by.role_set:
        return logged_by
    if client is not None and client.worker is not None:
        return client.worker
    return None


def log_walk_in(
    session: Session, *, client: Client | None = None, logged_by: Worker | None = None, topics: list[Topic] | None = None,
    urgent: bool = False, minutes: int | None = None, citizenship: str | None = None, language: str | None = None,
    sex: Sex | str | None = None, age_band: AgeBand | str | None = None, worker: Worker | None = None,
) -> Visit:
    """Record a walk-in visit, audited and flushed (the caller commits). An anonymous walk-in creates no
    client; its coded data count in statistics."""
    worker = worker or handling_worker(session, client, logged_by)
    if worker is None:
        raise ServiceError(_l("Nobody is on duty: choose the social worker who takes the visit."), field="worker")
    if client is None and not any((citizenship, language, sex, age_band, topics)):
        raise ServiceError(_l("For an anonymous walk-in fill in at least one of citizenship, language, sex, age band or topic."))
    if minutes is not None and not (0 <= minutes <= 1440):
        raise ServiceError(_l("Enter the minutes spent (0–1440)."), field="minutes")
    visit = Visit(
        occurred_at=utcnow(), channel=VisitChannel.WALK_IN, client=client, worker=worker, topics=list(topics or []),
        urgent=urgent, minutes=minutes,
        citizenship=(citizenship or None) if client is None else None,
        language=(language or None) if client is None else None,
        sex=Sex(sex) if sex and client is None else None,
        age_band=AgeBand(age_band) if age_band and client is None else None,
    )
    session.add(visit)
    cases.save_visit(session, visit)
    audit.record_for(session, AuditAction.CREATE, visit)
    session.flush()
    return visit
