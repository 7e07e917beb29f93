"""Opening hours: walk-in counselling hours of the centre and each worker's working hours."""
from __future__ import annotations

from datetime import time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]


class WalkInHours(Base):
    """A weekly interval of walk-in counselling (no appointment needed), with the worker on duty."""

    __tablename__ = "walk_in_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column(index=True)  #: 0 = Monday … 6 = Sunday
    opens_at: Mapped[time] = mapped_column()
    closes_at: Mapped[time] = mapped_column()
    duty_worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))  #: takes walk-ins whose own worker is away

    duty_worker = relationship("Worker")

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def __repr__(self) -> str:
        return f"<WalkInHours {self.id}>"


class WorkingHours(Base):
    """A weekly interval when a worker is at work (bookings outside it get a warning)."""

    __tablename__ = "working_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        sa.Index("ix_working_hours_worker_weekday", "worker_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column()  #: 0 = Monday … 6 = Sunday
    starts_at: Mapped[time] = mapped_column()
    ends_at: Mapped[time] = mapped_column()

    worker = relationship("Worker")

    def __str__(self) -> str:
        return f"{self.worker} {WEEKDAYS[self.weekday]} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def __repr__(self) -> str:
        return f"<WorkingHours {self.id}>"
