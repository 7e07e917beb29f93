"""The retention rule: personal data and notes are kept for RETENTION_YEARS after the last contact.

A client's last activity is the latest of: a visit, an attended appointment, the end of an agreement
(a person with no contact counts from the record's creation). The purge anonymises every client whose
last activity is before the cutoff (the reference date minus RETENTION_YEARS; a client whose last
activity falls exactly on the cutoff date is kept), unless on legal hold, and removes the summaries
of anonymous walk-ins older than the cutoff. Clients are anonymised in small batches, each batch
one transaction, so an interruption leaves no half-done client and a rerun finishes the job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Agreement, Appointment, Client, Visit
from models.enums import AppointmentStatus, AuditAction
from services import audit, privacy
from services.timeutil import local_day_bounds, local_now

BATCH = 500
#: Clients anonymised per transaction by the purge (a short write lock, few statements per client).
PURGE_BATCH = 100


def cutoff_date(as_of: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February falls back to 28)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:
        return as_of.replace(year=as_of.year - years, day=28)


def _last_activity_columns(cutoff_at: datetime, cutoff: date):
    """Correlated conditions: nothing happened on or after the cutoff."""
    recent_visit = sa.exists().where(Visit.client_id == Client.id, Visit.occurred_at >= cutoff_at)
    recent_appointment = sa.exists().where(
        Appointment.client_id == Client.id, Appointment.status == AppointmentStatus.ATTENDED, Appointment.starts_at >= cutoff_at
    )
    recent_agreement_end = sa.exists().where(Agreement.client_id == Client.id, Agreement.ended_on >= cutoff)
    return recent_visit, recent_appointment, recent_agreement_end


def _expired(cutoff: date):
    """Clients due for the purge: not anonymised and without activity since the cutoff, or anonymised
    but still holding a personal field or free text (whatever their activity: they are anonymised again)."""
    cutoff_at = local_day_bounds(cutoff)[0]
    visit, appointment, agreement_end = _last_activity_columns(cutoff_at, cutoff)
    return sa.or_(
        sa.and_(
            Client.anonymised_at.is_(None),
            Client.merged_into_id.is_(None),  # a record merged into another holds nothing (services/merge.py)
            Client.created_at < cutoff_at,
            sa.not_(visit), sa.not_(appointment), sa.not_(agreement_end),
        ),
        _leftover(),
    )


def _leftover():
    """Anonymised clients that still hold a personal field or free text (services.privacy.holds_content)."""
    return sa.and_(Client.anonymised_at.is_not(None), privacy.holds_content())


def last_activity_expression():
    """The latest activity of a client, as a timestamp (for the preview)."""
    visit = sa.select(sa.func.max(Visit.occurred_at)).where(Visit.client_id == Client.id).scalar_subquery()
    appointment = (
        sa.select(sa.func.max(Appointment.starts_at))
        .where(Appointment.client_id == Client.id, Appointment.status == AppointmentStatus.ATTENDED)
        .scalar_subquery()
    )
    return visit, appointment


@dataclass
class PurgePlan:
    as_of: date
    cutoff: date
    to_anonymise: int
    on_legal_hold: int
    walk_in_summaries: int
    sample: list[dict] = field(default_factory=list)  #: the first clients affected, with their last activity


def plan(session: Session, as_of: date, years: int, sample_size: int = 200) -> PurgePlan:
    """What a purge as of ``as_of`` would do (no change); ``sample`` holds the first ``sample_size`` clients."""
    from itertools import islice

    cutoff = cutoff_date(as_of, years)
    expired = _expired(cutoff)
    count = lambda cond: session.execute(sa.select(sa.func.count()).select_from(Client).where(cond)).scalar()  # noqa: E731
    to_anonymise = count(sa.and_(expired, Client.legal_hold.is_(False)))
    held = count(sa.and_(expired, Client.legal_hold.is_(True)))
    cutoff_at = local_day_bounds(cutoff)[0]
    walk_ins = session.execute(
        sa.select(sa.func.count()).select_from(Visit)
        .where(Visit.client_id.is_(None), Visit.occurred_at < cutoff_at, Visit.summary.is_not(None))
    ).scalar()
    sample = list(islice(iter_affected(session, cutoff, batch=min(sample_size, BATCH) or 1), sample_size))
    return PurgePlan(as_of, cutoff, to_anonymise, held, walk_ins, sample)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _in_batches(fetch, batch: int) -> Iterator:
    """Keyset pagination by id: ``fetch(after_id, limit)`` returns ids or rows with ``.id``, ordered by id.

    Only one batch is held at a time, so memory stays bounded however many rows there are.
    """
    last = 0
    while True:
        rows = fetch(last, batch)
        if not rows:
            return
        yield from rows
        last = rows[-1] if isinstance(rows[-1], int) else rows[-1].id
        if len(rows) < batch:
            return


def _describe(row) -> dict:
    """One affected client for the preview: code, last activity and what it was (``anonymised``: an
    anonymised client still holding personal data or text, anonymised again)."""
    candidates = [(row.created_at, "created")]
    if row.visit:
        candidates.append((_aware(row.visit), "visit"))
    if row.appointment:
        candidates.append((_aware(row.appointment), "appointment"))
    if row.agreement_end:
        candidates.append((local_day_bounds(row.agreement_end)[0], "agreement_end"))
    when, why = max(candidates, key=lambda c: _aware(c[0]))
    if row.anonymised_at is not None:
        why = "anonymised"
    return {"id": row.id, "code": row.code, "last_activity": _aware(when), "basis": why, "legal_hold": row.legal_hold}


def iter_affected(session: Session, cutoff: date, batch: int | None = None) -> Iterator[dict]:
    """Every client a purge with this cutoff concerns (legal holds included and marked), by id, in batches."""
    expired = _expired(cutoff)
    visit, appointment = last_activity_expression()
    agreement_end = sa.select(sa.func.max(Agreement.ended_on)).where(Agreement.client_id == Client.id).scalar_subquery()
    statement = sa.select(Client.id, Client.code, Client.created_at, visit.label("visit"), appointment.label("appointment"),
                          agreement_end.label("agreement_end"), Client.legal_hold, Client.anonymised_at).where(expired)

    def fetch(after_id: int, limit: int):
        return session.execute(statement.where(Client.id > after_id).order_by(Client.id).limit(limit)).all()

    for row in _in_batches(fetch, batch or BATCH):
        yield _describe(row)


def _candidate_ids(session: Session, cutoff: date, after_id: int, limit: int) -> list[int]:
    expired = _expired(cutoff)
    return list(session.execute(
        sa.select(Client.id).where(expired, Client.legal_hold.is_(False), Client.id > after_id).order_by(Client.id).limit(limit)
    ).scalars())


def purge(session: Session, as_of: date, years: int, actor_id: int | None = None, batch: int = PURGE_BATCH,
          on_client=None) -> dict:
    """Anonymise every expired client and old walk-in summaries; an audit entry per batch, in the
    batch's own transaction, and one for the run with its totals.

    Commits as it goes: this is a batch operation, not part of a caller's transaction. The
    candidates are read by id in batches of ``batch`` (keyset paging: one pass over the clients in
    all, bounded memory), and each batch is anonymised with a few set-based statements
    (:func:`services.privacy.anonymise_clients`) in **one transaction**. That still leaves no half
    anonymised client: every statement of a batch commits together or not at all, so after a
    failure or an interruption each client is either wholly anonymised (its batch committed) or
    wholly untouched (its batch rolled back); the batches before stay done, and a rerun picks up
    exactly the clients left, since it selects the not yet anonymised ones again. A batch of clients
    rather than a transaction per client saves a commit (a disk sync) and a dozen statements per
    client: 10 000 clients take seconds instead of minutes. Each batch's audit entry (its number,
    what it anonymised) commits with the batch, so an interrupted run leaves the trail of every batch
    it completed, and a rerun adds its own. ``on_client`` is called for each client after its batch
    committed (used by tests to simulate an interruption).
    """
    cutoff = cutoff_date(as_of, years)
    held = session.execute(sa.select(sa.func.count()).select_from(Client).where(_expired(cutoff), Client.legal_hold.is_(True))).scalar()
    anonymised = again = cancelled = 0
    after_id = 0
    number = 0
    while True:
        ids = _candidate_ids(session, cutoff, after_id, batch)
        if not ids:
            break
        number += 1
        try:
            # a client put on legal hold or anonymised since the candidates were read is skipped
            counts: dict[str, int] = {}
            done = privacy.anonymise_clients(session, ids, counts=counts)
            if done:  # the batch's own entry, committed with it (or not at all)
                audit.record(session, AuditAction.PURGE, entity="client", actor_id=actor_id,
                             details={"batch": number, "counts": counts, "from": cutoff.isoformat(), "to": as_of.isoformat()})
            session.commit()
        except BaseException:
            session.rollback()  # a failure undoes its whole batch, every client of it untouched; batches before stay done
            raise
        anonymised += len(done)
        again += counts.get("again", 0)
        cancelled += counts.get("appointments_cancelled", 0)
        if on_client is not None:
            for client_id in done:
                on_client(client_id)
        if len(ids) < batch:
            break
        after_id = ids[-1]
    cutoff_at = local_day_bounds(cutoff)[0]
    walk_ins = session.execute(
        sa.update(Visit).where(Visit.client_id.is_(None), Visit.occurred_at < cutoff_at, Visit.summary.is_not(None))
        .values(summary=None, version=Visit.version + 1).execution_options(synchronize_session=False)
    ).rowcount
    if walk_ins:
        privacy.mark_erased(session)
    counts = {"anonymised": anonymised, "walk_in_summaries": walk_ins, "legal_hold": held}
    totals = counts | {"batches": number, "again": again, "appointments_cancelled": cancelled}
    audit.record(session, AuditAction.PURGE, entity="client", actor_id=actor_id,
                 details={"counts": totals, "from": cutoff.isoformat(), "to": as_of.isoformat()})
    session.commit()
    return counts


def default_as_of() -> date:
    return local_now().date()
