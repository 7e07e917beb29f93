"""Declarative base, naming convention and the column types every aggregate uses."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint and index names are deterministic, so migrations can refer to them on both engines.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no zone, PostgreSQL keeps ``timestamptz``; both come back as aware UTC.
    A naive value is taken to be UTC already.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EnumText(sa.types.TypeDecorator):
    """A Python enum stored as its short string value in a VARCHAR.

    Adding a member needs no schema change on either engine; an unknown value is refused on write.
    """

    impl = sa.String(32)
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 32) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.enum_class(value)

    @property
    def python_type(self):
        return self.enum_class


class CodeList(sa.types.TypeDecorator):
    """A short list of codes (roles, ISO 639 languages) stored comma-separated, in the order recorded
    (a client's first language is the one their documents are printed in), each code once.

    Assign a new list to change it; in-place mutation is not tracked.
    """

    impl = sa.String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        codes = [str(getattr(v, "value", v)).strip() for v in value]
        return ",".join(dict.fromkeys(c for c in codes if c))

    def process_result_value(self, value, dialect):
        if not value:
            return []
        return value.split(",")

    @property
    def python_type(self):
        return list


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
