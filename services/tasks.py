"""Roadmap tasks kept in the case file: add, edit, mark done or not done with an outcome, reorder.

Each operation is one small change with its audit entry, flushed; the caller commits. Only the client's
own social worker or a colleague with cover access writes (services.access); only the tasks of the
client's active agreement change (an ended agreement's roadmap is history). The text of a task is
confidential: audit entries name the fields, never their content.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Agreement, Client, RoadmapTask, Worker
from models.enums import AgreementStatus, AuditAction, Responsible, Role, TaskStatus
from services import access, audit
from services.errors import ServiceError
from services.timeutil import local_now

MAX_DESCRIPTION = 2000
MAX_OUTCOME = 4000
#: What a task can be marked as from the case file.
FINISHED = (TaskStatus.DONE, TaskStatus.NOT_DONE)


def _clean(text: str | None, limit: int) -> str | None:
    text = (text or "").strip()
    return text[:limit] or None


def _require_write(session: Session, by: Worker, agreement: Agreement) -> None:
    client: Client = agreement.client
    if client.anonymised_at is not None:
        raise ServiceError(_l("This record has been anonymised."))
    if Role.WORKER not in getattr(by, "role_set", set()) or not access.can_write_confidential(session, by, agreement):
        raise ServiceError(_l("Only the client's own social worker may write notes and other confidential content."))
    if agreement.status != AgreementStatus.ACTIVE:
        raise ServiceError(_l("The agreement has ended: its roadmap can no longer change."))


def _audit(session: Session, action: AuditAction, task: RoadmapTask, by: Worker, fields: list[str]) -> None:
    audit.record(session, action, entity=RoadmapTask.__tablename__, entity_id=task.id,
                 client_code=task.agreement.client.code, actor_id=by.id, details={"fields": fields})


def _responsible(value: Any) -> Responsible:
    try:
        return Responsible(value)
    except ValueError as exc:
        raise ServiceError(_l("Choose who does it."), field="responsible") from exc


def _description(value: str | None) -> str:
    text = _clean(value, MAX_DESCRIPTION)
    if not text:
        raise ServiceError(_l("Describe what is to be done."), field="description")
    return text


def add_task(session: Session, agreement: Agreement, by: Worker, *, description: str, responsible: Any,
             due_on: date | None = None) -> RoadmapTask:
    """A new open task at the end of the roadmap."""
    _require_write(session, by, agreement)
    task = RoadmapTask(agreement=agreement, description=_description(description),
                       responsible=_responsible(responsible), due_on=due_on, status=TaskStatus.OPEN,
                       position=max([t.position or 0 for t in agreement.tasks], default=0) + 1)
    session.add(task)
    session.flush()
    _audit(session, AuditAction.CREATE, task, by, ["description", "responsible", "due_on"])
    session.flush()
    return task


def edit_task(session: Session, task: RoadmapTask, by: Worker, *, description: str, responsible: Any,
              due_on: date | None = None) -> RoadmapTask:
    """Change what is to be done, who does it and by when."""
    _require_write(session, by, task.agreement)
    changes = {"description": _description(description), "responsible": _responsible(responsible), "due_on": due_on}
    changed = [name for name, value in changes.items() if getattr(task, name) != value]
    for name in changed:
        setattr(task, name, changes[name])
    if changed:
        session.flush()
        _audit(session, AuditAction.UPDATE, task, by, changed)
        session.flush()
    return task


def finish_task(session: Session, task: RoadmapTask, by: Worker, *, status: Any, outcome: str | None = None,
                on: date | None = None) -> RoadmapTask:
    """Mark the task done or not done with its outcome, or open it again (the outcome stays)."""
    _require_write(session, by, task.agreement)
    try:
        status = TaskStatus(status)
    except ValueError as exc:
        raise ServiceError(_l("Choose what happened."), field="status") from exc
    if status not in (*FINISHED, TaskStatus.OPEN):
        raise ServiceError(_l("Choose what happened."), field="status")
    text = _clean(outcome, MAX_OUTCOME)
    if status == TaskStatus.NOT_DONE and not text:
        raise ServiceError(_l("Say why it was not done."), field="outcome")
    task.status = status
    task.outcome = text
    task.completed_on = (on or local_now().date()) if status in FINISHED else None
    session.flush()
    _audit(session, AuditAction.UPDATE, task, by, ["status", "outcome", "completed_on"])
    session.flush()
    return task


def move_task(session: Session, task: RoadmapTask, by: Worker, direction: str) -> RoadmapTask:
    """Move the task one place up or down among the tasks of the same person (the case file shows the
    roadmap grouped by who does what); positions are renumbered 1…n in the order shown."""
    _require_write(session, by, task.agreement)
    if direction not in ("up", "down"):
        raise ServiceError(_l("Choose up or down."))
    ordered = sorted(task.agreement.tasks, key=lambda t: (t.position or 0, t.id))
    index = ordered.index(task)
    steps = range(index - 1, -1, -1) if direction == "up" else range(index + 1, len(ordered))
    other = next((i for i in steps if ordered[i].responsible == task.responsible), None)
    if other is None:
        return task  # already first or last of its group
    ordered[index], ordered[other] = ordered[other], ordered[index]
    moved = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    session.flush()
    for item in moved:
        _audit(session, AuditAction.UPDATE, item, by, ["position"])
    session.flush()
    return task
