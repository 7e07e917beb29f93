"""Staff accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Worker
from models.enums import Role
from services.errors import ServiceError

MIN_PASSWORD_LENGTH = 12


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str, email: str | None = None) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password")
    if email and password.strip().lower() == normalise_email(email):
        raise ServiceError(_l("The password must not be the email address."), field="password")


def find_by_email(session: Session, email: str) -> Worker | None:
    return session.execute(sa.select(Worker).where(Worker.email == normalise_email(email))).scalar_one_or_none()


def create_worker(
    session: Session,
    email: str,
    full_name: str,
    roles: list[Role | str],
    password: str | None = None,
    languages: list[str] | None = None,
) -> Worker:
    """Create an active staff account and flush it. Roles are checked against :class:`Role`."""
    email = normalise_email(email)
    if "@" not in email:
        raise ServiceError(_l("Enter a valid email address."), field="email")
    if not (full_name or "").strip():
        raise ServiceError(_l("Enter the full name."), field="full_name")
    try:
        role_values = sorted({Role(r).value for r in roles})
    except ValueError as exc:
        raise ServiceError(_l("Unknown role."), field="roles") from exc
    if not role_values:
        raise ServiceError(_l("Choose at least one role."), field="roles")
    if find_by_email(session, email) is not None:
        raise ServiceError(_l("An account with this email already exists."), field="email")
    worker = Worker(email=email, full_name=full_name.strip(), roles=role_values, languages=languages or [], active=True)
    if password is not None:
        check_password_rules(password, email)
        worker.set_password(password)
    session.add(worker)
    session.flush()
    return worker


def authenticate(session: Session, email: str, password: str) -> Worker | None:
    """The active account with this email and password, or None (same answer for every failure)."""
    worker = find_by_email(session, email)
    if worker is None:
        # spend the same time as a real check, so timing does not tell which emails exist
        Worker(password_hash=_dummy()).check_password(password or "")
        return None
    if not worker.active or not worker.check_password(password or ""):
        return None
    return worker


_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        from werkzeug.security import generate_password_hash

        _dummy_hash = generate_password_hash("not-a-real-password", method="scrypt")
    return _dummy_hash


def social_workers_query(session: Session, include_id: int | None = None):
    """Active accounts with the social-worker role, by name (plus ``include_id`` so an edit keeps its value)."""
    role = Role.WORKER.value
    col = sa.type_coerce(Worker.roles, sa.String)  # compare the stored comma-separated text
    has_role = sa.or_(col == role, col.like(f"{role},%"), col.like(f"%,{role}"), col.like(f"%,{role},%"))
    cond = sa.and_(Worker.active.is_(True), has_role)
    if include_id:
        cond = sa.or_(cond, Worker.id == include_id)
    return session.query(Worker).filter(cond).order_by(Worker.full_name, Worker.id)
