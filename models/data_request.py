"""The register of clients' data-protection requests (GDPR)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, TimestampMixin
from models.enums import DataRequestChannel, DataRequestStatus, DataRequestType


class DataRequest(TimestampMixin, Base):
    """A request from a client about their personal data; due within a month."""

    __tablename__ = "data_request"
    __table_args__ = (sa.Index("ix_data_request_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id", ondelete="SET NULL"), index=True)  #: empty once the client is deleted
    client_code: Mapped[str] = mapped_column(sa.String(20), index=True)  #: kept when the client record is deleted
    type: Mapped[DataRequestType] = mapped_column(EnumText(DataRequestType))
    received_on: Mapped[date] = mapped_column()
    channel: Mapped[DataRequestChannel] = mapped_column(EnumText(DataRequestChannel))  #: how it came in
    due_on: Mapped[date] = mapped_column()  #: one month after receipt (GDPR art. 12(3))
    status: Mapped[DataRequestStatus] = mapped_column(EnumText(DataRequestStatus), default=DataRequestStatus.OPEN)
    completed_on: Mapped[date | None] = mapped_column()
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)  #: confidential; removed on anonymisation

    client = relationship("Client")
    completed_by = relationship("Worker")

    def __str__(self) -> str:
        return f"{self.client_code} {self.type.title if self.type else ''}".strip()

    def __repr__(self) -> str:
        return f"<DataRequest {self.id}>"
