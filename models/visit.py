"""Every contact with the centre, walk-ins included."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, TimestampMixin, UTCDateTime
from models.enums import AgeBand, Sex, VisitChannel

visit_topic = sa.Table(
    "visit_topic",
    Base.metadata,
    sa.Column("visit_id", sa.ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topic.id"), primary_key=True, index=True),
)


class Visit(TimestampMixin, Base):
    """A contact: a walk-in, a call, an email, a field contact or a scheduled meeting.

    An anonymous walk-in has no client; only citizenship, language, sex and age band are kept.
    """

    __tablename__ = "visit"
    __table_args__ = (
        sa.CheckConstraint("minutes IS NULL OR (minutes >= 0 AND minutes <= 1440)", name="minutes_range"),
        sa.Index("ix_visit_occurred_at", "occurred_at", "id"),  # the list's sort, with its tiebreaker
        sa.Index("ix_visit_client_occurred", "client_id", "occurred_at"),
        sa.Index("ix_visit_worker_occurred", "worker_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[VisitChannel] = mapped_column(EnumText(VisitChannel), default=VisitChannel.WALK_IN, index=True)
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"))  #: empty for an anonymous walk-in
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"))  #: who handled the contact
    minutes: Mapped[int | None] = mapped_column()  #: time spent
    urgent: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str | None] = mapped_column(sa.Text)  #: confidential
    citizenship: Mapped[str | None] = mapped_column(sa.String(2))  #: anonymous walk-in only, ISO 3166-1 alpha-2
    language: Mapped[str | None] = mapped_column(sa.String(3))  #: anonymous walk-in only, ISO 639-1
    sex: Mapped[Sex | None] = mapped_column(EnumText(Sex))  #: anonymous walk-in only
    age_band: Mapped[AgeBand | None] = mapped_column(EnumText(AgeBand, length=8))  #: anonymous walk-in only
    version: Mapped[int] = mapped_column(default=1, server_default="1")  #: optimistic locking (see Client.version)

    __mapper_args__ = {"version_id_col": version}

    client = relationship("Client")
    worker = relationship("Worker")
    topics = relationship("Topic", secondary=visit_topic, order_by="Topic.code")

    def __str__(self) -> str:
        code = self.client.code if self.client else "—"
        from services.formats import datetime_text  # the language's one format, in the centre's time

        return f"{code} {datetime_text(self.occurred_at)}" if self.occurred_at else code

    def __repr__(self) -> str:
        return f"<Visit {self.id}>"
