"""Appointments in the office or in the field."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, TimestampMixin, UTCDateTime
from models.enums import AppointmentFormat, AppointmentPlace, AppointmentPurpose, AppointmentStatus

#: the longest appointment (the duration_range constraint): an appointment overlapping a time starts at
#: most this long before it, which bounds an overlap search on both sides of the start's index
MAX_DURATION_MINUTES = 720


class Appointment(TimestampMixin, Base):
    """A meeting of a client with their worker, booked ahead."""

    __tablename__ = "appointment"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0 AND duration_minutes <= 720", name="duration_range"),
        # the lists sort by start and then id: with the id in the index PostgreSQL pages through it alone
        sa.Index("ix_appointment_starts_at", "starts_at", "id"),
        # a day's appointments from the index alone: the desk's page in time order (status: whether
        # dealt with), the manager's load per worker (worker, minutes)
        sa.Index("ix_appointment_day", "starts_at", "id", "status", "worker_id", "duration_minutes"),
        sa.Index("ix_appointment_worker_starts", "worker_id", "starts_at", "id"),
        sa.Index("ix_appointment_client_starts", "client_id", "starts_at", "id"),
        sa.Index("ix_appointment_status_starts", "status", "starts_at", "id"),
        sa.Index("ix_appointment_worker_ends", "worker_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"))
    other_worker_reason: Mapped[str | None] = mapped_column(sa.String(300))  #: why not the client's own worker
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=60)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: starts_at + duration, kept by a listener (overlap checks)
    format: Mapped[AppointmentFormat] = mapped_column(EnumText(AppointmentFormat), default=AppointmentFormat.OFFICE)
    place: Mapped[AppointmentPlace] = mapped_column(EnumText(AppointmentPlace), default=AppointmentPlace.CENTRE)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("public_office.id"), index=True)  #: when the place is a public office
    place_note: Mapped[str | None] = mapped_column(sa.String(200))  #: address or details of another place
    purpose: Mapped[AppointmentPurpose] = mapped_column(
        EnumText(AppointmentPurpose), default=AppointmentPurpose.CONSULTATION
    )
    interpreter: Mapped[bool] = mapped_column(default=False)  #: an interpreter took part
    language: Mapped[str | None] = mapped_column(sa.String(3))  #: ISO 639-1 code of the language used
    status: Mapped[AppointmentStatus] = mapped_column(EnumText(AppointmentStatus), default=AppointmentStatus.PLANNED)
    notes: Mapped[str | None] = mapped_column(sa.Text)  #: confidential consultation notes
    evaluation: Mapped[str | None] = mapped_column(sa.Text)  #: confidential: evaluation of results
    next_steps: Mapped[str | None] = mapped_column(sa.Text)  #: confidential: next steps agreed
    version: Mapped[int] = mapped_column(default=1, server_default="1")  #: optimistic locking (see Client.version)

    __mapper_args__ = {"version_id_col": version}

    client = relationship("Client")
    worker = relationship("Worker")
    office = relationship("PublicOffice")

    def compute_end(self) -> datetime | None:
        if self.starts_at is None or not self.duration_minutes:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def __str__(self) -> str:
        code = self.client.code if self.client else ""
        from services.formats import datetime_text  # the language's one format, in the centre's time

        return f"{code} {datetime_text(self.starts_at)}" if self.starts_at else code

    def __repr__(self) -> str:
        return f"<Appointment {self.id}>"

    @classmethod
    def overlapping(cls, starts_at: datetime, ends_at: datetime):
        """SQL: the appointment overlaps [starts_at, ends_at). Its start is bounded from below too, so a
        worker's (or client's) start index is read over a few days, not over all their past appointments."""
        return sa.and_(cls.starts_at < ends_at, cls.ends_at > starts_at,
                       cls.starts_at > starts_at - timedelta(minutes=MAX_DURATION_MINUTES))


@sa.event.listens_for(Appointment, "before_insert")
@sa.event.listens_for(Appointment, "before_update")
def _keep_end(mapper, connection, target: Appointment) -> None:
    target.ends_at = target.compute_end()
