"""The promises every write keeps, whatever form, POST, ajax call, command or service it comes through.

1. **A case record stays with its client.** The client of an appointment, a visit, an intake and an
   agreement, and the agreement of a roadmap task, are fixed when the record is created: a save that
   changes them is refused (a worker moved a colleague's appointment onto their own client and read
   its notes there). A deliberate move (merging two records of one person) states itself with
   :func:`moving_case_records`.
2. **Anonymised stays anonymised.** Once a client is anonymised (or deleted), nothing writes personal
   data or free text to them or their records again: their personal fields stay empty, no new record
   is made for them, and their records take only coded changes (a status, attendance).

Both are checked at every flush of every session (:func:`_check_flush`, a ``before_flush``
listener registered by ``create_app``), against the records as they will be after the change and against the client as stored
now: before deciding, the flush takes the client rows' lock (PostgreSQL: ``FOR SHARE``; SQLite: the
database's write lock), so an anonymisation committed a moment ago is seen, and one that starts
meanwhile waits for this transaction and then scrubs what it wrote. The edit screens also show such
fields greyed out and refuse a POST changing them before anything else (admin_views/base.py); the
listener makes sure no path skips the rules. A refusal is a :class:`RefusedWrite` (naming the field
where there is one), which the screens record in the audit trail as a refused write.

No text longer than its column allows is written either (:func:`check_lengths`: a ``String(n)``'s
length, :data:`services.inputs.MAX_TEXT` for notes and other long text, or the column's
``info["max_length"]``), so that the admin forms, the case file, the command line and the services
keep one limit per field and PostgreSQL never answers with an error.

The third promise, that a stale form does not overwrite a newer record, is the records' ``version``
(SQLAlchemy's ``version_id_col``) with the version each edit form carries (admin_views/base.py).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import Agreement, Appointment, Client, CoverGrant, Intake, Reassignment, RoadmapTask, Visit
from services import inputs, privacy
from services.errors import ServiceError

#: Case records and the attribute that ties each to its client, fixed at creation (relationship, column).
FIXED_OWNER: dict[type, tuple[str, str]] = {
    Appointment: ("client", "client_id"), Visit: ("client", "client_id"), Intake: ("client", "client_id"),
    Agreement: ("client", "client_id"), RoadmapTask: ("agreement", "agreement_id"),
}
#: Records under a client that may not be made for an anonymised client (a data request may: it is coded).
NEW_REFUSED = (Appointment, Visit, Intake, Agreement, RoadmapTask, Reassignment, CoverGrant)
#: Free text under a client, per model (anonymisation removes it; nothing writes it again afterwards).
FREE_TEXT_FIELDS: dict[type, tuple[str, ...]] = {}
for _model, _field, _replacement in privacy.FREE_TEXT:
    FREE_TEXT_FIELDS[_model] = FREE_TEXT_FIELDS.get(_model, ()) + (_field,)
#: The client's personal fields (anonymisation empties them for good).
PERSONAL_FIELDS = privacy.CLIENT_PERSONAL_FIELDS
#: ... and what is derived from them (never on a form, never written to an anonymised client either)
DERIVED_FIELDS = privacy.CLIENT_DERIVED_FIELDS

MOVED = _l("A record stays with the client it was created for: its client cannot be changed. "
           "Create a new record for the other client instead.")
ANONYMISED_NEW = _l("This client has been anonymised: no new appointments, visits, tasks or notes can be recorded for them.")
ANONYMISED_TEXT = _l("This client has been anonymised: their records take no personal data or text any more, "
                     "only coded changes such as the status or attendance.")
ANONYMISED_UNDONE = _l("An anonymisation cannot be undone.")


class RefusedWrite(ServiceError):
    """A write the rules refuse whatever is typed (not a mistake to correct): the screens show the
    message and record a refused write in the audit trail (``reason`` is its code, no personal data)."""

    def __init__(self, message, field: str | None = None, *, reason: str) -> None:
        super().__init__(message, field)
        self.reason = reason


@contextmanager
def moving_case_records(session: Session) -> Iterator[None]:
    """Allow changing case records' client in ``session`` (e.g. merging two records of one person)."""
    previous = session.info.get("moving_case_records", False)
    session.info["moving_case_records"] = True
    try:
        yield
    finally:
        session.info["moving_case_records"] = previous


# --- what a record is and was ---------------------------------------------------------------------

def _filled(value: Any) -> bool:
    return value is not None and value != ""


def stored(obj: Any, name: str) -> Any:
    """The value of column ``name`` of ``obj`` as stored, before changes of this unit of work."""
    state = sa.inspect(obj)
    history = state.attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    if not history.added:
        return getattr(obj, name)
    if state.transient or state.pending:
        return None
    session = sa.orm.object_session(obj)  # changed without its old value loaded: ask the database
    column = getattr(type(obj), name)
    with session.no_autoflush:
        return session.execute(sa.select(column).where(type(obj).id == state.identity[0])).scalar()


def moved(obj: Any) -> bool:
    """Would saving ``obj`` (a case record already stored) give it another client (or agreement)?"""
    fixed = FIXED_OWNER.get(type(obj))
    state = sa.inspect(obj)
    if fixed is None or state.transient or state.pending:
        return False
    relation, column = fixed
    before = stored(obj, column)
    column_history = state.attrs[column].history
    if column_history.added and column_history.added[0] != before:
        return True
    relation_history = state.attrs[relation].history
    if relation_history.added:
        target = relation_history.added[0]
        return target is None or sa.inspect(target).identity != (before,)
    return False


def owners(session: Session, obj: Any) -> set[int]:
    """The client ``obj`` belongs to as stored and the one it will belong to after this save: one id,
    or two for a move (None left out: an anonymous walk-in, a client not saved yet)."""
    if isinstance(obj, Client):
        return {obj.id} if obj.id is not None else set()
    found = {_owner_id(session, obj)}
    state = sa.inspect(obj)
    fixed = FIXED_OWNER.get(type(obj))
    if fixed is not None and state.persistent and moved(obj):
        before = stored(obj, fixed[1])
        if isinstance(obj, RoadmapTask):
            with session.no_autoflush:
                before = session.execute(sa.select(Agreement.client_id).where(Agreement.id == before)).scalar()
        found.add(before)
    return {i for i in found if i is not None}


# --- the checks -----------------------------------------------------------------------------------

def refuse_move(obj: Any) -> None:
    if moved(obj):
        relation, _column = FIXED_OWNER[type(obj)]
        raise RefusedWrite(MOVED, field=relation, reason="client_changed")


def _text_written(obj: Any) -> list[str]:
    """The free-text fields of ``obj`` this save fills (new non-empty values)."""
    state = sa.inspect(obj)
    new = state.transient or state.pending
    return [name for name in FREE_TEXT_FIELDS.get(type(obj), ())
            if _filled(getattr(obj, name)) and (new or state.attrs[name].history.has_changes())]


def _personal_written(client: Client) -> list[str]:
    state = sa.inspect(client)
    return [name for name in PERSONAL_FIELDS + DERIVED_FIELDS
            if _filled(getattr(client, name)) and state.attrs[name].history.has_changes()]


def anonymised_ids(session: Session, ids: set[int], *, lock: bool = True) -> set[int]:
    """Which of the clients ``ids`` are anonymised, as committed now. With ``lock`` (inside a write)
    the rows are locked first, so an anonymisation cannot slip between this answer and the write:
    PostgreSQL ``SELECT … FOR SHARE`` (it waits for an anonymisation in progress, and one that starts
    later waits for this transaction); SQLite takes the database's write lock with a no-op update."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    table = Client.__table__
    with session.no_autoflush:
        query = sa.select(table.c.id).where(table.c.id.in_(sorted(ids)), table.c.anonymised_at.is_not(None))
        if lock:
            if session.get_bind().dialect.name == "postgresql":
                locked = sa.select(table.c.id, table.c.anonymised_at).where(table.c.id.in_(sorted(ids))).with_for_update(read=True)
                return {row.id for row in session.execute(locked) if row.anonymised_at is not None}
            # the columns no trigger watches (the name and phone search indexes watch theirs)
            session.execute(sa.update(table).where(table.c.id.in_(sorted(ids))).values(anonymised_at=table.c.anonymised_at))
        return set(session.execute(query).scalars())


def owner_client(obj: Any) -> Client | None:
    if isinstance(obj, RoadmapTask):
        return obj.agreement.client if obj.agreement is not None else None
    return getattr(obj, "client", None)


def _owner_id(session: Session, obj: Any) -> int | None:
    client = owner_client(obj)
    if client is not None:
        return client.id
    if isinstance(obj, RoadmapTask) and obj.agreement_id is not None:
        return session.execute(sa.select(Agreement.client_id).where(Agreement.id == obj.agreement_id)).scalar()
    return getattr(obj, "client_id", None)


def check_flush(session: Session, objects) -> None:
    """The two promises for everything a flush writes (see the module's doc); raises :class:`RefusedWrite`."""
    allow_moves = session.info.get("moving_case_records", False)
    new_records: list[tuple[Any, int]] = []  # (record, client id)
    texts: list[tuple[Any, int, str]] = []  # (record, client id, field)
    clients: list[Client] = []
    with session.no_autoflush:
        for obj in objects:
            if isinstance(obj, Client):
                if sa.inspect(obj).persistent:
                    clients.append(obj)
                continue
            kind = type(obj)
            if kind not in FREE_TEXT_FIELDS:
                continue
            state = sa.inspect(obj)
            if not allow_moves and state.persistent:
                refuse_move(obj)
            new = state.pending or state.transient
            written = _text_written(obj)
            if not written and not (new and kind in NEW_REFUSED):
                continue  # a coded change (or a data request without a note)
            owner = _owner_id(session, obj)
            if owner is None:
                continue  # an anonymous walk-in, or a record of a client being created now
            if new and kind in NEW_REFUSED:
                new_records.append((obj, owner))
            elif written:
                texts.append((obj, owner, written[0]))
        for client in clients:
            was = stored(client, "anonymised_at")
            if was is not None and client.anonymised_at is None:
                raise RefusedWrite(ANONYMISED_UNDONE, reason="anonymisation_undone")
        watched = {owner for _obj, owner in new_records} | {owner for _obj, owner, _f in texts}
        watched |= {client.id for client in clients if _personal_written(client)}
        if not watched:
            return
        anonymised = anonymised_ids(session, watched, lock=True)
        for _obj, owner in new_records:
            if owner in anonymised:
                raise RefusedWrite(ANONYMISED_NEW, reason="client_anonymised")
        for _obj, owner, field in texts:
            if owner in anonymised:
                raise RefusedWrite(ANONYMISED_TEXT, field=field, reason="client_anonymised")
        for client in clients:
            written = _personal_written(client)
            if written and client.id in anonymised:
                raise RefusedWrite(ANONYMISED_TEXT, field=written[0], reason="client_anonymised")


def check_lengths(objects) -> None:
    """Refuse text longer than its column's limit (:func:`services.inputs.text_limit`) in what a flush
    writes: every text of a new record, the changed ones of a stored record (an old longer note is
    left alone until it is edited). Raises :class:`ServiceError` naming the field."""
    for obj in objects:
        state = sa.inspect(obj)
        new = not state.persistent
        for attr in state.mapper.column_attrs:
            if len(attr.columns) != 1:
                continue
            limit = inputs.text_limit(attr.columns[0])
            if limit is None:
                continue
            value = getattr(obj, attr.key, None) if new else None
            if not new:
                added = state.attrs[attr.key].history.added
                value = added[0] if added else None
            if isinstance(value, str) and len(value) > limit:
                raise ServiceError(_l("Enter at most %(max)s characters.", max=limit), field=attr.key)


def listen() -> None:
    """Check every flush of every session (:func:`check_flush`), once; called by ``create_app``."""
    if not event.contains(Session, "before_flush", _check_flush):
        event.listen(Session, "before_flush", _check_flush)


def _check_flush(session: Session, flush_context, instances) -> None:
    objects = list(session.new) + [obj for obj in session.dirty if session.is_modified(obj)]
    if objects:
        check_lengths(objects)
        check_flush(session, objects)
