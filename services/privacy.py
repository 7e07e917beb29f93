"""The client's data rights: the record export, anonymisation and deletion.

Functions flush; the caller commits. Every operation is audited with the client code only.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Agreement, Appointment, AuditEvent, Client, CoverGrant, DataRequest, Intake, Reassignment, RoadmapTask, Visit,
)
from models.base import utcnow
from models.enums import AgeBand, AppointmentStatus, AuditAction
from services import access, audit
from services.errors import ServiceError
from services.timeutil import local_now, to_local

#: Version of the JSON document produced by :func:`export_record` (see docs/client-record-export.md).
EXPORT_SCHEMA = "poradna/client-record"
EXPORT_VERSION = 1

#: Personal fields of the client removed by anonymisation.
CLIENT_PERSONAL_FIELDS = (
    "first_name", "last_name", "alias", "birth_year", "birth_date", "phone", "email", "municipality", "district",
    "legal_hold_reason",
)
#: Personal data derived from the fields above (the names' search key, services/name_search.py): never
#: shown or typed, erased with the names and checked with them.
CLIENT_DERIVED_FIELDS = ("search_key",)
#: Free-text fields under the client removed by anonymisation: (model, field, replacement for NOT NULL columns).
FREE_TEXT = (
    (Appointment, "notes", None), (Appointment, "evaluation", None), (Appointment, "next_steps", None),
    (Appointment, "place_note", None), (Appointment, "other_worker_reason", None), (Visit, "summary", None),
    (Agreement, "issue", None), (Agreement, "goal", ""), (Agreement, "end_reason", None),
    (Intake, "issue", None), (Intake, "end_note", None),
    (RoadmapTask, "description", ""), (RoadmapTask, "outcome", None), (Reassignment, "note", None),
    (CoverGrant, "reason", ""), (DataRequest, "note", None),
)
#: Audit detail keys known to carry no personal data; anything else is dropped on anonymisation.
SAFE_AUDIT_KEYS = frozenset({"fields", "screen", "from", "to", "reason", "expires_at", "format", "lang", "counts", "path",
                             "view", "refused", "batch", "via", "by", "tables", "skipped"})


def age_band(birth_year: int | None, birth_date: date | None, on: date) -> AgeBand | None:
    if birth_date is not None:
        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    elif birth_year is not None:
        age = on.year - birth_year
    else:
        return None
    if age < 18:
        return AgeBand.UNDER_18
    if age <= 26:
        return AgeBand.AGE_18_26
    if age <= 64:
        return AgeBand.AGE_27_64
    return AgeBand.AGE_65_PLUS


def _client_filter(model):
    if model is RoadmapTask:
        return lambda cid: RoadmapTask.agreement_id.in_(sa.select(Agreement.id).where(Agreement.client_id == cid))
    return lambda cid: model.client_id == cid


# --- export ----------------------------------------------------------------------------------

def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _enum(value):
    return value.value if value is not None and hasattr(value, "value") else value


def _row(obj, fields) -> dict[str, Any]:
    return {f: _iso(_enum(getattr(obj, f))) for f in fields}


def export_record(session: Session, client: Client) -> dict[str, Any]:
    """Everything the centre holds about one client, as a JSON-ready dict (schema version 1)."""
    cid = client.id
    agreements = (session.query(Agreement).filter(Agreement.client_id == cid)
                  .options(joinedload(Agreement.worker), joinedload(Agreement.consent_recorded_by))
                  .order_by(Agreement.agreed_on, Agreement.id).all())
    tasks = session.query(RoadmapTask).filter(_client_filter(RoadmapTask)(cid)).order_by(RoadmapTask.agreement_id, RoadmapTask.position, RoadmapTask.id).all()
    tasks_by_agreement: dict[int, list] = {}
    for task in tasks:
        tasks_by_agreement.setdefault(task.agreement_id, []).append(task)
    from services.clients import codes_of

    accesses = (
        session.query(AuditEvent).filter(AuditEvent.client_code.in_(codes_of(session, client)))  # with merged records' codes
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.at, AuditEvent.id).all()
    )
    return {
        "schema": EXPORT_SCHEMA,
        "version": EXPORT_VERSION,
        "generated_at": utcnow().isoformat(),
        "client": {
            **_row(client, (
                "code", "status", "is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex",
                "age_band", "citizenship", "phone", "email", "municipality", "district", "residence_status",
                "legal_hold", "legal_hold_reason", "created_at", "last_contact_at", "anonymised_at",
            )),
            "languages": list(client.languages or []),
            "worker": client.worker.full_name if client.worker else None,
        },
        "intakes": [
            _row(i, ("held_on", "issue", "ended_on", "end_reason", "end_note")) | {"worker": i.worker.full_name}
            for i in session.query(Intake).filter(Intake.client_id == cid).options(joinedload(Intake.worker)).order_by(Intake.held_on, Intake.id)
        ],
        "agreements": [
            _row(a, ("agreed_on", "issue", "goal", "status", "ended_on", "end_reason")) | {
                "worker": a.worker.full_name,
                "consent": {
                    "service": a.consent_service, "personal_data": a.consent_data,
                    "recorded_at": _iso(a.consent_recorded_at),
                    "recorded_by": a.consent_recorded_by.full_name if a.consent_recorded_by else None,
                },
                "roadmap": [
                    _row(t, ("position", "description", "responsible", "due_on", "status", "outcome", "completed_on"))
                    for t in tasks_by_agreement.get(a.id, [])
                ],
            }
            for a in agreements
        ],
        "appointments": [
            _row(a, ("starts_at", "duration_minutes", "format", "place", "place_note", "purpose", "interpreter",
                     "language", "status", "notes", "evaluation", "next_steps", "other_worker_reason"))
            | {"worker": a.worker.full_name, "office": a.office.name if a.office else None,
               "office_code": a.office.code if a.office else None}
            for a in session.query(Appointment).filter(Appointment.client_id == cid)
            .options(joinedload(Appointment.worker), joinedload(Appointment.office)).order_by(Appointment.starts_at, Appointment.id)
        ],
        "visits": [
            _row(v, ("occurred_at", "channel", "minutes", "urgent", "summary"))
            | {"worker": v.worker.full_name, "topics": [t.label for t in v.topics], "topic_codes": [t.code for t in v.topics]}
            for v in session.query(Visit).filter(Visit.client_id == cid)
            .options(joinedload(Visit.worker), selectinload(Visit.topics)).order_by(Visit.occurred_at, Visit.id)
        ],
        "reassignments": [
            _row(r, ("at", "reason", "note")) | {
                "from": r.from_worker.full_name if r.from_worker else None, "to": r.to_worker.full_name,
            }
            for r in session.query(Reassignment).filter(Reassignment.client_id == cid)
            .options(joinedload(Reassignment.from_worker), joinedload(Reassignment.to_worker)).order_by(Reassignment.at, Reassignment.id)
        ],
        "cover_access": [
            _row(g, ("granted_at", "expires_at", "reason")) | {"worker": g.worker.full_name}
            for g in session.query(CoverGrant).filter(CoverGrant.client_id == cid).options(joinedload(CoverGrant.worker)).order_by(CoverGrant.granted_at, CoverGrant.id)
        ],
        "data_requests": [
            _row(d, ("type", "received_on", "channel", "due_on", "status", "completed_on", "note"))
            for d in session.query(DataRequest).filter(DataRequest.client_id == cid).order_by(DataRequest.received_on, DataRequest.id)
        ],
        "accesses": [
            {"at": _iso(e.at), "who": e.actor.full_name if e.actor else None, "action": e.action.value,
             "record": e.entity, "record_id": e.entity_id}
            for e in accesses
        ],
    }


def export_document(session: Session, client: Client, fmt: str, lang: str = "cs", **page: Any) -> str:
    """The client's record as the text of a JSON document or a printable page (HTML, ``lang``;
    ``page``: the web page's language links and CSP nonce, see :func:`render_html`).

    Produce the document before recording the export (:func:`record_export`): an export that failed
    must not be in the audit trail as done."""
    import json

    data = export_record(session, client)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return render_html(data, lang, **page)


def export_client(session: Session, client: Client, fmt: str, lang: str = "cs", *, user: Any = None, **page: Any) -> str:
    """One export of a client's record (right of access), as every path makes it (the client screen, the
    command line): ``user`` may export records (None: the command line, which runs with the database's
    own rights), the document is produced (:func:`export_document`), then the export is recorded with
    its format (and the page's language) and flushed; the caller commits. A person who may not:
    :class:`PermissionError`, nothing recorded."""

    if user is not None and not access.can(user, "export"):
        raise PermissionError("no right to export a client's record")
    text = export_document(session, client, fmt, lang, **page)
    record_export(session, client, fmt, lang if fmt == "html" else None, actor_id=getattr(user, "id", None))
    return text


def record_export(session: Session, client: Client, fmt: str, lang: str | None = None, actor_id: int | None = None) -> None:
    """Audit one export of a client's record."""
    details = {"format": fmt}
    if lang:
        details["lang"] = lang
    audit.record(session, AuditAction.EXPORT, entity="client", entity_id=client.id, client_code=client.code,
                 actor_id=actor_id, details=details)
    session.flush()


def render_html(data: dict[str, Any], lang: str, **page: Any) -> str:
    """The printable record in ``lang`` (any language with a client-documents catalog; needs an
    application context). ``page``: the web page's language links and CSP nonce
    (:func:`services.client_documents.render_record`)."""
    from extensions import db
    from services import client_documents

    person = data["client"]
    lang = client_documents.choose(person.get("languages"), lang, person.get("citizenship"))
    return client_documents.render_record(data, lang, db.session, **page)


# --- anonymisation ---------------------------------------------------------------------------

def anonymise_preview(session: Session, client: Client) -> list[tuple[str, int]]:
    """What anonymising ``client`` would remove: (description, count) pairs, counts of non-empty values."""
    items: list[tuple[str, int]] = []
    personal = sum(1 for f in CLIENT_PERSONAL_FIELDS if getattr(client, f) not in (None, ""))
    items.append((str(_l("Personal data fields of the client (names, alias, contacts, birth date, address)")), personal))
    labels = {
        (Appointment, "notes"): _l("Appointment notes"), (Appointment, "evaluation"): _l("Evaluations of results"),
        (Appointment, "next_steps"): _l("Next steps agreed"), (Appointment, "place_note"): _l("Place details"),
        (Appointment, "other_worker_reason"): _l("Reasons for booking another worker than the client's own"),
        (Visit, "summary"): _l("Visit summaries"), (Agreement, "issue"): _l("Issues in the client's words"),
        (Agreement, "goal"): _l("Goals of agreements"), (Agreement, "end_reason"): _l("Reasons for ending agreements"),
        (Intake, "issue"): _l("Intake notes"), (Intake, "end_note"): _l("Notes on ended intakes"),
        (RoadmapTask, "description"): _l("Roadmap task descriptions"), (RoadmapTask, "outcome"): _l("Roadmap task outcomes"),
        (Reassignment, "note"): _l("Reassignment notes"), (CoverGrant, "reason"): _l("Reasons for cover access"),
        (DataRequest, "note"): _l("Notes on data requests"),
    }
    for model, field, _replacement in FREE_TEXT:
        column = getattr(model, field)
        count = session.execute(
            sa.select(sa.func.count()).select_from(model)
            .where(_client_filter(model)(client.id), column.is_not(None), column != "")
        ).scalar()
        items.append((str(labels[(model, field)]), count))
    return items


def holds_content(client_table=None):
    """SQL: the client (a row of ``client_table``, by default the client table) still holds a personal
    field or free text anywhere under it. True for every client before anonymisation; after it, only
    for one whose data came back (written before the rules of services/writes.py held, restored from
    a backup, put there by hand)."""
    table = client_table if client_table is not None else Client.__table__
    personal = [sa.and_(table.c[field].is_not(None), sa.cast(table.c[field], sa.String) != "")
                for field in CLIENT_PERSONAL_FIELDS + CLIENT_DERIVED_FIELDS]
    agreement = Agreement.__table__
    texts = []
    for model in _SCRUBBED_MODELS:
        other = model.__table__
        fields = [field for m, field, _replacement in FREE_TEXT if m is model]
        has_text = sa.or_(*(other.c[field] != "" for field in fields))  # NULL != '' is not true
        if model is RoadmapTask:  # a join, so that the client stays correlated to the outer row
            owned = sa.and_(other.c.agreement_id == agreement.c.id, agreement.c.client_id == table.c.id)
        else:
            owned = other.c.client_id == table.c.id
        texts.append(sa.exists().where(owned, has_text).correlate(table))
    return sa.or_(*personal, *texts)


def needs_anonymising(session: Session, client: Client) -> bool:
    """Would :func:`anonymise` change anything: not anonymised yet, or anonymised but still holding a
    personal field or free text (anonymised again then)."""
    if client.anonymised_at is None:
        return True
    table = Client.__table__
    return bool(session.execute(sa.select(sa.literal(1)).where(table.c.id == client.id, holds_content())).first())


def anonymise(session: Session, client: Client, actor_id: int | None = None, *, on: date | None = None, audit_it: bool = True) -> bool:
    """Remove every personal field and free text of ``client``; keep coded fields for statistics;
    cancel their planned future appointments (by the centre).

    Irreversible. Refused while a legal hold is set. Returns False when there was nothing to do: the
    client is anonymised and holds no personal field or free text. One that is marked anonymised but
    still holds some (see :func:`holds_content`) is anonymised again.
    The work is :func:`anonymise_clients` (a few set-based statements); afterwards the client and any
    loaded record under a client are expired, so they read the scrubbed values again.
    """
    if client.legal_hold:
        raise ServiceError(_l("The record is on legal hold and cannot be anonymised."))
    session.flush()
    counts: dict[str, int] = {}
    if not anonymise_clients(session, [client.id], on=on, counts=counts):
        session.refresh(client)  # changed under us (anonymised or held meanwhile), or nothing left to remove
        if client.legal_hold:
            raise ServiceError(_l("The record is on legal hold and cannot be anonymised."))
        return False
    for obj in list(session.identity_map.values()):
        if obj is client or isinstance(obj, _SCRUBBED_MODELS):
            session.expire(obj)
    if audit_it:
        audit.record(session, AuditAction.ANONYMISE, entity="client", entity_id=client.id, client_code=client.code,
                     actor_id=actor_id, details={"counts": counts} if any(counts.values()) else None)
    session.flush()
    return True


def planned_appointments(session: Session, client_ids, *, now: datetime | None = None) -> list[Appointment]:
    """The planned appointments ahead that anonymising these clients cancels (see
    :func:`services.scheduling.planned_ahead`)."""
    from services import scheduling

    return scheduling.planned_ahead(session, client_ids, now=now)


#: Models whose rows hold free text under a client (loaded instances are expired after a scrub).
_SCRUBBED_MODELS = tuple(dict.fromkeys(model for model, _field, _replacement in FREE_TEXT))


def _free_text_statements() -> list[sa.Update]:
    """One UPDATE per table clearing all its free text for the clients in the ``client_ids`` parameter.

    Plain Core statements on the tables (built once, compiled once): no ORM objects are loaded, and
    only rows that still hold some text are written.
    """
    ids = sa.bindparam("client_ids", expanding=True)
    agreement = Agreement.__table__
    statements = []
    for model in _SCRUBBED_MODELS:
        table = model.__table__
        fields = [(field, replacement) for m, field, replacement in FREE_TEXT if m is model]
        if model is RoadmapTask:
            where = table.c.agreement_id.in_(sa.select(agreement.c.id).where(agreement.c.client_id.in_(ids)))
        else:
            where = table.c.client_id.in_(ids)
        # NULL != '' is not true, so this picks exactly the rows with some non-empty text
        has_text = sa.or_(*(table.c[field] != "" for field, _replacement in fields))
        values = {field: replacement for field, replacement in fields}
        if "version" in table.c:  # a form opened before the scrub is stale afterwards
            values["version"] = table.c.version + 1
        statements.append(sa.update(table).where(where, has_text).values(values))
    return statements


_FREE_TEXT_UPDATES = _free_text_statements()


def _scrub_free_text(session: Session, client_ids: list[int]) -> None:
    for statement in _FREE_TEXT_UPDATES:
        session.execute(statement, {"client_ids": client_ids})


def anonymise_clients(session: Session, client_ids, *, on: date | None = None, counts: dict | None = None) -> list[int]:
    """Anonymise a group of clients by id with set-based statements; returns the ids done (sorted).

    The purge's path, and :func:`anonymise`'s: no ORM object is loaded. One SELECT reads the
    columns the age band needs; one UPDATE per age band overwrites the personal fields; one UPDATE
    per table clears the free text under every client of the group; one UPDATE cancels their
    planned appointments that have not started (cancelled by the centre); the group's audit details
    are scrubbed. A client is written while it is not on legal hold and either not anonymised yet or
    still holding a personal field or free text (:func:`holds_content`: anonymised again), checked
    again in the UPDATE itself (a hold set meanwhile wins and nothing of that client is touched).
    Every row written gets a new version, so a form opened before is refused (services/writes.py).
    ``counts`` (a dict, optional) receives ``anonymised``, ``again`` (of those, anonymised before)
    and ``appointments_cancelled``. Commits nothing: the caller's transaction makes the whole group
    all-or-nothing, so no client is ever left half anonymised; it is marked as an erasure
    (:func:`mark_erased`) for the compaction of the database's files.
    """
    ids = list(client_ids)
    if not ids:
        return []
    table = Client.__table__
    untouched = sa.and_(table.c.legal_hold.is_(False), sa.or_(table.c.anonymised_at.is_(None), holds_content()))
    rows = session.execute(
        sa.select(table.c.id, table.c.code, table.c.birth_year, table.c.birth_date, table.c.last_contact_at, table.c.age_band,
                  table.c.anonymised_at)
        .where(table.c.id.in_(ids), untouched)
    ).all()
    by_band: dict[AgeBand | None, list[int]] = {}
    for row in rows:
        reference = on or (to_local(row.last_contact_at).date() if row.last_contact_at else local_now().date())
        by_band.setdefault(row.age_band or age_band(row.birth_year, row.birth_date, reference), []).append(row.id)
    now = utcnow()
    done: list[int] = []
    for band, group in by_band.items():
        values: dict[str, Any] = {field: None for field in CLIENT_PERSONAL_FIELDS + CLIENT_DERIVED_FIELDS}
        values.update(age_band=band, anonymised_at=sa.func.coalesce(table.c.anonymised_at, now),
                      version=table.c.version + 1)
        done += session.execute(
            sa.update(table).where(table.c.id.in_(group), untouched).values(values).returning(table.c.id)
        ).scalars().all()
    if not done:
        return []
    done_set = set(done)
    _scrub_free_text(session, sorted(done_set))
    appointments = Appointment.__table__
    cancelled = session.execute(
        sa.update(appointments)
        .where(appointments.c.client_id.in_(sorted(done_set)), appointments.c.status == AppointmentStatus.PLANNED.value,
               appointments.c.starts_at > now)
        .values(status=AppointmentStatus.CANCELLED_CENTRE.value, version=appointments.c.version + 1, updated_at=now)
    ).rowcount
    _scrub_audit_details(session, [row.code for row in rows if row.id in done_set])
    mark_erased(session)
    if counts is not None:
        again = sum(1 for row in rows if row.id in done_set and row.anonymised_at is not None)
        counts.update(anonymised=len(done_set), again=again, appointments_cancelled=cancelled)
    return sorted(done_set)


def _scrub_audit_details(session: Session, codes: list[str]) -> None:
    """Drop any audit detail key not known to be free of personal data (the trail itself stays).

    Reads only the entries of these client codes that have details (indexed by client code).
    """
    table = AuditEvent.__table__
    if not codes:
        return
    rows = session.execute(sa.select(table.c.id, table.c.details).where(table.c.client_code.in_(codes), table.c.details.is_not(None))).all()
    for row_id, details in rows:
        clean = {k: v for k, v in (details or {}).items() if k in SAFE_AUDIT_KEYS}
        if clean != details:
            session.execute(sa.update(table).where(table.c.id == row_id).values(details=clean or None))


# --- deletion --------------------------------------------------------------------------------

def delete_preview(session: Session, client: Client) -> list[tuple[str, int]]:
    counts = []
    for label, model in ((_l("Intakes"), Intake), (_l("Agreements"), Agreement), (_l("Roadmap tasks"), RoadmapTask),
                         (_l("Appointments"), Appointment), (_l("Visits and contacts"), Visit)):
        counts.append((str(label), session.execute(sa.select(sa.func.count()).select_from(model).where(_client_filter(model)(client.id))).scalar()))
    return counts


def delete_client(session: Session, client: Client, actor_id: int | None = None) -> str:
    """Delete the client and everything under it (with the records merged into it, which hold only
    their codes). The audit entry keeps only the code."""
    code, cid = client.code, client.id
    if client.legal_hold:
        raise ServiceError(_l("The record is on legal hold and cannot be deleted."))
    merged = session.execute(sa.select(Client.code).where(Client.merged_into_id == cid)).scalars().all()
    if merged:
        session.execute(sa.delete(Client).where(Client.merged_into_id == cid).execution_options(synchronize_session=False))
        _scrub_audit_details(session, merged)
    session.execute(sa.update(DataRequest).where(DataRequest.client_id == cid).values(note=None).execution_options(synchronize_session=False))
    for model in (RoadmapTask, Intake, Agreement, Appointment, Visit, Reassignment, CoverGrant):
        session.execute(sa.delete(model).where(_client_filter(model)(cid)).execution_options(synchronize_session=False))
    session.execute(sa.update(DataRequest).where(DataRequest.client_id == cid).values(client_id=None).execution_options(synchronize_session=False))
    _scrub_audit_details(session, [code])
    session.delete(client)
    session.flush()
    mark_erased(session)
    audit.record(session, AuditAction.DELETE, entity="client", client_code=code, actor_id=actor_id)
    session.flush()
    session.expire_all()
    return code


#: Shown when the write-ahead log could not be emptied after an erasure (a reader held it the whole time).
WIPE_PENDING = _l(
    "The erasure is saved, but old copies of the erased text could not yet be cleared from the database's log "
    "because it was busy. They are cleared at the next erasure or when the application restarts."
)
#: How often a busy checkpoint is tried, how long apart, and how long each try waits for readers (ms).
CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_PAUSE = 0.2
CHECKPOINT_WAIT_MS = 500


def wipe_freed_space(session: Session, *, attempts: int | None = None, pause: float | None = None) -> bool:
    """After an erasure, make sure no old page with erased text survives in SQLite's files.

    ``secure_delete`` (set on every connection) zeroes freed content; a TRUNCATE checkpoint writes
    the new pages into the database file and empties the write-ahead log. A checkpoint that another
    connection blocks (SQLite answers busy) is retried a few times with a short pause. Returns False
    when it stayed busy (the caller warns: :data:`WIPE_PENDING`), True when done or not needed. On
    PostgreSQL, old row versions disappear with VACUUM (see the README).
    """
    import logging
    import time

    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return True
    from services import name_index, phone_index

    name_index.forget_erased(session)  # the erased names' trigrams out of the search index's old segments
    phone_index.forget_erased(session)  # and the erased numbers' digits
    attempts = attempts or CHECKPOINT_ATTEMPTS
    pause = CHECKPOINT_PAUSE if pause is None else pause
    session.commit()
    with engine.connect() as conn:
        previous_wait = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT_MS)}")
        try:
            for attempt in range(attempts):
                row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                conn.commit()
                if row is None or not row[0]:  # (busy, log pages, checkpointed pages)
                    return True
                if attempt + 1 < attempts:
                    time.sleep(pause)
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(previous_wait or 0)}")
    logging.getLogger(__name__).warning("WAL checkpoint after an erasure stayed busy after %d attempts", attempts)
    return False


# --- compaction: erased text out of the database's files ------------------------------------------

#: Every table whose files may hold erased text: personal fields, notes and reasons, the audit
#: trail's details (rewriting a table rewrites its indexes and its TOAST table too).
COMPACT_TABLES = ("client", "appointment", "visit", "agreement", "intake", "roadmap_task", "reassignment",
                  "cover_grant", "data_request", "audit_event")
#: How long compaction waits for a table's lock (ms) before leaving that table for the next run.
COMPACT_LOCK_TIMEOUT_MS = 10_000


def mark_erased(session: Session, when: datetime | None = None) -> None:
    """Note, in the caller's transaction, that something was erased (anonymised, deleted, purged): the
    next compaction (:func:`compaction_pending`) has work to do."""
    from models import ErasureState

    table = ErasureState.__table__
    when = when or utcnow()
    if session.execute(sa.update(table).where(table.c.id == 1).values(erased_at=when)).rowcount:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(table).values(id=1, erased_at=when).on_conflict_do_update(
        index_elements=[table.c.id], set_={"erased_at": when}))


def compaction_pending(session: Session) -> bool:
    """Was something erased since the last complete compaction?"""
    from models import ErasureState

    state = session.get(ErasureState, 1)
    return state is not None and state.erased_at is not None and (
        state.compacted_at is None or state.erased_at >= state.compacted_at)


@dataclasses.dataclass
class Compaction:
    engine: str  #: "postgresql" or "sqlite"
    tables: list[str] = dataclasses.field(default_factory=list)  #: rewritten
    skipped: list[str] = dataclasses.field(default_factory=list)  #: left for the next run (their lock was not free in time)
    statistics: bool = False  #: PostgreSQL's planner statistics (pg_statistic) rewritten too
    checkpoint: bool = False  #: a checkpoint was run afterwards
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.skipped


def compact(session: Session, *, lock_timeout_ms: int | None = None, actor_id: int | None = None) -> Compaction:
    """Rewrite the database's files so that no erased text stays in them; audited, commits.

    PostgreSQL keeps an updated or deleted row's old version in the table's file (and the index
    entries pointing at it) until VACUUM marks the space free for reuse, and even then the bytes stay
    until overwritten: only a rewrite removes them. Each table of :data:`COMPACT_TABLES` is rewritten
    with ``VACUUM (FULL, ANALYZE)`` (a new file for the table, its TOAST table and every index; the
    planner's statistics taken afresh), one table at a time, each under an exclusive lock that blocks
    its readers and writers for as long as the rewrite takes (measured on PostgreSQL 15: about half a
    second per 100 000 appointments, 1.5 s per 100 000 clients, whose search indexes are rebuilt). A
    table whose lock is not free within ``lock_timeout_ms`` is skipped and left for the next run.
    Then, where the database user may (a superuser), the planner's statistics table (sample values of
    those columns) is rewritten and a checkpoint run, so that the write-ahead log written before can
    be recycled sooner.

    SQLite overwrites freed content with zeros (``secure_delete``); compaction there empties the
    write-ahead log into the database file and rewrites the search indexes (:func:`wipe_freed_space`).

    Must run outside the caller's transaction: the session is committed first. The compaction is
    complete (:attr:`Compaction.complete`) when no table was skipped; only then is the erasure state
    marked compacted (:func:`compaction_pending`).
    """
    import time

    from models import ErasureState

    started_at = utcnow()
    started = time.monotonic()
    session.commit()
    engine = session.get_bind()
    result = Compaction(engine=engine.dialect.name)
    if result.engine == "postgresql":
        _compact_postgresql(engine, result, COMPACT_LOCK_TIMEOUT_MS if lock_timeout_ms is None else lock_timeout_ms)
    else:
        if wipe_freed_space(session):
            result.tables = list(COMPACT_TABLES)
        else:
            result.skipped = ["write-ahead log"]
    result.seconds = round(time.monotonic() - started, 2)
    if result.complete:
        state = session.get(ErasureState, 1)
        if state is None:
            session.add(ErasureState(id=1, compacted_at=started_at))
        else:
            state.compacted_at = started_at
    audit.record(session, AuditAction.COMPACTED, entity="database", actor_id=actor_id,
                 details={"tables": result.tables, "skipped": result.skipped} if result.skipped else {"tables": result.tables})
    session.commit()
    return result


def _compact_postgresql(engine, result: Compaction, lock_timeout_ms: int) -> None:
    import logging

    from sqlalchemy.exc import OperationalError

    log = logging.getLogger(__name__)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"SET lock_timeout = {int(lock_timeout_ms)}")
        for table in COMPACT_TABLES:
            try:
                conn.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{table}"')  # a name from COMPACT_TABLES
            except OperationalError as exc:  # the lock was not free in time (or the table is missing)
                log.warning("compaction skipped table %s: %s", table, type(exc.orig).__name__)
                result.skipped.append(table)
            else:
                result.tables.append(table)
        superuser = conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar() == "on"
        if superuser:
            conn.exec_driver_sql("VACUUM FULL pg_catalog.pg_statistic")
            result.statistics = True
            conn.exec_driver_sql("CHECKPOINT")
            result.checkpoint = True
        conn.exec_driver_sql("RESET lock_timeout")
