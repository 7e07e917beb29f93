"""Cover access: when the assigned worker is away and the client comes in urgently."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from models import Client, CoverGrant, Worker
from models.base import utcnow
from models.enums import AuditAction, Role
from services import audit
from services.errors import ServiceError
from services.timeutil import local_day_bounds, local_now


def grant_cover(session: Session, worker: Worker, client: Client, reason: str, until: datetime | None = None) -> CoverGrant:
    """Give ``worker`` full access to ``client`` until the end of the centre's day (audited)."""
    reason = (reason or "").strip()
    if Role.WORKER not in worker.role_set:
        raise ServiceError(_l("Only a social worker can cover for a colleague."))
    if client.worker_id == worker.id:
        raise ServiceError(_l("This is your own client."))
    if client.anonymised_at is not None:
        raise ServiceError(_l("This record has been anonymised."))
    if len(reason) < 5:
        raise ServiceError(_l("State why you need to open this case."), field="reason")
    now = utcnow()
    until = until or local_day_bounds(local_now().date())[1]
    if until <= now:
        raise ServiceError(_l("Cover access must end in the future."))
    grant = CoverGrant(client=client, worker=worker, reason=reason[:500], granted_at=now, expires_at=until)
    session.add(grant)
    session.flush()
    audit.record(session, AuditAction.COVER, entity="cover_grant", entity_id=grant.id, client_code=client.code,
                 actor_id=worker.id, details={"expires_at": until.isoformat(timespec="minutes")})
    session.flush()
    return grant


def active_grants(session: Session, *, for_clients_of: int | None = None, limit: int = 50) -> list[CoverGrant]:
    """Active cover grants (all, or those on one worker's clients), newest first."""
    now = utcnow()
    query = (
        session.query(CoverGrant)
        .filter(CoverGrant.revoked_at.is_(None), CoverGrant.expires_at > now)
        .order_by(CoverGrant.granted_at.desc(), CoverGrant.id.desc())
    )
    if for_clients_of is not None:
        query = query.filter(CoverGrant.client_id.in_(sa.select(Client.id).where(Client.worker_id == for_clients_of)))
    return query.limit(limit).all()


def grants_today(session: Session, limit: int = 50) -> list[CoverGrant]:
    """Every grant made today (for managers), active or not."""
    start, end = local_day_bounds(local_now().date())
    return (
        session.query(CoverGrant)
        .filter(CoverGrant.granted_at >= start, CoverGrant.granted_at < end)
        .options(joinedload(CoverGrant.client), joinedload(CoverGrant.worker))
        .order_by(CoverGrant.granted_at.desc(), CoverGrant.id.desc())
        .limit(limit).all()
    )
