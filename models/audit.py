"""The append-only audit trail."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, UTCDateTime, utcnow
from models.enums import AuditAction


class AuditEvent(Base):
    """Who did what to which record, and when. Carries ids and client codes, never personal data."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_client_at", "client_code", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"), index=True)  #: empty for the system or an unknown login
    action: Mapped[AuditAction] = mapped_column(EnumText(AuditAction), index=True)
    entity: Mapped[str | None] = mapped_column(sa.String(40))  #: table name of the record
    entity_id: Mapped[int | None] = mapped_column()
    client_code: Mapped[str | None] = mapped_column(sa.String(20))
    details: Mapped[dict | None] = mapped_column(sa.JSON)  #: field names, counts, reasons; no personal data

    actor = relationship("Worker")

    def __str__(self) -> str:
        return f"{self.action.value} {self.entity or ''} {self.entity_id or ''}".strip()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id}>"
