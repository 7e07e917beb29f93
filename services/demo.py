"""Realistic, deterministic demo data: the same seed gives the same people and events."""
from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Agreement, Appointment, Client, ClientCodeCounter, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker,
)
from models.enums import (
    AgeBand, AgreementStatus, AppointmentFormat, AppointmentPlace, AppointmentPurpose, AppointmentStatus,
    ClientStatus, IntakeEndReason, ResidenceStatus, Responsible, Role, Sex, TaskStatus, VisitChannel,
)
from services import codelists
from services.timeutil import centre_zone, local_now

#: (citizenship, share, languages, first names female, first names male, last names): written as records
#: hold them, in the Czech transcription, with Vietnamese diacritics or without, now and then in Cyrillic
NATIONALITIES = [
    ("UA", 34, ["uk", "ru"], ["Olena", "Oksana", "Iryna", "Natalija", "Tetjana", "Julija", "Svitlana"],
     ["Andrij", "Oleksandr", "Serhij", "Volodymyr", "Mykola", "Dmytro", "Ivan"],
     ["Kovalenko", "Bondarenko", "Tkačenko", "Ševčenko", "Kravčenko", "Melnyk", "Boyko", "Мороз"]),
    ("VN", 14, ["vi"], ["Thị Lan", "Thi Hoa", "Thu Trang", "Ngọc Anh", "Thị Hương"],
     ["Văn Nam", "Duc Minh", "Quang Huy", "Văn Hùng", "Tuấn Anh"],
     ["Nguyễn", "Tran", "Lê", "Phạm", "Hoàng", "Vu", "Đặng"]),
    ("RU", 8, ["ru"], ["Jekatěrina", "Anna", "Marija", "Ольга", "Darja"],
     ["Alexej", "Sergej", "Dmitrij", "Michail", "Nikolaj"],
     ["Ivanov", "Smirnov", "Kuzněcov", "Попов", "Sokolov"]),
    ("MN", 5, ["mn", "ru"], ["Oyunaa", "Sarnai", "Enkhjargal", "Bolormaa"], ["Bat-Erdene", "Ganbaatar", "Tömör", "Bold"],
     ["Batbayar", "Dorj", "Ganbold", "Tsogt"]),
    ("BG", 4, ["bg"], ["Desislava", "Ivanka", "Maria"], ["Georgi", "Dimitar", "Petar"], ["Georgiev", "Dimitrov", "Petrov"]),
    ("RO", 4, ["ro"], ["Ioana", "Elena", "Andreea"], ["Andrei", "Mihai", "Ionuț"], ["Popescu", "Ionescu", "Stan"]),
    ("KZ", 4, ["kk", "ru"], ["Aigerim", "Dana", "Aliya"], ["Nurlan", "Yerlan", "Askar"], ["Nurpeisov", "Abenov", "Sarsenov"]),
    ("PH", 4, ["tl", "en"], ["Maria Cristina", "Jocelyn", "Rowena"], ["Mark Anthony", "Jose", "Rodel"], ["Santos", "Reyes", "Cruz", "Bautista"]),
    ("IN", 4, ["hi", "en"], ["Priya", "Anjali", "Kavita"], ["Rahul", "Amit", "Vikram"], ["Sharma", "Patel", "Singh", "Kumar"]),
    ("BY", 3, ["be", "ru"], ["Volha", "Tacciana", "Alena"], ["Aliaksandr", "Siarhei", "Andrei"], ["Navumčyk", "Kavaliou", "Lukašenka"]),
    ("MD", 3, ["ro", "ru"], ["Natalia", "Cristina"], ["Vasile", "Ion"], ["Rusu", "Ceban", "Ciobanu"]),
    ("SY", 3, ["ar"], ["Fatima", "Layla", "Rania"], ["Ahmad", "Omar", "Khaled"], ["Al-Hassan", "Haddad", "Khoury"]),
    ("AF", 2, ["fa", "ps"], ["Zahra", "Maryam"], ["Ahmad Shah", "Hamid"], ["Rahimi", "Karimi", "Ahmadi"]),
    ("GE", 2, ["ka", "ru"], ["Nino", "Tamar"], ["Giorgi", "Levan"], ["Beridze", "Kapanadze", "Gelashvili"]),
    ("TR", 2, ["tr"], ["Ayşe", "Elif"], ["Mehmet", "Mustafa"], ["Yılmaz", "Kaya", "Demir"]),
]

DISTRICTS = [
    ("Praha", "Praha"), ("Praha", "Praha"), ("Praha", "Praha"), ("Brno", "Brno-město"), ("Plzeň", "Plzeň-město"),
    ("Mladá Boleslav", "Mladá Boleslav"), ("Pardubice", "Pardubice"), ("Kladno", "Kladno"), ("Liberec", "Liberec"),
    ("Ostrava", "Ostrava-město"), ("Beroun", "Beroun"), ("Říčany", "Praha-východ"),
]

STAFF = [
    ("reception@poradna.example", "Jana Nováková", [Role.RECEPTION], ["cs", "en"]),
    ("worker@poradna.example", "Petra Svobodová", [Role.WORKER], ["cs", "en", "ru"]),
    ("manager@poradna.example", "Martin Dvořák", [Role.MANAGER, Role.WORKER], ["cs", "en"]),
    ("admin@poradna.example", "Tomáš Procházka", [Role.ADMIN], ["cs"]),
    ("kucera@poradna.example", "Lucie Kučerová", [Role.WORKER], ["cs", "uk", "ru"]),
    ("nguyen@poradna.example", "Hoa Nguyen Thi", [Role.WORKER], ["cs", "vi"]),
    ("horak@poradna.example", "David Horák", [Role.WORKER], ["cs", "en", "fr"]),
]

ISSUES = [
    "Potřebuje prodloužit dlouhodobý pobyt, neví, jaké doklady doložit.",
    "Zaměstnavatel nevyplatil mzdu za poslední dva měsíce.",
    "Hledá bydlení, majitel bytu dal výpověď.",
    "Nemá zdravotní pojištění pro dítě, neví, jak ho sjednat.",
    "Chce požádat o příspěvek na bydlení.",
    "Hledá kurz češtiny k trvalému pobytu.",
    "Potřebuje zapsat dítě do školy.",
    "Ztratila pas, potřebuje nový doklad a vyřídit pobyt.",
    "Žádost o sloučení rodiny.",
    "Dluhy a exekuce, potřebuje se zorientovat.",
]
GOALS = [
    "Klient podá kompletní žádost o prodloužení pobytu včas.",
    "Klientka ví, jak postupovat při vymáhání mzdy, a podá podnět inspektorátu práce.",
    "Klient najde a podepíše nájemní smlouvu.",
    "Dítě klientky je pojištěno.",
    "Klient podá žádost o dávku a ví, jak ji vyúčtovat.",
    "Klientka je zapsána do kurzu češtiny.",
    "Dítě je zapsáno do školy.",
    "Klientka má platný doklad a podanou žádost o pobyt.",
]
TASKS = [
    (Responsible.CLIENT, "Donést výpis z rejstříku trestů"),
    (Responsible.CLIENT, "Zajistit potvrzení o ubytování"),
    (Responsible.WORKER, "Ověřit podmínky na OAMP"),
    (Responsible.WORKER, "Připravit vzor žádosti"),
    (Responsible.BOTH, "Společně vyplnit formulář žádosti"),
    (Responsible.CLIENT, "Objednat se na pobočku zdravotní pojišťovny"),
    (Responsible.WORKER, "Kontaktovat úřad práce ohledně dávky"),
    (Responsible.BOTH, "Doprovod na úřad"),
    (Responsible.CLIENT, "Přeložit rodný list dítěte"),
]
NOTES = [
    "Klient přinesl doklady, probrali jsme postup.",
    "Vysvětleny podmínky a lhůty, klientka rozumí.",
    "Doprovod proběhl bez potíží, žádost podána.",
    "Klient nedonesl potvrzení, domluven nový termín.",
]


def _utc(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute)).replace(tzinfo=centre_zone()).astimezone(timezone.utc)


def create_staff(session: Session) -> list[tuple[Worker, str]]:
    """The demo accounts (one per role and a few more workers), each with a fresh random password."""
    created = []
    for email, name, roles, languages in STAFF:
        worker = session.query(Worker).filter_by(email=email).one_or_none()
        if worker is not None:
            continue
        password = secrets.token_urlsafe(12)
        worker = Worker(email=email, full_name=name, roles=[r.value for r in roles], languages=languages, active=True)
        worker.set_password(password)
        session.add(worker)
        created.append((worker, password))
    session.flush()
    return created


def seed(session: Session, clients: int = 200, seed: int = 1) -> dict:
    """Fill every entity with realistic data over the last four years. Returns counts and new demo logins."""
    rng = random.Random(seed)
    codelists.ensure_defaults(session)
    logins = create_staff(session)
    workers = [w for w in session.query(Worker).order_by(Worker.id) if Role.WORKER in w.role_set]
    topics = session.query(Topic).order_by(Topic.id).all()
    offices = session.query(PublicOffice).order_by(PublicOffice.id).all()
    now = local_now()
    today = now.date()
    weights = [n[1] for n in NATIONALITIES]
    counts = dict.fromkeys(("clients", "intakes", "agreements", "tasks", "appointments", "visits"), 0)
    booked: set[tuple[int, datetime]] = set()  #: (worker id, start): nobody is double-booked
    year_counters: dict[int, int] = {
        c.year: c.last_value for c in session.query(ClientCodeCounter)
    }

    created_clients: list[Client] = []
    for _ in range(clients):
        nat = rng.choices(NATIONALITIES, weights=weights)[0]
        citizenship, _w, languages, fem, male, last_names = nat
        sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.MALE, Sex.FEMALE, None])
        created = now - timedelta(days=rng.randint(0, 4 * 365), hours=rng.randint(0, 8))
        year = created.year
        year_counters[year] = year_counters.get(year, 0) + 1
        anonymous = rng.random() < 0.1
        status = rng.choices([ClientStatus.INTERESTED, ClientStatus.CLIENT, ClientStatus.CLOSED], weights=[12, 50, 38])[0]
        if created > now - timedelta(days=60) and status == ClientStatus.CLOSED:
            status = ClientStatus.CLIENT
        worker = rng.choice(workers)
        municipality, district = rng.choice(DISTRICTS)
        birth_year = rng.randint(1950, 2007) if rng.random() < 0.8 else None
        client = Client(
            code=f"{year}-{year_counters[year]:05d}",
            status=status,
            is_anonymous=anonymous,
            first_name=None if anonymous else rng.choice(fem if sex == Sex.FEMALE else male),
            last_name=None if anonymous else rng.choice(last_names),
            alias=rng.choice(["Máma Oleny", "Paní z Kladna", "Pan T."]) if anonymous and rng.random() < 0.5 else None,
            birth_year=birth_year,
            sex=sex,
            citizenship=citizenship,
            languages=list(languages),
            phone=None if anonymous or rng.random() < 0.2 else f"+420 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
            email=None if anonymous or rng.random() < 0.5 else f"klient{year_counters[year]}.{year}@example.org",
            municipality=municipality,
            district=district,
            residence_status=rng.choice(list(ResidenceStatus)),
            worker=None if status == ClientStatus.INTERESTED and rng.random() < 0.7 else worker,
            created_at=created,
        )
        if status != ClientStatus.INTERESTED:
            client.worker = worker
        session.add(client)
        created_clients.append(client)
        counts["clients"] += 1
        first_day = created.date()
        last_contact = created

        intake = Intake(client=client, worker=worker, held_on=first_day, issue=rng.choice(ISSUES))
        session.add(intake)
        counts["intakes"] += 1
        if status == ClientStatus.INTERESTED and rng.random() < 0.4:
            intake.end_reason = rng.choice(list(IntakeEndReason))
            intake.ended_on = first_day
            intake.end_note = "Odkázán/a na jinou organizaci."

        if status != ClientStatus.INTERESTED:
            agreed_on = first_day + timedelta(days=rng.randint(0, 7))
            agreed_on = min(agreed_on, today)
            agreement = Agreement(
                client=client, worker=worker, agreed_on=agreed_on, issue=intake.issue, goal=rng.choice(GOALS),
                consent_service=True, consent_data=not anonymous, consent_recorded_at=_utc(agreed_on, 10),
                consent_recorded_by=worker, status=AgreementStatus.ACTIVE,
            )
            if status == ClientStatus.CLOSED:
                agreement.status = rng.choice([s for s in AgreementStatus if s != AgreementStatus.ACTIVE])
                agreement.ended_on = min(today, agreed_on + timedelta(days=rng.randint(30, 300)))
                agreement.end_reason = "Cíl spolupráce naplněn." if agreement.status == AgreementStatus.GOAL_ACHIEVED else "Ukončeno."
            intake.agreement = agreement
            session.add(agreement)
            counts["agreements"] += 1
            end_day = agreement.ended_on or today
            for position, (responsible, text) in enumerate(rng.sample(TASKS, rng.randint(2, 5)), start=1):
                due = agreed_on + timedelta(days=rng.randint(7, 90))
                done = due < today and rng.random() < 0.75
                task = RoadmapTask(
                    agreement=agreement, description=text, responsible=responsible, due_on=due, position=position,
                    status=TaskStatus.DONE if done else (TaskStatus.OPEN if agreement.status == AgreementStatus.ACTIVE else TaskStatus.DROPPED),
                    completed_on=min(due, today) if done else None,
                    outcome="Splněno." if done else None,
                )
                session.add(task)
                counts["tasks"] += 1

            span = max(1, (end_day - agreed_on).days)
            heavy = rng.random() < 0.05
            for i in range(rng.randint(1, 6) + (rng.randint(20, 60) if heavy else 0)):
                day = agreed_on + timedelta(days=rng.randint(0, span))
                future = agreement.status == AgreementStatus.ACTIVE and i == 0 and rng.random() < 0.6
                if future:
                    day = today + timedelta(days=rng.randint(0, 21))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                starts = _utc(day, rng.choice([8, 9, 10, 11, 13, 14, 15]), rng.choice([0, 30]))
                for _try in range(40):
                    if (id(worker), starts) not in booked:
                        break
                    day += timedelta(days=1)
                    while day.weekday() >= 5:
                        day += timedelta(days=1)
                    starts = _utc(day, rng.choice([8, 9, 10, 11, 13, 14, 15]), rng.choice([0, 30]))
                else:
                    continue
                # block the whole duration, in half-hour steps
                booked.update((id(worker), starts + timedelta(minutes=30 * k)) for k in range(-4, 4))  # durations are at most 120 min
                accompaniment = rng.random() < 0.2
                if starts > now.astimezone(timezone.utc):
                    appt_status = AppointmentStatus.PLANNED
                else:
                    appt_status = rng.choices(
                        [AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED_PHONE,
                         AppointmentStatus.CANCELLED_EMAIL, AppointmentStatus.CANCELLED_CENTRE],
                        weights=[78, 9, 6, 5, 2],
                    )[0]
                appointment = Appointment(
                    client=client, worker=worker, starts_at=starts, duration_minutes=rng.choice([30, 45, 60, 60, 90, 120 if accompaniment else 60]),
                    format=AppointmentFormat.FIELD if accompaniment else AppointmentFormat.OFFICE,
                    place=AppointmentPlace.PUBLIC_OFFICE if accompaniment else AppointmentPlace.CENTRE,
                    office=rng.choice(offices) if accompaniment else None,
                    purpose=AppointmentPurpose.ACCOMPANIMENT if accompaniment else rng.choice(
                        [AppointmentPurpose.CONSULTATION] * 5 + [AppointmentPurpose.REMOTE]),
                    interpreter=rng.random() < 0.15,
                    language=rng.choice(languages + ["cs"]),
                    status=appt_status,
                    notes=rng.choice(NOTES) if appt_status == AppointmentStatus.ATTENDED else None,
                    evaluation="Úkoly z minula splněny částečně." if appt_status == AppointmentStatus.ATTENDED else None,
                    next_steps="Klient donese chybějící potvrzení." if appt_status == AppointmentStatus.ATTENDED else None,
                    created_at=min(starts, now.astimezone(timezone.utc)),
                )
                session.add(appointment)
                counts["appointments"] += 1
                if appt_status == AppointmentStatus.ATTENDED:
                    last_contact = max(last_contact, starts)

        for _v in range(rng.randint(1, 3)):
            when = created + timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 6))
            if when > now:
                when = now - timedelta(hours=rng.randint(1, 48))
            visit = Visit(
                occurred_at=when, channel=rng.choice(list(VisitChannel)), client=client, worker=worker,
                minutes=rng.choice([10, 15, 20, 30, 45, 60]), urgent=rng.random() < 0.1,
                summary="Krátká konzultace, předány informace.", topics=rng.sample(topics, rng.randint(1, 2)),
                created_at=when,
            )
            session.add(visit)
            counts["visits"] += 1
            last_contact = max(last_contact, when)
        client.last_contact_at = last_contact

    # anonymous walk-ins without a client record
    for _ in range(max(1, clients // 10)):
        nat = rng.choices(NATIONALITIES, weights=weights)[0]
        when = now - timedelta(days=rng.randint(0, 4 * 365), hours=rng.randint(0, 8))
        session.add(Visit(
            occurred_at=when, channel=VisitChannel.WALK_IN, client=None, worker=rng.choice(workers),
            minutes=rng.choice([10, 15, 20, 30]), urgent=rng.random() < 0.3, topics=rng.sample(topics, 1),
            citizenship=nat[0], language=nat[2][0], sex=rng.choice(list(Sex)), age_band=rng.choice(list(AgeBand)),
            created_at=when,
        ))
        counts["visits"] += 1

    for year, last in year_counters.items():
        counter = session.get(ClientCodeCounter, year)
        if counter is None:
            session.add(ClientCodeCounter(year=year, last_value=last))
        else:
            counter.last_value = max(counter.last_value, last)
    session.flush()
    counts.update(seed_activity(session, created_clients, workers, rng))
    return {"counts": counts, "logins": [(w.email, sorted(w.roles), pw) for w, pw in logins]}


COVER_REASONS = [
    "Klientka přišla naléhavě, kolegyně je na dovolené.",
    "Klient volal kvůli lhůtě na OAMP, kolega je nemocný.",
]
REASSIGN_NOTES = ["Kolegyně je dlouhodobě nemocná.", "Klient mluví vietnamsky."]


def seed_activity(session: Session, clients: list[Client], workers: list[Worker], rng: random.Random) -> dict:
    """What the centre's people did with the new clients, through the same services the screens use:
    a manager's reads and an export (the audit trail and "who accessed"), cover access taken today,
    reassignments, open and completed data requests, sign-ins."""
    from models import AuditEvent, DataRequest
    from models.enums import AuditAction, DataRequestChannel, DataRequestStatus, DataRequestType, ReassignReason
    from services import audit, casefile, clients as client_service, cover, data_requests, privacy
    from services.errors import ServiceError

    done = dict.fromkeys(("cover_grants", "reassignments", "data_requests", "audit_events"), 0)
    manager = next((w for w in session.query(Worker).order_by(Worker.id) if Role.MANAGER in w.role_set), None)
    held = [c for c in clients if c.status == ClientStatus.CLIENT and c.worker is not None and c.anonymised_at is None]
    if manager is None or len(workers) < 2 or len(held) < 6:
        return done
    audit_before = session.query(sa.func.count(AuditEvent.id)).scalar()
    today = local_now().date()
    # sign-ins of the demo accounts
    for person in (manager, workers[0]):
        audit.record(session, AuditAction.LOGIN, entity="worker", entity_id=person.id, actor_id=person.id,
                     details={"method": "password"})
    # the manager reads three case files and exports one record
    for client in held[:3]:
        casefile.record_view(session, client, manager, confidential=True)
    privacy.record_export(session, held[0], "html", "cs", actor_id=manager.id)
    # cover access: a colleague opens a client of the first worker, and the first worker a colleague's client
    first = workers[0]
    pairs = [
        (next((w for w in workers if w.id != first.id), None), next((c for c in held if c.worker_id == first.id), None)),
        (first, next((c for c in held if c.worker_id != first.id), None)),
    ]
    for (worker, client), reason in zip(pairs, COVER_REASONS):
        if worker is None or client is None:
            continue
        try:
            cover.grant_cover(session, worker, client, reason)
            done["cover_grants"] += 1
        except ServiceError:
            continue  # e.g. the day is over: no cover to show
    # reassignments decided by the manager
    for client, reason, note in zip(held[3:5], (ReassignReason.WORKER_ABSENT, ReassignReason.LANGUAGE), REASSIGN_NOTES):
        to = next(w for w in workers if w.id != client.worker_id)
        client_service.reassign(session, client, to, reason, note, by=manager)
        done["reassignments"] += 1
    # data requests: one overdue, one open, one completed
    for days_ago, kind, status in ((40, DataRequestType.ACCESS, DataRequestStatus.OPEN),
                                   (5, DataRequestType.RECTIFICATION, DataRequestStatus.IN_PROGRESS),
                                   (60, DataRequestType.ERASURE, DataRequestStatus.COMPLETED)):
        client = held[5 + done["data_requests"]] if len(held) > 5 + done["data_requests"] else held[-1]
        request = DataRequest(client=client, type=kind, channel=rng.choice(list(DataRequestChannel)),
                              received_on=today - timedelta(days=days_ago), status=status)
        session.add(request)
        data_requests.save(session, request, by_id=manager.id)
        done["data_requests"] += 1
    session.flush()
    done["audit_events"] = session.query(sa.func.count(AuditEvent.id)).scalar() - audit_before
    return done


def is_seeded(session: Session) -> bool:
    return session.execute(sa.select(sa.func.count(Client.id))).scalar() > 0
