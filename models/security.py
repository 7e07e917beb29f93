"""Sign-in protection: failed attempts (for throttling) and two-factor recovery codes."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class LoginFailure(Base):
    """One failed sign-in step, kept for the throttling window only (the audit trail keeps the record).

    ``account_key`` is an HMAC of the typed email, so unknown emails are throttled exactly like
    real accounts and a typo'd password typed into the email box is not stored readable.
    """

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_account_key_at", "account_key", "at"),
        sa.Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    account_key: Mapped[str] = mapped_column(sa.String(64))  #: HMAC-SHA256 of the normalised email, hex
    address: Mapped[str] = mapped_column(sa.String(64))  #: the client's IP address
    kind: Mapped[str] = mapped_column(sa.String(16))  #: password, code or reauth

    def __repr__(self) -> str:
        return f"<LoginFailure {self.id}>"


class RecoveryCode(Base):
    """A one-time two-factor recovery code, stored as a SHA-256 hash (the code has 80 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id}>"
