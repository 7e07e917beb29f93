"""Clients and interested persons, and the counter their codes come from."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CodeList, EnumText, UTCDateTime, utcnow
from models.enums import AgeBand, ClientStatus, ReassignReason, ResidenceStatus, Sex


class Client(Base):
    """A person who came for help. Every personal field is optional: they may stay anonymous."""

    __tablename__ = "client"
    #: what another list's row shows of a client (code, name or alias: ``__str__``, ``book_name``), all a
    #: list page loads of the joined client (SecureModelView._page_loads)
    LISTED_COLUMNS = ("id", "code", "is_anonymous", "first_name", "last_name", "alias", "anonymised_at")
    __table_args__ = (
        sa.CheckConstraint(
            "status = 'interested' OR worker_id IS NOT NULL", name="assigned_worker_required"
        ),
        # a worker's clients by status, and their ids from the index alone ("my clients" in the start
        # page's overdue tasks, walk-ins and cover)
        sa.Index("ix_client_worker_status_id", "worker_id", "status", "id"),
        # the list's sort with its tiebreaker, and whether the record is merged away (the list leaves those
        # out): a deep page counts its offset in the index alone, without reading each skipped row
        sa.Index("ix_client_created_at", "created_at", "id", "merged_into_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)  #: pseudonymous, e.g. 2026-00042
    status: Mapped[ClientStatus] = mapped_column(
        EnumText(ClientStatus), default=ClientStatus.INTERESTED, index=True
    )
    is_anonymous: Mapped[bool] = mapped_column(default=False)  #: the person chose to give no identity
    first_name: Mapped[str | None] = mapped_column(sa.String(100))
    last_name: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    alias: Mapped[str | None] = mapped_column(sa.String(100))  #: what the person wants to be called instead of a name
    birth_year: Mapped[int | None] = mapped_column()
    birth_date: Mapped[date | None] = mapped_column()
    sex: Mapped[Sex | None] = mapped_column(EnumText(Sex))
    age_band: Mapped[AgeBand | None] = mapped_column(EnumText(AgeBand, length=8))  #: kept after anonymisation instead of the birth date
    citizenship: Mapped[str | None] = mapped_column(sa.String(2), index=True)  #: ISO 3166-1 alpha-2
    languages: Mapped[list] = mapped_column(CodeList(), default=list)  #: ISO 639-1 codes
    phone: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    municipality: Mapped[str | None] = mapped_column(sa.String(100))
    district: Mapped[str | None] = mapped_column(sa.String(100))  #: okres, for statistics
    residence_status: Mapped[ResidenceStatus | None] = mapped_column(EnumText(ResidenceStatus))
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))  #: the one assigned social worker
    legal_hold: Mapped[bool] = mapped_column(default=False)  #: blocks anonymisation and purge
    legal_hold_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)  #: kept by services
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: set when the centre anonymised the record
    #: optimistic locking: raised by every update; an edit form carries the value it was loaded at, and a
    #: save from an older one is refused (a stale form must not overwrite a newer record)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}
    #: the canonical words of the names and the alias (services/name_search.py), what a search by name
    #: compares; personal data: kept in step with the names, erased with them. Indexed per engine
    #: (services/name_index.py)
    search_key: Mapped[str | None] = mapped_column(sa.String(400))
    #: set on a duplicate merged into another record (services/merge.py): the record keeps only its
    #: code, which still leads to the kept record (and is deleted with it: services/privacy.py)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    worker = relationship("Worker")

    @property
    def display_name(self) -> str:
        """Name, alias or a neutral word; never empty."""
        if self.anonymised_at is not None:
            return "—"
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.alias or ""

    @property
    def book_name(self) -> str:
        """The name next to the code in the appointment book: name or alias; nothing for a person who
        chose to stay anonymous (unless they gave an alias) or who has been anonymised."""
        if self.anonymised_at is not None:
            return ""
        if self.is_anonymous:
            return self.alias or ""
        return self.display_name

    def __str__(self) -> str:
        name = self.display_name
        return f"{self.code} {name}".strip()

    def __repr__(self) -> str:
        return f"<Client {self.id}>"


class ClientCodeCounter(Base):
    """The last number handed out per year, so codes never repeat, even under concurrency."""

    __tablename__ = "client_code_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ClientCodeCounter {self.year}>"


class Reassignment(Base):
    """A change of a client's assigned worker: manager-only, with a reason."""

    __tablename__ = "reassignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id", ondelete="CASCADE"), index=True)
    from_worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))
    to_worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id"))
    reason: Mapped[ReassignReason] = mapped_column(EnumText(ReassignReason))
    note: Mapped[str | None] = mapped_column(sa.Text)  #: confidential: details of the reason
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker.id"))  #: the manager who did it

    client = relationship("Client")
    from_worker = relationship("Worker", foreign_keys=[from_worker_id])
    to_worker = relationship("Worker", foreign_keys=[to_worker_id])
    by = relationship("Worker", foreign_keys=[by_id])

    def __repr__(self) -> str:
        return f"<Reassignment {self.id}>"
