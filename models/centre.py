"""The centre's own profile: its name and contact data, printed on every document a client takes home."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CentreProfile(Base):
    """The one row of the centre's name, address and contacts (admin Settings → Centre profile)."""

    __tablename__ = "centre_profile"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    #: the profile is one row, always id 1
    ID = 1

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))  #: street, postcode and town; may span lines
    phone: Mapped[str | None] = mapped_column(sa.String(40))  #: where clients call, e.g. to cancel an appointment
    email: Mapped[str | None] = mapped_column(sa.String(254))
    web: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name or ""

    def __repr__(self) -> str:
        return f"<CentreProfile {self.id}>"
