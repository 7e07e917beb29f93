"""The case aggregate: intake, the verbal agreement and its roadmap."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, EnumText, TimestampMixin, UTCDateTime
from models.enums import AgreementStatus, IntakeEndReason, Responsible, TaskStatus


class Intake(TimestampMixin, Base):
    """The first conversation with an interested person: it ends in an agreement or with a reason."""

    __tablename__ = "intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)  #: who held the conversation
    held_on: Mapped[date] = mapped_column(index=True)
    issue: Mapped[str | None] = mapped_column(sa.Text)  #: confidential: the issue in the person's words
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement.id", ondelete="SET NULL"))
    ended_on: Mapped[date | None] = mapped_column(index=True)  #: set when the intake ended without agreement
    end_reason: Mapped[IntakeEndReason | None] = mapped_column(EnumText(IntakeEndReason))  #: a refusal, counted by the law
    end_note: Mapped[str | None] = mapped_column(sa.Text)  #: confidential
    version: Mapped[int] = mapped_column(default=1, server_default="1")  #: optimistic locking (see Client.version)

    __mapper_args__ = {"version_id_col": version}

    client = relationship("Client")
    worker = relationship("Worker")
    agreement = relationship("Agreement", foreign_keys=[agreement_id])

    def __str__(self) -> str:
        return f"{self.client.code if self.client else ''} {self.held_on or ''}".strip()

    def __repr__(self) -> str:
        return f"<Intake {self.id}>"


class Agreement(TimestampMixin, Base):
    """The verbal agreement (goal + consent) that makes an interested person a client."""

    __tablename__ = "agreement"
    __table_args__ = (
        # a client's agreements, and of them the active ones, by the index alone: a worker's start page
        # reads the active agreements of their (thousands of) clients through it, and PostgreSQL's
        # planner, costing a table read per client, chose a scan of every agreement without the status
        sa.Index("ix_agreement_client_status", "client_id", "status", "id"),
    )
    #: what another list's row shows of an agreement (``__str__``: the client's code and the date)
    LISTED_COLUMNS = ("id", "client_id", "agreed_on")

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"), index=True)
    agreed_on: Mapped[date] = mapped_column(index=True)
    issue: Mapped[str | None] = mapped_column(sa.Text)  #: confidential: the client's issue in their words
    goal: Mapped[str] = mapped_column(sa.Text)  #: confidential: what the centre will help achieve
    consent_service: Mapped[bool] = mapped_column(default=False)  #: consent to receiving the service
    consent_data: Mapped[bool] = mapped_column(default=False)  #: consent to processing the personal data given
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))
    status: Mapped[AgreementStatus] = mapped_column(
        EnumText(AgreementStatus), default=AgreementStatus.ACTIVE, index=True
    )
    ended_on: Mapped[date | None] = mapped_column(index=True)
    end_reason: Mapped[str | None] = mapped_column(sa.Text)  #: confidential
    version: Mapped[int] = mapped_column(default=1, server_default="1")  #: optimistic locking (see Client.version)

    __mapper_args__ = {"version_id_col": version}

    client = relationship("Client")
    worker = relationship("Worker", foreign_keys=[worker_id])
    consent_recorded_by = relationship("Worker", foreign_keys=[consent_recorded_by_id])
    tasks = relationship(
        "RoadmapTask",
        back_populates="agreement",
        order_by="RoadmapTask.position, RoadmapTask.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __str__(self) -> str:
        code = self.client.code if self.client else ""
        return f"{code} ({self.agreed_on})" if self.agreed_on else code

    def __repr__(self) -> str:
        return f"<Agreement {self.id}>"


class RoadmapTask(TimestampMixin, Base):
    """One step on the roadmap: what is to be done and by whom."""

    __tablename__ = "roadmap_task"
    __table_args__ = (
        sa.Index("ix_roadmap_task_agreement_position", "agreement_id", "position"),
        # an agreement's open tasks by due date, from the index alone (a worker's overdue tasks)
        sa.Index("ix_roadmap_task_agreement_open", "agreement_id", "status", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(sa.Text)  #: confidential
    responsible: Mapped[Responsible] = mapped_column(EnumText(Responsible), default=Responsible.CLIENT)
    due_on: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[TaskStatus] = mapped_column(EnumText(TaskStatus), default=TaskStatus.OPEN, index=True)
    outcome: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": 500})  #: confidential; a line or two
    position: Mapped[int] = mapped_column(default=0)  #: order on the roadmap
    completed_on: Mapped[date | None] = mapped_column()  #: when it was marked done or not done
    version: Mapped[int] = mapped_column(default=1, server_default="1")  #: optimistic locking (see Client.version)

    __mapper_args__ = {"version_id_col": version}

    agreement = relationship("Agreement", back_populates="tasks")

    def __str__(self) -> str:
        text = (self.description or "").strip().splitlines()[0] if self.description else ""
        return text[:60]

    def __repr__(self) -> str:
        return f"<RoadmapTask {self.id}>"
