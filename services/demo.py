"""Realistic, deterministic demo data: the same seed gives the same people and events."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
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
from services.timeutil import centre_zone, local_now, to_local

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

#: addresses of the demo's Prague offices (printed on the appointment card of an accompaniment); the
#: other kinds of office have many branches, named in each appointment's place details
OFFICE_ADDRESSES = {
    "oamp": "Cigánkova 1861/2\n148 00 Praha 4 – Chodov",
    "foreign_police": "Olšanská 2\n130 00 Praha 3",
    "labour_office": "Domažlická 1139/11\n130 00 Praha 3",
}

def seed_centre(session: Session) -> None:
    """The demo centre: its profile (name and contacts on the client's documents) and the addresses of
    the Prague offices, each only where nothing is set yet (walk-in hours: :func:`ensure_hours`)."""
    from services import centre

    centre.ensure_demo_profile(session)
    for office in session.query(PublicOffice).filter(PublicOffice.code.in_(OFFICE_ADDRESSES), PublicOffice.address.is_(None)):
        office.address = OFFICE_ADDRESSES[office.code]
    session.flush()


def _utc(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute)).replace(tzinfo=centre_zone()).astimezone(timezone.utc)


# --- what the clients come with ---------------------------------------------------------------------
# Each client has one situation, the same from the first conversation to the goal, the roadmap and the
# notes. Texts that speak of the client are in the client's grammatical gender ("f", "m"), or worded
# without one when the sex was not given ("x"); notes and next steps need none.

@dataclass(frozen=True)
class Theme:
    topic: str  #: the code of the topic of its contacts (services.codelists.TOPICS)
    issue: dict[str, str]  #: the issue in the client's own words, per gender
    goal: dict[str, str]  #: the goal agreed, per gender
    tasks: tuple[tuple[Responsible, str], ...]  #: the roadmap: who does what
    parent: bool = False  #: about the client's child: only for clients old enough to have one


def _same(text: str) -> dict[str, str]:
    return {"f": text, "m": text, "x": text}


THEMES = [
    Theme("residence", _same("Končí mi povolení k dlouhodobému pobytu a nevím, jaké doklady mám doložit."),
          {"f": "Klientka podá včas kompletní žádost o prodloužení dlouhodobého pobytu.",
           "m": "Klient podá včas kompletní žádost o prodloužení dlouhodobého pobytu.",
           "x": "Žádost o prodloužení dlouhodobého pobytu je podaná včas a kompletní."},
          ((Responsible.CLIENT, "Donést výpis z rejstříku trestů"), (Responsible.CLIENT, "Zajistit potvrzení o ubytování"),
           (Responsible.WORKER, "Ověřit podmínky a lhůty na OAMP"), (Responsible.BOTH, "Společně vyplnit formulář žádosti"),
           (Responsible.BOTH, "Doprovod na OAMP k podání žádosti"))),
    Theme("employment", _same("Zaměstnavatel mi už dva měsíce nevyplácí mzdu."),
          {"f": "Klientka ví, jak vymáhat dlužnou mzdu, a podá podnět inspektorátu práce.",
           "m": "Klient ví, jak vymáhat dlužnou mzdu, a podá podnět inspektorátu práce.",
           "x": "Podnět inspektorátu práce kvůli dlužné mzdě je podaný."},
          ((Responsible.CLIENT, "Donést pracovní smlouvu a výplatní pásky"),
           (Responsible.WORKER, "Připravit vzor výzvy zaměstnavateli k zaplacení mzdy"),
           (Responsible.BOTH, "Sepsat podnět pro oblastní inspektorát práce"))),
    Theme("housing", _same("Majitel mi dal výpověď z bytu a potřebuji nové bydlení."),
          {"f": "Klientka najde nové bydlení a podepíše nájemní smlouvu.",
           "m": "Klient najde nové bydlení a podepíše nájemní smlouvu.",
           "x": "Nové bydlení je nalezené a nájemní smlouva podepsaná."},
          ((Responsible.CLIENT, "Projít nabídky pronájmů a vybrat tři byty"),
           (Responsible.WORKER, "Zkontrolovat návrh nájemní smlouvy"), (Responsible.BOTH, "Doprovod na prohlídku bytu"))),
    Theme("health", _same("Moje dítě nemá zdravotní pojištění a nevím, jak ho sjednat."),
          {"f": "Dítě klientky je pojištěno u zdravotní pojišťovny.", "m": "Dítě klienta je pojištěno u zdravotní pojišťovny.",
           "x": "Dítě je pojištěno u zdravotní pojišťovny."},
          ((Responsible.CLIENT, "Objednat se na pobočku zdravotní pojišťovny"),
           (Responsible.CLIENT, "Přeložit rodný list dítěte"),
           (Responsible.WORKER, "Zjistit podmínky pojištění dětí cizinců")), parent=True),
    Theme("benefits", _same("Chci požádat o příspěvek na bydlení."),
          {"f": "Klientka podá žádost o příspěvek na bydlení a ví, jak ho vyúčtovat.",
           "m": "Klient podá žádost o příspěvek na bydlení a ví, jak ho vyúčtovat.",
           "x": "Žádost o příspěvek na bydlení je podaná a postup vyúčtování je jasný."},
          ((Responsible.WORKER, "Kontaktovat úřad práce ohledně dávky"),
           (Responsible.CLIENT, "Donést doklady o příjmech domácnosti"),
           (Responsible.BOTH, "Společně vyplnit žádost o příspěvek na bydlení"))),
    Theme("education", _same("Potřebuji kurz češtiny kvůli trvalému pobytu."),
          {"f": "Klientka je zapsaná do kurzu češtiny k trvalému pobytu.",
           "m": "Klient je zapsaný do kurzu češtiny k trvalému pobytu.",
           "x": "Zápis do kurzu češtiny k trvalému pobytu je hotový."},
          ((Responsible.WORKER, "Najít kurzy češtiny úrovně A2 v okolí"),
           (Responsible.CLIENT, "Přihlásit se do vybraného kurzu"))),
    Theme("education", _same("Potřebuji zapsat dítě do školy."),
          {"f": "Dítě klientky je zapsané do školy.", "m": "Dítě klienta je zapsané do školy.", "x": "Dítě je zapsané do školy."},
          ((Responsible.WORKER, "Zjistit spádovou školu a termín zápisu"),
           (Responsible.CLIENT, "Přeložit vysvědčení ze země původu"), (Responsible.BOTH, "Doprovod k zápisu do školy")),
          parent=True),
    Theme("documents", {"f": "Ztratila jsem pas a potřebuji nový doklad i vyřídit pobyt.",
                        "m": "Ztratil jsem pas a potřebuji nový doklad i vyřídit pobyt.",
                        "x": "Ztratil se mi pas a potřebuji nový doklad i vyřídit pobyt."},
          {"f": "Klientka má platný cestovní doklad a podanou žádost o pobyt.",
           "m": "Klient má platný cestovní doklad a podanou žádost o pobyt.",
           "x": "Platný cestovní doklad je vyřízený a žádost o pobyt podaná."},
          ((Responsible.CLIENT, "Nahlásit ztrátu pasu na policii"), (Responsible.CLIENT, "Objednat se na velvyslanectví"),
           (Responsible.WORKER, "Ověřit na OAMP postup při ztrátě dokladu"))),
    Theme("family", _same("Chci, aby za mnou mohla přijet rodina."),
          {"f": "Klientka podá žádost o sloučení rodiny se všemi doklady.",
           "m": "Klient podá žádost o sloučení rodiny se všemi doklady.",
           "x": "Žádost o sloučení rodiny je podaná se všemi doklady."},
          ((Responsible.CLIENT, "Zajistit oddací a rodné listy s apostilou"),
           (Responsible.WORKER, "Ověřit podmínky sloučení rodiny"), (Responsible.CLIENT, "Doložit příjem a bydlení"))),
    Theme("other", _same("Mám dluhy a exekuci a nevím, jak to řešit."),
          {"f": "Klientka má přehled o svých dluzích a domluvený splátkový kalendář.",
           "m": "Klient má přehled o svých dluzích a domluvený splátkový kalendář.",
           "x": "Přehled dluhů je sepsaný a splátkový kalendář domluvený."},
          ((Responsible.CLIENT, "Sepsat všechny dluhy a věřitele"),
           (Responsible.WORKER, "Ověřit exekuce v centrální evidenci exekucí"),
           (Responsible.BOTH, "Navrhnout věřiteli splátkový kalendář"))),
]
#: meeting notes, evaluations and next steps: about the meeting, not the person, so they need no gender
NOTES = [
    "Doklady přineseny, probrán další postup.",
    "Vysvětleny podmínky a lhůty, vše je srozumitelné.",
    "Doprovod proběhl bez potíží, žádost je podaná.",
    "Potvrzení zatím chybí, domluven nový termín.",
]
EVALUATION = "Úkoly z minula splněny zčásti."
NEXT_STEPS = "Doložit chybějící potvrzení do příští schůzky."
#: aliases of clients who stay anonymous, per gender
ALIASES = {"f": ["Paní z Kladna", "Máma Oleny"], "m": ["Pan T.", "Táta Ivana"], "x": ["T. z Kladna", "Host z Berouna"]}


def gender(sex: Sex | None) -> str:
    """The grammatical gender of texts about a client: "f", "m", or "x" (not given: wording without one)."""
    return "f" if sex == Sex.FEMALE else "m" if sex == Sex.MALE else "x"


def theme_for(rng: random.Random, birth_year: int | None, year: int) -> Theme:
    """A situation that fits the client: a child's school or insurance only for someone old enough."""
    theme = rng.choice(THEMES)
    while theme.parent and birth_year is not None and year - birth_year < 22:
        theme = rng.choice(THEMES)
    return theme


# --- when the centre is open ------------------------------------------------------------------------

#: walk-in hours: (weekday, opens, closes); the worker on duty rotates among the social workers
WALK_IN_HOURS = [(0, time(9, 0), time(12, 0)), (2, time(13, 0), time(16, 0)), (3, time(9, 0), time(12, 0))]
#: working hours: Monday to Friday 8:00–16:30; these demo workers work Monday to Thursday
FOUR_DAY_WEEK = {"horak@poradna.example"}
DAY_STARTS, DAY_ENDS = time(8, 0), time(16, 30)


def working_days(worker: Worker) -> tuple[int, ...]:
    return (0, 1, 2, 3) if worker.email in FOUR_DAY_WEEK else (0, 1, 2, 3, 4)


def ensure_hours(session: Session, workers: list[Worker]) -> dict[int, tuple[int, ...]]:
    """Working hours for every social worker who has none, and the centre's walk-in hours with a worker on
    duty when none are set; returns each worker's working weekdays (bookings stay within them)."""
    from models import WalkInHours, WorkingHours

    with_hours = {worker_id for (worker_id,) in session.query(WorkingHours.worker_id).distinct()}
    days = {}
    for worker in workers:
        days[worker.id] = working_days(worker)
        if worker.id not in with_hours:
            session.add_all(WorkingHours(worker=worker, weekday=d, starts_at=DAY_STARTS, ends_at=DAY_ENDS)
                            for d in days[worker.id])
    if workers and not session.query(WalkInHours.id).first():
        for n, (weekday, opens, closes) in enumerate(WALK_IN_HOURS):
            on_duty = [w for w in workers if weekday in days[w.id]]
            session.add(WalkInHours(weekday=weekday, opens_at=opens, closes_at=closes,
                                    duty_worker=on_duty[n % len(on_duty)] if on_duty else None))
    session.flush()
    return days


def working_day(day: date, weekdays=(0, 1, 2, 3, 4), back: bool = False) -> date:
    """``day`` if it is one of ``weekdays``, else the nearest such day after it (before it with ``back``)."""
    step = timedelta(days=-1 if back else 1)
    while day.weekday() not in weekdays:
        day += step
    return day


def office_moment(rng: random.Random, day: date, opens: int = 8, closes: int = 16) -> datetime:
    """A moment on ``day`` while the centre is open (local ``opens`` to ``closes`` o'clock), in UTC."""
    minutes = rng.randint(opens * 60, closes * 60 - 1)
    return _utc(day, minutes // 60, minutes % 60)


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


def seed(session: Session, clients: int = 200, seed: int = 1, progress=None) -> dict:
    """Fill every entity with realistic data over the last four years. Returns counts and new demo logins.
    ``progress(n)`` is told of each client done (the command line's progress bar)."""
    rng = random.Random(seed)
    codelists.ensure_defaults(session)
    logins = create_staff(session)
    workers = [w for w in session.query(Worker).order_by(Worker.id) if Role.WORKER in w.role_set]
    days_of = ensure_hours(session, workers)  #: each worker's working weekdays
    seed_centre(session)
    topics = session.query(Topic).order_by(Topic.id).all()
    topic_by_code = {t.code: t for t in topics}
    offices = session.query(PublicOffice).order_by(PublicOffice.id).all()
    now = local_now()
    today = now.date()
    now_utc = now.astimezone(timezone.utc)
    weights = [n[1] for n in NATIONALITIES]
    counts = dict.fromkeys(("clients", "intakes", "agreements", "tasks", "appointments", "visits"), 0)
    booked: set[tuple[int, datetime]] = set()  #: (worker id, start): nobody is double-booked
    year_counters: dict[int, int] = {
        c.year: c.last_value for c in session.query(ClientCodeCounter)
    }

    created_clients: list[Client] = []
    for n in range(clients):
        nat = rng.choices(NATIONALITIES, weights=weights)[0]
        citizenship, _w, languages, fem, male, last_names = nat
        sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.MALE, Sex.FEMALE, None])
        form = gender(sex)
        # registered at the desk on a working day, while the centre was open (not later than now)
        created = office_moment(rng, working_day(today - timedelta(days=rng.randint(0, 4 * 365)), back=True))
        long_case = n % 25 == 3  #: one client in 25 has a long case: many meetings, a case file of several pages
        if long_case:
            created = office_moment(rng, working_day(today - timedelta(days=rng.randint(400, 900)), back=True))
        if created > now_utc:
            created = office_moment(rng, working_day(today - timedelta(days=1), back=True))
        year = to_local(created).year
        year_counters[year] = year_counters.get(year, 0) + 1
        anonymous = rng.random() < 0.1
        status = rng.choices([ClientStatus.INTERESTED, ClientStatus.CLIENT, ClientStatus.CLOSED], weights=[12, 50, 38])[0]
        if long_case:
            status = ClientStatus.CLIENT
        if created > now - timedelta(days=60) and status == ClientStatus.CLOSED:
            status = ClientStatus.CLIENT
        worker = rng.choice(workers)
        municipality, district = rng.choice(DISTRICTS)
        birth_year = rng.randint(1950, 2007) if rng.random() < 0.8 else None
        theme = theme_for(rng, birth_year, today.year)
        client = Client(
            code=f"{year}-{year_counters[year]:05d}",
            status=status,
            is_anonymous=anonymous,
            first_name=None if anonymous else rng.choice(fem if sex == Sex.FEMALE else male),
            last_name=None if anonymous else rng.choice(last_names),
            alias=rng.choice(ALIASES[form]) if anonymous and rng.random() < 0.5 else None,
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
        first_day = to_local(created).date()
        last_contact = created
        hours = days_of[worker.id]

        intake = Intake(client=client, worker=worker, held_on=first_day, issue=theme.issue[form])
        session.add(intake)
        counts["intakes"] += 1
        if status == ClientStatus.INTERESTED and rng.random() < 0.4:
            intake.end_reason = rng.choice(list(IntakeEndReason))
            intake.ended_on = first_day
            intake.end_note = "Předán kontakt na organizaci, která se tím zabývá."

        if status != ClientStatus.INTERESTED:
            agreed_on = working_day(first_day + timedelta(days=rng.randint(0, 7)), hours)
            agreed_on = min(agreed_on, today)
            agreement = Agreement(
                client=client, worker=worker, agreed_on=agreed_on, issue=intake.issue, goal=theme.goal[form],
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
            for position, (responsible, text) in enumerate(rng.sample(theme.tasks, rng.randint(2, len(theme.tasks))), start=1):
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
            heavy = long_case or rng.random() < 0.03
            for i in range(rng.randint(1, 6) + (rng.randint(20, 60) if heavy else 0)):
                future = agreement.status == AgreementStatus.ACTIVE and i == 0 and rng.random() < 0.6
                accompaniment = rng.random() < 0.2
                duration = rng.choice([30, 45, 60, 60, 90, 120 if accompaniment else 60])
                # within the worker's working hours (8:00–16:30): a start on the half hour that ends in time
                latest = (DAY_ENDS.hour * 60 + DAY_ENDS.minute - duration) // 30

                def slot():
                    """A working day of the worker: in the next three weeks for the next appointment, else
                    during the agreement (not after today), and a start within the working hours."""
                    if future:
                        on_day = working_day(today + timedelta(days=rng.randint(0, 21)), hours)
                    else:
                        base = agreed_on + timedelta(days=rng.randint(0, span))
                        on_day = working_day(base, hours, back=True)
                        if on_day < agreed_on:
                            on_day = working_day(base, hours)
                    half_hour = rng.randint(DAY_STARTS.hour * 2, latest)
                    return on_day, _utc(on_day, half_hour // 2, 30 * (half_hour % 2))

                for _try in range(40):
                    day, starts = slot()
                    if (id(worker), starts) not in booked and (id(client), day) not in booked:
                        break
                else:
                    continue
                booked.add((id(client), day))  # one meeting a day with a client
                # block the whole duration, in half-hour steps
                booked.update((id(worker), starts + timedelta(minutes=30 * k)) for k in range(-4, 4))  # durations are at most 120 min
                if starts > now_utc:
                    appt_status = AppointmentStatus.PLANNED
                else:
                    appt_status = rng.choices(
                        [AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED_PHONE,
                         AppointmentStatus.CANCELLED_EMAIL, AppointmentStatus.CANCELLED_CENTRE],
                        weights=[78, 9, 6, 5, 2],
                    )[0]
                appointment = Appointment(
                    client=client, worker=worker, starts_at=starts, duration_minutes=duration,
                    format=AppointmentFormat.FIELD if accompaniment else AppointmentFormat.OFFICE,
                    place=AppointmentPlace.PUBLIC_OFFICE if accompaniment else AppointmentPlace.CENTRE,
                    office=rng.choice(offices) if accompaniment else None,
                    purpose=AppointmentPurpose.ACCOMPANIMENT if accompaniment else rng.choice(
                        [AppointmentPurpose.CONSULTATION] * 5 + [AppointmentPurpose.REMOTE]),
                    interpreter=rng.random() < 0.15,
                    language=rng.choice(languages + ["cs"]),
                    status=appt_status,
                    notes=rng.choice(NOTES) if appt_status == AppointmentStatus.ATTENDED else None,
                    evaluation=EVALUATION if appt_status == AppointmentStatus.ATTENDED else None,
                    next_steps=NEXT_STEPS if appt_status == AppointmentStatus.ATTENDED else None,
                    created_at=min(starts, now_utc),
                )
                session.add(appointment)
                counts["appointments"] += 1
                if appt_status == AppointmentStatus.ATTENDED:
                    last_contact = max(last_contact, starts)

        for _v in range(rng.randint(1, 3)):
            # a contact on a working day while the centre is open, after the registration, not in the future
            day = working_day(first_day + timedelta(days=rng.randint(0, min(200, (today - first_day).days))), back=True)
            when = office_moment(rng, max(day, first_day))
            if when <= created:
                when = created + timedelta(minutes=rng.randint(5, 30))  # registered by 16:00: still open
            if when > now_utc:
                continue
            first = topic_by_code.get(theme.topic) or rng.choice(topics)
            visit = Visit(
                occurred_at=when, channel=rng.choice(list(VisitChannel)), client=client, worker=worker,
                minutes=rng.choice([10, 15, 20, 30, 45, 60]), urgent=rng.random() < 0.1,
                summary="Krátká konzultace, předány informace.",
                topics=[first] + ([rng.choice([t for t in topics if t is not first])] if rng.random() < 0.3 else []),
                created_at=when,
            )
            session.add(visit)
            counts["visits"] += 1
            last_contact = max(last_contact, when)
        client.last_contact_at = last_contact
        if progress is not None:
            progress(1)

    # anonymous walk-ins without a client record, in the walk-in hours, taken by the worker on duty
    from models import WalkInHours

    intervals = session.query(WalkInHours).order_by(WalkInHours.weekday, WalkInHours.opens_at, WalkInHours.id).all()
    for _ in range(max(1, clients // 10)):
        nat = rng.choices(NATIONALITIES, weights=weights)[0]
        interval = rng.choice(intervals) if intervals else None
        day = today - timedelta(days=rng.randint(1, 4 * 365))
        if interval is not None:
            day = working_day(day, (interval.weekday,), back=True)
            when = office_moment(rng, day, interval.opens_at.hour, interval.closes_at.hour)
            taken_by = interval.duty_worker or rng.choice(workers)
        else:
            when = office_moment(rng, working_day(day, back=True))
            taken_by = rng.choice(workers)
        session.add(Visit(
            occurred_at=when, channel=VisitChannel.WALK_IN, client=None, worker=taken_by,
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


#: why a colleague opens a case: ``{name}`` is the client's own worker (no declension, no gender needed)
COVER_REASONS = [
    "Naléhavá lhůta na OAMP; případ vede {name}, tento týden na dovolené.",
    "Volání kvůli lhůtě na úřadu práce; {name} je dnes v pracovní neschopnosti.",
]
#: notes of the manager's reassignments: ``{name}`` is the worker the client leaves
REASSIGN_NOTES = ["{name} je dlouhodobě v pracovní neschopnosti.", "Domluva je možná jen ve vietnamštině."]


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
            cover.grant_cover(session, worker, client, reason.format(name=client.worker.full_name))
            done["cover_grants"] += 1
        except ServiceError:
            continue  # e.g. the day is over: no cover to show
    # reassignments decided by the manager
    for client, reason, note in zip(held[3:5], (ReassignReason.WORKER_ABSENT, ReassignReason.LANGUAGE), REASSIGN_NOTES):
        to = next(w for w in workers if w.id != client.worker_id)
        client_service.reassign(session, client, to, reason, note.format(name=client.worker.full_name), by=manager)
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
