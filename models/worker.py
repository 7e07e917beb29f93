"""Staff accounts."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, CodeList, UTCDateTime, utcnow
from models.enums import Role


class Worker(UserMixin, Base):
    """A staff account: reception, social worker, manager, admin (roles add up)."""

    __tablename__ = "worker"
    #: what another list's row shows of a worker (its ``__str__``): all a list page loads of the joined
    #: worker, not the hashes and keys of the account (SecureModelView._page_loads)
    LISTED_COLUMNS = ("id", "full_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  #: the login, stored lower-case
    full_name: Mapped[str] = mapped_column(sa.String(200))
    roles: Mapped[list] = mapped_column(CodeList(), default=list)  #: values of :class:`Role`
    languages: Mapped[list] = mapped_column(CodeList(), default=list)  #: ISO 639-1 codes spoken
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))  #: scrypt hash; empty = cannot log in
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: the login before the last ("since my last login")
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  #: sha256 of the private ICS link's token
    #: part of the login session's id: raising it ends every session of the account (password change,
    #: lockout, logout, deactivation, two-factor changes)
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))  #: base32 TOTP key (pending until totp_enabled_at)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: two-factor sign-in is on
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger())  #: the last accepted time step (no replay)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def end_sessions(self) -> None:
        """End every login session of this account (they carry the old version in their id)."""
        self.session_version = (self.session_version or 1) + 1

    def get_id(self) -> str:  # Flask-Login: the session stores "<id>:<session version>"
        return f"{self.id}:{self.session_version or 1}"

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    @property
    def role_set(self) -> frozenset[Role]:
        """The account's roles as members of :class:`Role` (unknown codes left out); worked out once
        for as long as ``roles`` holds the same codes (the access policy asks some 20 times a page)."""
        codes = tuple(self.roles or ())
        kept = self.__dict__.get("_role_set_of")
        if kept is not None and kept[0] == codes:
            return kept[1]
        result = set()
        for value in codes:
            try:
                result.add(Role(value))
            except ValueError:
                continue
        roles = frozenset(result)
        self.__dict__["_role_set_of"] = (codes, roles)
        return roles

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set.intersection(roles))

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<Worker {self.id}>"
