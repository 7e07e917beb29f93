"""Clients: codes, the rules of their state, and the last-contact date."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Client, ClientCodeCounter
from models.base import utcnow
from models.enums import ClientStatus
from services import name_index, phone_index
from services.errors import ServiceError
from services.timeutil import local_now


def next_code(session: Session, year: int | None = None) -> str:
    """Hand out the next pseudonymous code of the year, e.g. ``2026-00042``.

    The counter row is incremented with a single UPDATE, which serialises concurrent
    callers on both engines; the unique constraint on ``client.code`` is the last guard.
    """
    year = year or local_now().year
    table = ClientCodeCounter.__table__
    stmt = (
        sa.update(table)
        .where(table.c.year == year)
        .values(last_value=table.c.last_value + 1)
        .returning(table.c.last_value)
    )
    with session.no_autoflush:  # the new client itself must not be flushed before it has its code
        value = session.execute(stmt).scalar()
        if value is None:
            # first code of the year: create the counter row unless a concurrent transaction just did
            session.execute(_insert_ignore(session, table).values(year=year, last_value=0))
            value = session.execute(stmt).scalar()
    return f"{year}-{value:05d}"


def _insert_ignore(session: Session, table):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def validate(client: Client) -> None:
    """Refuse a state the service's rules do not allow."""
    if client.status in (ClientStatus.CLIENT, ClientStatus.CLOSED) and client.worker_id is None and client.worker is None:
        raise ServiceError(_l("A client must have an assigned social worker."), field="worker")
    if client.legal_hold and not (client.legal_hold_reason or "").strip():
        raise ServiceError(_l("Give the reason for the legal hold."), field="legal_hold_reason")
    if client.birth_year is not None and client.birth_date is not None and client.birth_date.year != client.birth_year:
        raise ServiceError(_l("The year of birth does not match the date of birth."), field="birth_year")
    if client.birth_year is not None and not (1900 <= client.birth_year <= local_now().year):
        raise ServiceError(_l("Enter a year of birth between 1900 and this year."), field="birth_year")
    if client.email:
        client.email = client.email.strip()
        import re

        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", client.email):
            raise ServiceError(_l("Enter a valid email address."), field="email")
    if client.is_anonymous and (client.first_name or client.last_name):
        raise ServiceError(
            _l("An anonymous client has no name; use an alias, or untick 'anonymous'."), field="is_anonymous"
        )


def prepare_new(session: Session, client: Client) -> Client:
    """Give a new client its code and creation time, then check it."""
    if client.status is None:
        client.status = ClientStatus.INTERESTED
    if client.birth_date is not None and client.birth_year is None:
        client.birth_year = client.birth_date.year
    validate(client)
    if not client.code:
        client.code = next_code(session)
    return client


def create_client(session: Session, **fields) -> Client:
    """Create a client (an interested person unless a status is given) and flush it."""
    client = Client(**fields)
    prepare_new(session, client)
    session.add(client)
    session.flush()
    return client


def record_contact(session: Session, client_id: int | None, when: datetime | None = None) -> None:
    """Move the client's last-contact time forward to ``when`` (never backwards).

    Called whenever a visit or an attended appointment is saved.
    """
    if client_id is None:
        return
    when = when or utcnow()
    table = Client.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == client_id)
        .where(sa.or_(table.c.last_contact_at.is_(None), table.c.last_contact_at < when))
        .values(last_contact_at=when)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    # keep an already loaded instance in step with the row
    for obj in session.identity_map.values():
        if isinstance(obj, Client) and obj.id == client_id:
            session.expire(obj, ["last_contact_at"])


def reassign(session: Session, client: Client, to_worker, reason, note: str | None = None, by=None):
    """Hand the client to another social worker (a manager's decision, with a reason; audited)."""
    from models import Reassignment
    from models.enums import AuditAction, ReassignReason, Role
    from services import audit

    if to_worker is None or Role.WORKER not in to_worker.role_set or not to_worker.active:
        raise ServiceError(_l("Choose an active social worker."), field="to_worker")
    if client.worker_id == to_worker.id:
        raise ServiceError(_l("The client is already assigned to this worker."), field="to_worker")
    if client.anonymised_at is not None:
        raise ServiceError(_l("This record has been anonymised."))
    try:
        reason = ReassignReason(reason)
    except ValueError as exc:
        raise ServiceError(_l("Choose the reason."), field="reason") from exc
    record = Reassignment(
        client=client, from_worker_id=client.worker_id, to_worker=to_worker, reason=reason,
        note=(note or "").strip() or None, by_id=getattr(by, "id", None), at=utcnow(),
    )
    session.add(record)
    previous = client.worker_id
    client.worker = to_worker
    session.flush()
    audit.record(session, AuditAction.REASSIGN, entity="client", entity_id=client.id, client_code=client.code,
                 actor_id=getattr(by, "id", None), details={"from": previous, "to": to_worker.id, "reason": reason.value})
    session.flush()
    return record


def accesses(session: Session, client: Client, limit: int = 500):
    """Who accessed this client's records, newest first (from the audit trail)."""
    from models import AuditEvent

    return (
        session.query(AuditEvent)
        .filter(AuditEvent.client_code == client.code)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit).all()
    )


#: Separators people type in phone numbers; the lookup compares digits with these removed.
PHONE_SEPARATORS = phone_index.PHONE_SEPARATORS
#: At most this many words of a name are compared (the rest are ignored).
MAX_NAME_WORDS = 4


def phone_digits_expression(column=None):
    """``column`` with the usual separators removed by SQL replace() (the same on SQLite and PostgreSQL,
    written as PostgreSQL's index of it is: :mod:`services.phone_index`)."""
    return phone_index.digits_expression(column if column is not None else Client.phone)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_condition(session: Session, text: str):
    """Which clients ``text`` finds, as one SQL condition (None for text too short to search by):
    a code prefix (by the code's index); a name (every word found in a name or the alias, in any
    order: "Jan Novák", "Novák Jan", "nov"); or a phone number (the digits typed, in one run, whatever
    spaces, dashes or "+" either side used). The desk's lookup and the client list search alike."""
    import re

    text = (text or "").strip()
    if len(text) < 2:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"

    indexed = sqlite and name_index.present(session)

    def in_a_name(word: str):
        if indexed and len(word) >= name_index.MIN_WORD:  # SQLite's trigram index of the names
            return Client.id.in_(name_index.matching_ids(word))
        return sa.or_(*(contains(column, word) for column in (Client.first_name, Client.last_name, Client.alias)))

    def contains(column, word: str):
        pattern = f"%{_like_escape(word)}%"
        # SQLite's LIKE already ignores case (ASCII, as its lower() does) and skips a lower() call per row
        if sqlite:
            return column.like(pattern, escape="\\")
        return sa.func.lower(column).like(pattern.lower(), escape="\\")  # twice as fast as ILIKE on PostgreSQL

    # a code prefix as a range, so that both engines read it from the code's index
    conditions = [sa.and_(Client.code >= text, Client.code < text + "\uffff")]
    has_letters = re.search(r"[^\W\d_]", text) is not None
    words = text.split()[:MAX_NAME_WORDS]
    if has_letters:
        conditions.append(sa.and_(*(in_a_name(word) for word in words)))
    digits = re.sub(r"\D", "", text)
    looks_like_code = re.fullmatch(r"\d{4}-\d*", text) is not None
    if len(digits) >= phone_index.MIN_DIGITS and not has_letters and not looks_like_code:
        if sqlite and phone_index.present(session):  # SQLite's trigram index of the numbers' digits
            conditions.append(Client.id.in_(phone_index.matching_ids(digits)))
        else:  # the pattern inline (digits only): PostgreSQL plans it with its trigram index of the digits
            conditions.append(sa.and_(
                Client.phone.like(sa.literal("%" + "%".join(digits) + "%", literal_execute=True)),  # cheap: the digits in this order
                phone_digits_expression().like(sa.literal(f"%{digits}%", literal_execute=True)),  # exact: in one run
            ))
    return sa.or_(*conditions)


def search(session: Session, text: str, user, limit: int = 10) -> list[Client]:
    """Fast lookup for the reception desk (see :func:`search_condition`)."""
    from services import access

    condition = search_condition(session, text)
    if condition is None:
        return []
    conditions = [condition]
    query = session.query(Client).filter(sa.or_(*conditions), Client.anonymised_at.is_(None))
    return access.scope(query, Client, user).order_by(Client.code.desc(), Client.id.desc()).limit(limit).all()
