"""Writing the audit trail. Entries go into the caller's transaction, never alone."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from models import AuditEvent
from models.enums import AuditAction


def _current_actor_id() -> int | None:
    try:
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id
    except (RuntimeError, AttributeError):
        return None
    return None


def record(
    session: Session,
    action: AuditAction,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    client_code: str | None = None,
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit entry to the session (flushed with the caller's change).

    ``details`` must carry no personal data: field names, counts, reasons chosen from lists.
    """
    entry = AuditEvent(
        action=action,
        entity=entity,
        entity_id=entity_id,
        client_code=client_code,
        actor_id=actor_id if actor_id is not None else _current_actor_id(),
        details=details or None,
    )
    session.add(entry)
    return entry


def record_for(session: Session, action: AuditAction, obj: Any, *, details: dict[str, Any] | None = None) -> AuditEvent:
    """Audit an operation on a model instance: its table, id and the client code it belongs to."""
    return record(
        session,
        action,
        entity=getattr(obj, "__tablename__", type(obj).__name__.lower()),
        entity_id=getattr(obj, "id", None),
        client_code=client_code_of(obj),
        details=details,
    )


def client_code_of(obj: Any) -> str | None:
    code = getattr(obj, "code", None) if type(obj).__name__ == "Client" else None
    if code:
        return code
    client = getattr(obj, "client", None)
    if client is None and getattr(obj, "agreement", None) is not None:
        client = obj.agreement.client
    return getattr(client, "code", None)


def changed_fields(obj: Any) -> list[str]:
    """Names of the columns changed on ``obj`` in this unit of work; never their values."""
    from sqlalchemy import inspect

    state = inspect(obj)
    names = []
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            names.append(attr.key)
    for rel in state.mapper.relationships:
        if rel.direction.name == "MANYTOMANY" and state.attrs[rel.key].history.has_changes():
            names.append(rel.key)
    return sorted(names)


def listen() -> None:
    """Refuse every flush that changes or deletes an audit entry, once; called by ``create_app``."""
    if not event.contains(Session, "before_flush", _audit_is_append_only):
        event.listen(Session, "before_flush", _audit_is_append_only)


def _audit_is_append_only(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("audit entries cannot be changed or deleted")
