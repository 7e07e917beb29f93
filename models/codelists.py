"""Code lists editable by admins: topics of contacts and public offices."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


def _current_language() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
        return locale.language if locale else "cs"
    except (RuntimeError, KeyError, AttributeError):
        return "cs"


class Topic(Base):
    """A topic a contact is about (residence, employment, housing, ...)."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)  #: stable key used by reports
    label_cs: Mapped[str] = mapped_column(sa.String(200))
    label_en: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)  #: inactive topics stay on old records only

    @property
    def label(self) -> str:
        return self.label_en if _current_language() == "en" else self.label_cs

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<Topic {self.id}>"


class PublicOffice(Base):
    """A public office workers accompany clients to."""

    __tablename__ = "public_office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_cs: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    #: street, postcode and town, printed on the appointment card of an accompaniment; empty for a
    #: kind of office with many branches (a school, a health insurer): the place note says which
    address: Mapped[str | None] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def name(self) -> str:
        return self.name_en if _current_language() == "en" else self.name_cs

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<PublicOffice {self.id}>"
