"""Throttling of failed sign-ins, per account and per address.

Failures live in the ``login_failure`` table, so every process (each gunicorn worker) and both
database engines see the same counts. An account (or an address) with ``LOGIN_MAX_FAILURES``
(``LOGIN_MAX_FAILURES_PER_ADDRESS``) failures within ``LOGIN_WINDOW_MINUTES`` is locked until enough
of them are older than the window; attempts made while locked count too, so a running attack keeps
the lock. A manager or an admin lifts a lockout early (audited); a complete sign-in clears the
account's failures. Unknown emails are counted exactly like real accounts, so the answers never tell
which emails exist.

Two requests racing past the check at the same moment can each make one more attempt than the
limit; the next ones are refused.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from models import LoginFailure, Worker
from services import clock

#: failures older than this are deleted (the audit trail keeps every failure)
KEEP = timedelta(days=1)

DEFAULTS = {"LOGIN_MAX_FAILURES": 5, "LOGIN_MAX_FAILURES_PER_ADDRESS": 20, "LOGIN_WINDOW_MINUTES": 15}


def _setting(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


def window() -> timedelta:
    return timedelta(minutes=max(1, _setting("LOGIN_WINDOW_MINUTES")))


def account_key(email: str) -> str:
    """The key an email's failures are counted under (an HMAC: the typed text is not kept)."""
    secret = current_app.config["SECRET_KEY"] if has_app_context() else ""
    typed = (email or "").strip().lower()[:254]
    return hmac.new(str(secret).encode(), typed.encode(), hashlib.sha256).hexdigest()


def clean_address(address: str | None) -> str:
    return (address or "unknown").strip()[:64] or "unknown"


@dataclass(frozen=True)
class Lock:
    scope: str  #: "account" or "address"
    until: datetime

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - clock.now()).total_seconds()
        return max(1, int(seconds // 60) + (1 if seconds % 60 else 0))


def _locked_until(session: Session, column, value: str, limit: int, now: datetime) -> datetime | None:
    """When the ``limit``-th most recent failure in the window leaves it (None: not locked)."""
    if limit <= 0:
        return None
    nth = session.execute(
        sa.select(LoginFailure.at)
        .where(column == value, LoginFailure.at > now - window())
        .order_by(LoginFailure.at.desc())
        .offset(limit - 1)
        .limit(1)
    ).scalar()
    return nth + window() if nth is not None else None


def account_locked_until(session: Session, email: str, now: datetime | None = None) -> datetime | None:
    return _locked_until(session, LoginFailure.account_key, account_key(email), _setting("LOGIN_MAX_FAILURES"), now or clock.now())


def address_locked_until(session: Session, address: str | None, now: datetime | None = None) -> datetime | None:
    return _locked_until(session, LoginFailure.address, clean_address(address),
                         _setting("LOGIN_MAX_FAILURES_PER_ADDRESS"), now or clock.now())


def lock_for(session: Session, email: str, address: str | None) -> Lock | None:
    """The lock that refuses a sign-in with ``email`` from ``address`` now, if any."""
    now = clock.now()
    until = address_locked_until(session, address, now)
    if until is not None:
        return Lock("address", until)
    until = account_locked_until(session, email, now)
    if until is not None:
        return Lock("account", until)
    return None


def record_failure(session: Session, email: str, address: str | None, kind: str) -> set[str]:
    """Count one failed step; the scopes ("account", "address") this failure locked just now."""
    now = clock.now()
    key, address = account_key(email), clean_address(address)
    session.add(LoginFailure(at=now, account_key=key, address=address, kind=kind[:16]))
    session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - KEEP))
    session.flush()
    locked = set()
    for scope, column, value, limit in (
        ("account", LoginFailure.account_key, key, _setting("LOGIN_MAX_FAILURES")),
        ("address", LoginFailure.address, address, _setting("LOGIN_MAX_FAILURES_PER_ADDRESS")),
    ):
        count = session.execute(
            sa.select(sa.func.count()).select_from(LoginFailure).where(column == value, LoginFailure.at > now - window())
        ).scalar()
        if count == limit:
            locked.add(scope)
    return locked


def clear_account(session: Session, email: str) -> int:
    """Forget the account's failures (after a complete sign-in, or when a lockout is lifted)."""
    result = session.execute(sa.delete(LoginFailure).where(LoginFailure.account_key == account_key(email)))
    return result.rowcount or 0


def clear_address(session: Session, address: str) -> int:
    result = session.execute(sa.delete(LoginFailure).where(LoginFailure.address == clean_address(address)))
    return result.rowcount or 0


def _locked_groups(session: Session, column, limit: int) -> dict[str, tuple[int, datetime]]:
    """{value: (failures in the window, locked until)} for every locked account key or address."""
    now = clock.now()
    start = now - window()
    rows = session.execute(
        sa.select(column, sa.func.count())
        .where(LoginFailure.at > start)
        .group_by(column)
        .having(sa.func.count() >= max(1, limit))
    ).all()
    result = {}
    for value, count in rows:
        until = _locked_until(session, column, value, limit, now)
        if until is not None:
            result[value] = (count, until)
    return result


def locked_workers(session: Session) -> list[tuple[Worker, int, datetime]]:
    """Staff accounts locked now: (worker, failures in the window, locked until)."""
    groups = _locked_groups(session, LoginFailure.account_key, _setting("LOGIN_MAX_FAILURES"))
    if not groups:
        return []
    result = []
    for worker in session.query(Worker).order_by(Worker.full_name, Worker.id):
        hit = groups.get(account_key(worker.email))
        if hit:
            result.append((worker, hit[0], hit[1]))
    return result


def locked_addresses(session: Session) -> list[tuple[str, int, datetime]]:
    groups = _locked_groups(session, LoginFailure.address, _setting("LOGIN_MAX_FAILURES_PER_ADDRESS"))
    return sorted(((address, count, until) for address, (count, until) in groups.items()), key=lambda r: r[0])


def is_worker_locked(session: Session, worker: Worker) -> bool:
    return account_locked_until(session, worker.email) is not None


def lift_account(session: Session, worker: Worker) -> int:
    """A manager or an admin lifts an account's lockout (audited); the failures are forgotten."""
    from models.enums import AuditAction
    from services import audit

    removed = clear_account(session, worker.email)
    audit.record(session, AuditAction.UNLOCKED, entity="worker", entity_id=worker.id,
                 details={"scope": "account", "failures": removed})
    session.flush()
    return removed


def lift_address(session: Session, address: str) -> int:
    """Lift an address's lockout (audited without the address: the trail carries no personal data)."""
    from models.enums import AuditAction
    from services import audit

    removed = clear_address(session, address)
    audit.record(session, AuditAction.UNLOCKED, entity="login_failure", details={"scope": "address", "failures": removed})
    session.flush()
    return removed
