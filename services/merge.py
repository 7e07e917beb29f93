"""Merging two records of one person: the duplicate's history moves to the record kept.

Reception registered someone twice (the name spelt another way, a missed lookup): their history is
split across two codes. A manager merges the duplicate into the record to keep. This is the only way a
case record ever moves to another client, and it moves them directly (set-based statements), never
through a form:

- appointments, visits, intakes, agreements (their roadmap tasks go with them), data requests, past
  cover access and reassignments move to the kept record; cover access still open on the duplicate
  is ended (a colleague opens the kept record with a reason of their own if need be);
- personal fields: the kept record's value wins; an empty one is filled from the duplicate; where both
  hold different values the manager may take the duplicate's (``take``); languages are united;
- the social worker and status follow the case: the worker of an active agreement (either side),
  otherwise the kept record's (or the duplicate's when the kept one has none); a change of worker is
  written as a reassignment for the merge;
- the duplicate keeps only its code (no personal data, no search key), marked as merged into the kept
  record: the code still finds the kept record, and its pages lead there;
- one transaction (the caller commits), audited on both codes with counts and field names, never
  values.

Refused: a record into itself; into or from a merged record; into or from an anonymised record (an
anonymised history joined to a named person would identify it again, and an anonymised record takes
no personal data); across a legal hold (a record on hold must stay as it is: lift the hold first if
the merge is right); and where the merged record would break the case's rules: two active agreements,
two open intakes, or an open intake beside an active agreement (end one first, in its case file).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models import Agreement, Appointment, Client, CoverGrant, DataRequest, Intake, Reassignment, RoadmapTask, Visit
from models.base import utcnow
from models.enums import AgreementStatus, AuditAction, ClientStatus, ReassignReason
from services import audit, privacy
from services.errors import ServiceError

#: personal fields compared field by field (languages are united instead)
FIELDS = ("is_anonymous", "first_name", "last_name", "alias", "birth_year", "birth_date", "sex", "age_band",
          "citizenship", "phone", "email", "municipality", "district", "residence_status")
#: what a merged record keeps of its own: its code, creation time and the mark (every other field cleared)
CLEARED = FIELDS + ("languages", "legal_hold_reason", "search_key", "last_contact_at", "worker_id")
#: the records that move, in the preview's order: (what, model)
MOVED = (
    (_l("Appointments"), Appointment), (_l("Visits and contacts"), Visit), (_l("Intakes"), Intake),
    (_l("Agreements"), Agreement), (_l("Roadmap tasks (with their agreements)"), RoadmapTask),
    (_l("Data requests"), DataRequest), (_l("Cover access (past)"), CoverGrant), (_l("Reassignments"), Reassignment),
)
#: a client's status after a merge: the further along of the two
_STATUS_ORDER = (ClientStatus.INTERESTED, ClientStatus.CLOSED, ClientStatus.CLIENT)


@dataclass
class FieldChoice:
    """One personal field the duplicate holds: what the kept record will have."""

    name: str
    kept: Any
    other: Any
    #: "same" (equal), "filled" (the kept record has none: the duplicate's is taken), "conflict" (both
    #: differ: the kept record's unless taken), "dropped" (an anonymous kept record takes no name)
    state: str


@dataclass
class MergePreview:
    duplicate: Client
    kept: Client
    moves: list[tuple[str, int]]  #: (what, how many) for each kind of record that moves
    fields: list[FieldChoice]
    languages: list[str]  #: the kept record's languages after the merge
    worker_id: int | None  #: the kept record's worker after the merge
    status: ClientStatus
    open_cover: int  #: cover access still open on the duplicate, ended by the merge
    merged_codes: list[str] = field(default_factory=list)  #: records merged into the duplicate earlier, now led to the kept one

    @property
    def conflicts(self) -> list[FieldChoice]:
        return [choice for choice in self.fields if choice.state == "conflict"]


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _refuse(duplicate: Client, kept: Client) -> None:
    if duplicate.id == kept.id:
        raise ServiceError(_l("A record cannot be merged into itself."))
    for record in (duplicate, kept):
        if record.merged_into_id is not None:
            raise ServiceError(_l("The record %(code)s was already merged into another record.", code=record.code))
        if record.anonymised_at is not None:
            raise ServiceError(_l("The record %(code)s is anonymised: its history cannot be joined to another "
                                  "person's record, and it takes no personal data.", code=record.code))
        if record.legal_hold:
            raise ServiceError(_l("The record %(code)s is on legal hold and must stay as it is. Lift the hold first "
                                  "if the merge is right.", code=record.code))


def _count(session: Session, model, client_id: int, *where) -> int:
    if model is RoadmapTask:
        condition = RoadmapTask.agreement_id.in_(sa.select(Agreement.id).where(Agreement.client_id == client_id))
    else:
        condition = model.client_id == client_id
    return session.execute(sa.select(sa.func.count()).select_from(model).where(condition, *where)).scalar()


def _open_case(session: Session, client_id: int) -> tuple[int, int]:
    """(active agreements, open intakes) of a client."""
    active = _count(session, Agreement, client_id, Agreement.status == AgreementStatus.ACTIVE)
    intakes = _count(session, Intake, client_id, Intake.agreement_id.is_(None), Intake.ended_on.is_(None))
    return active, intakes


def preview(session: Session, duplicate: Client, kept: Client, take=()) -> MergePreview:
    """What merging ``duplicate`` into ``kept`` would do (nothing is changed); raises
    :class:`ServiceError` when the merge is refused. ``take``: the conflicting fields whose duplicate's
    value is to win."""
    _refuse(duplicate, kept)
    dup_active, dup_intakes = _open_case(session, duplicate.id)
    kept_active, kept_intakes = _open_case(session, kept.id)
    if dup_active and kept_active:
        raise ServiceError(_l("Both records have an active agreement. End one of them first (in its case file)."))
    if dup_intakes + kept_intakes > 1 or (dup_intakes and kept_active) or (kept_intakes and dup_active):
        raise ServiceError(_l("The records together would have an open intake beside another open intake or an "
                              "active agreement. End the intake first (in its case file), or make the agreement."))
    now = utcnow()
    moves = [(str(label), _count(session, model, duplicate.id)) for label, model in MOVED]
    open_cover = _count(session, CoverGrant, duplicate.id, CoverGrant.revoked_at.is_(None), CoverGrant.expires_at > now)
    take = set(take)
    anonymous = duplicate.is_anonymous if "is_anonymous" in take and duplicate.is_anonymous != kept.is_anonymous \
        else kept.is_anonymous
    fields = []
    for name in FIELDS:
        mine, theirs = getattr(kept, name), getattr(duplicate, name)
        if name == "is_anonymous":
            if mine != theirs:
                fields.append(FieldChoice(name, mine, theirs, "conflict"))
            continue
        if _empty(theirs):
            continue
        if anonymous and name in ("first_name", "last_name"):
            state = "dropped"
        elif _empty(mine):
            state = "filled"
        else:
            state = "same" if mine == theirs else "conflict"
        fields.append(FieldChoice(name, mine, theirs, state))
    if dup_active:
        worker_id = duplicate.worker_id
    elif kept_active:
        worker_id = kept.worker_id
    else:
        worker_id = kept.worker_id or duplicate.worker_id
    status = ClientStatus.CLIENT if (dup_active or kept_active) else max(
        (ClientStatus(kept.status), ClientStatus(duplicate.status)), key=_STATUS_ORDER.index)
    merged_codes = list(session.execute(
        sa.select(Client.code).where(Client.merged_into_id == duplicate.id).order_by(Client.code)).scalars())
    return MergePreview(duplicate, kept, moves, fields, sorted(set(kept.languages or []) | set(duplicate.languages or [])),
                        worker_id, status, open_cover, merged_codes)


def merge(session: Session, duplicate: Client, kept: Client, *, take=(), actor_id: int | None = None) -> MergePreview:
    """Merge ``duplicate`` into ``kept`` (see the module): flushes, the caller commits. ``take`` names
    conflicting fields whose duplicate's value wins. Returns the preview that was carried out."""
    session.flush()
    plan = preview(session, duplicate, kept, take)
    unknown = set(take) - {choice.name for choice in plan.conflicts}
    if unknown:
        raise ServiceError(_l("Only a field whose values differ can be taken from the other record."))
    now = utcnow()
    taken = []
    for choice in plan.fields:
        if choice.state == "filled" or (choice.state == "conflict" and choice.name in take):
            setattr(kept, choice.name, choice.other)
            taken.append(choice.name)
    if kept.birth_date is not None and "birth_year" not in take:
        kept.birth_year = kept.birth_date.year  # the year follows a date of birth (one taken explicitly is checked)
    kept.languages = plan.languages
    previous_worker = kept.worker_id
    if plan.worker_id != previous_worker:
        kept.worker_id = plan.worker_id
        if previous_worker is not None:
            session.add(Reassignment(client_id=kept.id, from_worker_id=previous_worker, to_worker_id=plan.worker_id,
                                     reason=ReassignReason.MERGE, by_id=actor_id, at=now))
    kept.status = plan.status
    contacts = [value for value in (kept.last_contact_at, duplicate.last_contact_at) if value is not None]
    kept.last_contact_at = max(contacts) if contacts else None
    from services import clients

    clients.validate(kept)
    # the records move: set-based, as the records are (no form, no per-row check of a client change)
    session.execute(sa.update(CoverGrant).where(CoverGrant.client_id == duplicate.id, CoverGrant.revoked_at.is_(None),
                                                CoverGrant.expires_at > now).values(revoked_at=now)
                    .execution_options(synchronize_session=False))
    for model in (Appointment, Visit, Intake, Agreement, CoverGrant, Reassignment):
        values = {"client_id": kept.id}
        if "version" in model.__table__.c:  # a form opened on a moved record is stale now (services/writes.py)
            values["version"] = model.version + 1
        session.execute(sa.update(model).where(model.client_id == duplicate.id).values(values)
                        .execution_options(synchronize_session=False))
    session.execute(sa.update(DataRequest).where(DataRequest.client_id == duplicate.id)
                    .values(client_id=kept.id, client_code=kept.code).execution_options(synchronize_session=False))
    session.execute(sa.update(Client).where(Client.merged_into_id == duplicate.id).values(merged_into_id=kept.id)
                    .execution_options(synchronize_session=False))
    for name in CLEARED:
        setattr(duplicate, name, [] if name == "languages" else (False if name == "is_anonymous" else None))
    duplicate.status = ClientStatus.INTERESTED
    duplicate.merged_into_id, duplicate.merged_at = kept.id, now
    privacy.mark_erased(session)  # the duplicate's personal data: out of the database's files at the next compaction
    counts = {str(model.__tablename__): count for (_label, model), (_text, count) in zip(MOVED, plan.moves) if count}
    audit.record(session, AuditAction.MERGE, entity="client", entity_id=duplicate.id, client_code=duplicate.code,
                 actor_id=actor_id, details={"to": kept.code, "counts": counts})
    audit.record(session, AuditAction.MERGE, entity="client", entity_id=kept.id, client_code=kept.code,
                 actor_id=actor_id, details={"from": duplicate.code, "counts": counts, "fields": sorted(taken)})
    session.flush()
    for obj in list(session.identity_map.values()):  # loaded records read their new client again
        if isinstance(obj, (Appointment, Visit, Intake, Agreement, CoverGrant, Reassignment, DataRequest)):
            session.expire(obj)
    return plan
