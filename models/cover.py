"""Cover access: a worker opens another worker's client for a limited time, stating why."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow


class CoverGrant(Base):
    """Read/write access to one client for one worker until ``expires_at`` (audited)."""

    __tablename__ = "cover_grant"
    __table_args__ = (sa.Index("ix_cover_grant_worker_expires", "worker_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"))  #: who covers
    reason: Mapped[str] = mapped_column(sa.String(500))  #: why the case was opened (no personal data, please)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  #: end of the centre's day by default
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client = relationship("Client")
    worker = relationship("Worker")

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<CoverGrant {self.id}>"
