"""Demo data at a real centre's scale, inserted in bulk (Core executemany, not ORM objects).

100 000 clients give about 1 000 000 appointments, 300 000 visits, 110 000 agreements and 400 000
roadmap tasks. Most clients have few events, a few have hundreds. Deterministic for a given seed.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Agreement, Appointment, Client, ClientCodeCounter, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker,
    visit_topic,
)
from models.enums import (
    AgeBand, AgreementStatus, AppointmentFormat, AppointmentPlace, AppointmentPurpose, AppointmentStatus,
    ClientStatus, IntakeEndReason, ResidenceStatus, Responsible, Role, Sex, TaskStatus, VisitChannel,
)
from services import codelists, name_search
from services.demo import (
    DISTRICTS, EVALUATION, NATIONALITIES, NEXT_STEPS, NOTES, THEMES, _utc, create_staff, ensure_hours, gender, seed_centre,
)

CHUNK = 20_000
BATCH_CLIENTS = 5_000  #: clients generated before their rows are written

APPT_STATUSES = [AppointmentStatus.ATTENDED] * 78 + [AppointmentStatus.NO_SHOW] * 9 + [AppointmentStatus.CANCELLED_PHONE] * 6 \
    + [AppointmentStatus.CANCELLED_EMAIL] * 5 + [AppointmentStatus.CANCELLED_CENTRE] * 2


def _converter(sample, sqlite: bool):
    """A function turning a column's Python value into what the database stores, chosen once per column."""
    if isinstance(sample, bool):
        return (lambda v: None if v is None else int(v)) if sqlite else (lambda v: v)
    if hasattr(sample, "value") and isinstance(getattr(sample, "value"), str):  # a LabeledEnum
        return lambda v: None if v is None else v.value
    if isinstance(sample, datetime):
        if sqlite:  # stored as naive UTC text, the way the UTCDateTime column type writes it
            return lambda v: None if v is None else v.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return lambda v: v
    if isinstance(sample, list):  # CodeList
        return lambda v: None if v is None else ",".join(sorted(v))
    return lambda v: v


def _insert(session: Session, table, rows: list[dict]) -> None:
    """Write rows through the driver directly (COPY on PostgreSQL, executemany on SQLite): no per-row ORM work."""
    if not rows:
        return
    columns = list(rows[0].keys())
    connection = session.connection()
    dbapi = connection.connection.driver_connection
    sqlite = connection.dialect.name == "sqlite"
    samples = {c: next((r[c] for r in rows if r[c] is not None), None) for c in columns}
    converters = [_converter(samples[c], sqlite) for c in columns]
    pairs = list(zip(columns, converters))
    cursor = dbapi.cursor()
    try:
        if sqlite:
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, [tuple(f(row[c]) for c, f in pairs) for row in rows[start:start + CHUNK]])
        else:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(f(row[c]) for c, f in pairs))
    finally:
        cursor.close()


def _weekday(moment: datetime) -> datetime:
    """``moment``, or for a Saturday or Sunday the Friday before it at the same time."""
    weekday = moment.weekday()
    return moment - timedelta(days=weekday - 4) if weekday >= 5 else moment


def _events_per_client(rng: random.Random) -> int:
    """Heavy-tailed: most clients few appointments, a few hundreds (mean about 10)."""
    roll = rng.random()
    if roll < 0.70:
        return rng.randint(0, 7)
    if roll < 0.95:
        return rng.randint(8, 25)
    if roll < 0.995:
        return rng.randint(26, 90)
    return rng.randint(200, 520)


def seed_bulk(session: Session, clients: int = 100_000, seed: int = 1, now: datetime | None = None,
              progress=None) -> dict:
    """Insert ``clients`` clients with everything under them; returns counts and new demo logins.
    ``progress(n)`` is told of each batch of clients written (the command line's progress bar)."""
    rng = random.Random(seed)
    codelists.ensure_defaults(session)
    logins = create_staff(session)
    workers = [w.id for w in session.query(Worker).order_by(Worker.id) if Role.WORKER in w.role_set]
    seed_centre(session)
    extra = max(0, clients // 2000 - len(workers))  # about one worker per 2 000 clients
    for i in range(extra):
        worker = Worker(email=f"pracovnik{i + 1}@poradna.example", full_name=f"Pracovník {i + 1}", roles=[Role.WORKER.value],
                        languages=["cs"], active=True)
        session.add(worker)
        session.flush()
        workers.append(worker.id)
    # working hours for every worker (Monday to Friday 8:00–16:30, some Monday to Thursday) and walk-in hours
    days_of = ensure_hours(session, session.query(Worker).filter(Worker.id.in_(workers)).order_by(Worker.id).all())
    four_day = {worker_id for worker_id, days in days_of.items() if 4 not in days}
    from models import WalkInHours

    walk_ins = [(i.weekday, i.opens_at.hour, i.closes_at.hour, i.duty_worker_id)
                for i in session.query(WalkInHours).order_by(WalkInHours.weekday, WalkInHours.opens_at, WalkInHours.id)]
    topics = {t.code: t.id for t in session.query(Topic)}
    topic_ids = [t.id for t in session.query(Topic).order_by(Topic.id)]
    office_ids = [o.id for o in session.query(PublicOffice).order_by(PublicOffice.id)]
    now = now or datetime.now(timezone.utc)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)  #: UTC; 7:00–14:00 UTC is 8–16 o'clock in Prague
    weights = [n[1] for n in NATIONALITIES]
    first_client_id = (session.execute(sa.select(sa.func.max(Client.id))).scalar() or 0) + 1
    first_agreement_id = (session.execute(sa.select(sa.func.max(Agreement.id))).scalar() or 0) + 1
    first_visit_id = (session.execute(sa.select(sa.func.max(Visit.id))).scalar() or 0) + 1
    counters = {c.year: c.last_value for c in session.query(ClientCodeCounter)}

    # into empty tables on SQLite: build the secondary indexes once at the end instead of row by row
    deferred = _drop_indexes(session) if first_client_id == 1 and session.get_bind().dialect.name == "sqlite" else []
    client_rows, intake_rows, agreement_rows, task_rows, appointment_rows, visit_rows, topic_rows = [], [], [], [], [], [], []
    totals = dict.fromkeys(("clients", "intakes", "agreements", "tasks", "appointments", "visits"), 0)

    def write() -> None:
        """Insert what was generated, parents first, and forget it (memory stays bounded)."""
        written = len(client_rows)
        for name, table, rows in (("clients", Client.__table__, client_rows), ("agreements", Agreement.__table__, agreement_rows),
                                  ("intakes", Intake.__table__, intake_rows), ("tasks", RoadmapTask.__table__, task_rows),
                                  ("appointments", Appointment.__table__, appointment_rows), ("visits", Visit.__table__, visit_rows),
                                  (None, visit_topic, topic_rows)):
            _insert(session, table, rows)
            if name:
                totals[name] += len(rows)
            rows.clear()
        if progress is not None and written:
            progress(written)

    agreement_id, visit_id = first_agreement_id, first_visit_id
    keys: dict[tuple, str | None] = {}  #: names → search key (the same names recur)
    for offset in range(clients):
        if offset and offset % BATCH_CLIENTS == 0:
            write()
        client_id = first_client_id + offset
        citizenship, _w, languages, fem, male, last_names = rng.choices(NATIONALITIES, weights=weights)[0]
        sex = rng.choice((Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, None))
        # registered at the desk on a working day while the centre was open
        created = _weekday(midnight - timedelta(days=rng.randint(1, 6 * 365)) + timedelta(minutes=rng.randint(420, 840)))
        year = created.year
        counters[year] = counters.get(year, 0) + 1
        anonymous = rng.random() < 0.1
        status = rng.choices((ClientStatus.INTERESTED, ClientStatus.CLIENT, ClientStatus.CLOSED), weights=(12, 45, 43))[0]
        worker_id = rng.choice(workers)
        municipality, district = rng.choice(DISTRICTS)
        events = _events_per_client(rng) if status != ClientStatus.INTERESTED else 0
        birth_year = rng.randint(1950, 2007) if rng.random() < 0.8 else None
        theme = rng.choice(THEMES)
        if theme.parent and birth_year is not None and year - birth_year < 22:
            theme = THEMES[0]
        form = gender(sex)
        last_contact = created
        client_rows.append({
            "id": client_id, "code": f"{year}-{counters[year]:05d}", "status": status, "is_anonymous": anonymous,
            "first_name": None if anonymous else rng.choice(fem if sex == Sex.FEMALE else male),
            "last_name": None if anonymous else rng.choice(last_names), "alias": None,
            "birth_year": birth_year, "birth_date": None, "sex": sex,
            "age_band": None, "citizenship": citizenship, "languages": list(languages),
            "phone": None if anonymous else f"+420 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            "email": None, "municipality": municipality, "district": district,
            "residence_status": rng.choice(list(ResidenceStatus)),
            "worker_id": worker_id if status != ClientStatus.INTERESTED else None,
            "legal_hold": False, "legal_hold_reason": None, "created_at": created, "last_contact_at": None,
            "anonymised_at": None,
        })
        row = client_rows[-1]
        names = (row["first_name"], row["last_name"], row["alias"])
        if names not in keys:  # the ORM's listener is not on this path: the key is written here
            keys[names] = name_search.client_key(*names)
        row["search_key"] = keys[names]
        intake_rows.append({"client_id": client_id, "worker_id": worker_id, "held_on": created.date(),
                            "issue": theme.issue[form], "agreement_id": None, "created_at": created, "updated_at": created,
                            "end_reason": rng.choice(list(IntakeEndReason)) if status == ClientStatus.INTERESTED and rng.random() < 0.4 else None,
                            "ended_on": created.date() if status == ClientStatus.INTERESTED and rng.random() < 0.4 else None,
                            "end_note": None})
        if intake_rows[-1]["end_reason"] is not None and intake_rows[-1]["ended_on"] is None:
            intake_rows[-1]["ended_on"] = created.date()
        if intake_rows[-1]["ended_on"] is not None and intake_rows[-1]["end_reason"] is None:
            intake_rows[-1]["end_reason"] = IntakeEndReason.OTHER
        if status == ClientStatus.INTERESTED:
            client_rows[-1]["last_contact_at"] = created
            continue
        span_days = max(30, int((now - created).days))
        agreements_here = 1 if rng.random() < 0.75 else 2
        for k in range(agreements_here):
            agreed = (created + timedelta(days=rng.randint(0, 10) + k * span_days // 2))
            if agreed > now:
                agreed = now
            ended = status == ClientStatus.CLOSED or k < agreements_here - 1
            end_day = min(now, agreed + timedelta(days=rng.randint(30, 400))) if ended else None
            agreement_rows.append({
                "id": agreement_id, "client_id": client_id, "worker_id": worker_id, "agreed_on": agreed.date(),
                "issue": theme.issue[form], "goal": theme.goal[form], "consent_service": True, "consent_data": not anonymous,
                "consent_recorded_at": agreed, "consent_recorded_by_id": worker_id,
                "status": rng.choice([s for s in AgreementStatus if s != AgreementStatus.ACTIVE]) if ended else AgreementStatus.ACTIVE,
                "ended_on": end_day.date() if end_day else None, "end_reason": "Ukončeno." if ended else None,
                "created_at": agreed, "updated_at": agreed,
            })
            if k == 0:
                intake_rows[-1]["agreement_id"] = agreement_id
            for position in range(1, rng.randint(2, 5) + 1):
                responsible, text = rng.choice(theme.tasks)
                due = agreed + timedelta(days=rng.randint(7, 120))
                done = due < now and rng.random() < 0.75
                task_rows.append({
                    "agreement_id": agreement_id, "description": text, "responsible": responsible,
                    "due_on": due.date(), "position": position,
                    "status": TaskStatus.DONE if done else (TaskStatus.DROPPED if ended else TaskStatus.OPEN),
                    "outcome": "Splněno." if done else None, "completed_on": min(due, now).date() if done else None,
                    "created_at": agreed, "updated_at": agreed,
                })
            agreement_id += 1
        # appointments on a grid of half-hour slots: never two at once for one worker per client timeline
        start = created + timedelta(days=1)
        step = max(1.0, span_days / max(1, events))
        for i in range(events):
            day = start + timedelta(days=int(i * step) + rng.randint(0, max(0, int(step) - 1)))
            # within working hours: 7:00–12:30 UTC, at most 90 minutes (8:00–16:00 in Prague, summer or winter)
            slot = day.replace(hour=7 + rng.randint(0, 5), minute=rng.choice((0, 30)), second=0, microsecond=0)
            weekday = slot.weekday()
            if weekday >= 5:
                slot += timedelta(days=7 - weekday)  # a weekend: the Monday after
            elif weekday == 4 and worker_id in four_day:
                slot -= timedelta(days=1)  # not at work on Fridays: the Thursday
            duration = rng.choice((30, 45, 60, 60, 90))
            accompaniment = rng.random() < 0.15
            future = slot > now
            appt_status = AppointmentStatus.PLANNED if future else rng.choice(APPT_STATUSES)
            attended = appt_status == AppointmentStatus.ATTENDED
            appointment_rows.append({
                "client_id": client_id, "worker_id": worker_id, "starts_at": slot, "duration_minutes": duration,
                "ends_at": slot + timedelta(minutes=duration), "other_worker_reason": None,
                "format": AppointmentFormat.FIELD if accompaniment else AppointmentFormat.OFFICE,
                "place": AppointmentPlace.PUBLIC_OFFICE if accompaniment else AppointmentPlace.CENTRE,
                "office_id": rng.choice(office_ids) if accompaniment else None, "place_note": None,
                "purpose": AppointmentPurpose.ACCOMPANIMENT if accompaniment else AppointmentPurpose.CONSULTATION,
                "interpreter": rng.random() < 0.12, "language": languages[0], "status": appt_status,
                "notes": rng.choice(NOTES) if attended else None,
                "evaluation": EVALUATION if attended else None,
                "next_steps": NEXT_STEPS if attended else None,
                "created_at": min(slot, now), "updated_at": min(slot, now),
            })
            if attended and slot > last_contact:
                last_contact = slot
        for _v in range(rng.choice((2, 2, 3, 3, 4, 5))):
            # at the time of day of the registration (office hours), on a working day, never in the future
            when = created + timedelta(days=rng.randint(0, span_days))
            if when >= now:
                when -= timedelta(days=(when - now).days + 1)
            when = _weekday(when)
            if when < created:
                when = created + timedelta(minutes=10)
            visit_rows.append({
                "id": visit_id, "occurred_at": when, "channel": rng.choice(list(VisitChannel)), "client_id": client_id,
                "worker_id": worker_id, "minutes": rng.choice((10, 15, 20, 30, 45)), "urgent": rng.random() < 0.1,
                "summary": "Krátká konzultace.", "citizenship": None, "language": None, "sex": None, "age_band": None,
                "created_at": when, "updated_at": when,
            })
            topic_rows.append({"visit_id": visit_id, "topic_id": topics.get(theme.topic) or rng.choice(topic_ids)})
            visit_id += 1
            last_contact = max(last_contact, when)
        client_rows[-1]["last_contact_at"] = last_contact

    for _ in range(clients // 10):  # anonymous walk-ins, in the walk-in hours, taken by the worker on duty
        nat = rng.choices(NATIONALITIES, weights=weights)[0]
        weekday, opens, closes, duty = rng.choice(walk_ins) if walk_ins else (0, 8, 16, None)
        day = (midnight - timedelta(days=rng.randint(1, 6 * 365))).date()
        day -= timedelta(days=(day.weekday() - weekday) % 7)
        minutes = rng.randint(opens * 60, closes * 60 - 1)
        when = _utc(day, minutes // 60, minutes % 60)
        visit_rows.append({
            "id": visit_id, "occurred_at": when, "channel": VisitChannel.WALK_IN, "client_id": None,
            "worker_id": duty or rng.choice(workers), "minutes": rng.choice((10, 15, 20)), "urgent": rng.random() < 0.3,
            "summary": None, "citizenship": nat[0], "language": nat[2][0], "sex": rng.choice(list(Sex)),
            "age_band": rng.choice(list(AgeBand)), "created_at": when, "updated_at": when,
        })
        topic_rows.append({"visit_id": visit_id, "topic_id": rng.choice(topic_ids)})
        visit_id += 1

    write()
    _create_indexes(session, deferred)
    for year, last in counters.items():
        updated = session.execute(sa.update(ClientCodeCounter).where(ClientCodeCounter.year == year).values(last_value=last)).rowcount
        if not updated:
            session.execute(sa.insert(ClientCodeCounter.__table__).values(year=year, last_value=last))
    _reset_sequences(session, (Client, Agreement, Visit))
    session.flush()
    return {"counts": totals, "logins": [(w.email, sorted(w.roles), pw) for w, pw in logins]}


#: The tables the bulk seeding fills; their secondary indexes may be built after the rows are in.
BULK_TABLES = (Client, Intake, Agreement, RoadmapTask, Appointment, Visit)


def _drop_indexes(session: Session) -> list:
    """Drop the bulk tables' secondary indexes (unique ones stay: they guard the data as it comes)."""
    bind = session.connection()
    dropped = [index for model in BULK_TABLES for index in model.__table__.indexes if not index.unique]
    dropped += [index for index in visit_topic.indexes if not index.unique]
    for index in dropped:
        index.drop(bind)
    return dropped


def _create_indexes(session: Session, indexes: list) -> None:
    bind = session.connection()
    for index in indexes:
        index.create(bind)


def _reset_sequences(session: Session, models: Iterable) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"
        ))
