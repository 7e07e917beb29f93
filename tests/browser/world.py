"""The people and records the browser journeys work with.

A little demo data for realistic lists, then one account per role and a few clients and
appointments with names nobody else has, so each journey finds exactly its own records and
the journeys do not depend on each other's order. Only plain values leave this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from models.enums import AppointmentStatus, AuditAction, ClientStatus, Responsible, Role
from services import audit, demo, users
from services.timeutil import local_now, local_to_utc
from tests import factories

PASSWORD = "browser-journeys-password"
LOCALES = ("cs", "en")


@dataclass
class Person:
    id: int
    email: str
    name: str


@dataclass
class ClientRef:
    id: int
    code: str
    first_name: str
    last_name: str
    phone: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class World:
    reception: Person
    worker: Person
    colleague: Person
    manager: Person
    admin: Person
    #: per locale: a client reception finds by phone and books with their own worker (``worker``)
    phone_client: dict[str, ClientRef] = field(default_factory=dict)
    #: per locale: a client with yesterday's planned appointment that reception marks as a no-show
    no_show_client: dict[str, ClientRef] = field(default_factory=dict)
    no_show_appointment: dict[str, int] = field(default_factory=dict)
    #: the worker's own client with an appointment today (shown on the worker's start page)
    own_client: ClientRef | None = None
    own_appointment: int | None = None
    #: the colleague's client: the worker opens it with cover access
    covered_client: ClientRef | None = None
    #: the colleague's client the manager reassigns to the worker, after the colleague opened it
    reassigned_client: ClientRef | None = None
    #: the colleague's client the worker asks cover access for with bad reasons
    cover_refused_client: ClientRef | None = None
    #: the worker's own client booked through a form with bad values
    booking_client: ClientRef | None = None
    #: the worker's own client with an active agreement, two open tasks (one overdue, so the client is on the
    #: worker's start page) and an appointment that started an hour ago: the worker records the meeting
    meeting_client: ClientRef | None = None
    meeting_tasks: tuple[str, str] = ("", "")
    meeting_appointment: int | None = None
    #: the colleague's clients the manager exports and anonymises
    export_client: ClientRef | None = None
    anonymise_client: ClientRef | None = None
    #: a client whose name is stored in Cyrillic: reception finds them by a Latin spelling heard at the desk
    heard_client: ClientRef | None = None
    #: a client with a Vietnamese name (family name last, no middle name): reception registers them again
    #: as "Nguyễn Thị Hương" and is warned
    registered_client: ClientRef | None = None
    #: two records of one person (another spelling, another phone number): the manager merges them
    merge_kept: ClientRef | None = None
    merge_duplicate: ClientRef | None = None
    #: a closed client with no contact for five years: the retention purge anonymises it
    retention_client: ClientRef | None = None
    #: the worker's own clients who take their papers home in their language: a Ukrainian, a
    #: Russian-speaking Kazakh and a Vietnamese client, each with a typical roadmap (a goal, six tasks of
    #: which two are done, the next appointment) and a planned appointment (language code: client)
    document_clients: dict[str, ClientRef] = field(default_factory=dict)
    document_appointments: dict[str, int] = field(default_factory=dict)
    document_goals: dict[str, str] = field(default_factory=dict)
    #: the colleague's client with an active agreement and an appointment today that has started:
    #: reception marks it arrived on the desk, the colleague records that meeting
    arrival_client: ClientRef | None = None
    arrival_appointment: int | None = None
    #: reception edits this client in two tabs: the older form is refused
    stale_client: ClientRef | None = None
    #: the worker's client whose meeting is recorded from two tabs (its planned appointment started an hour ago)
    twice_client: ClientRef | None = None
    twice_appointment: int | None = None
    #: the worker's client whose agreement ends, with a planned appointment next week
    closing_client: ClientRef | None = None
    #: a client anonymised before the journeys start (reception finds the personal fields closed)
    erased_client: ClientRef | None = None
    #: a social worker with working hours (Monday to Friday, 8:00–16:30) and, per locale, a client of
    #: theirs reception books from a free slot
    slot_worker: Person | None = None
    slot_client: dict[str, ClientRef] = field(default_factory=dict)
    #: per locale: the worker's client with an agreement and two open tasks: the worker adds, completes
    #: and reorders tasks in the case file
    roadmap_client: dict[str, ClientRef] = field(default_factory=dict)
    roadmap_tasks: tuple[str, str] = ("", "")


def _local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = local_now().date() + timedelta(days=day_offset)
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def _ref(client) -> ClientRef:
    return ClientRef(client.id, client.code, client.first_name, client.last_name, client.phone)


def _person(worker) -> Person:
    return Person(worker.id, worker.email, worker.full_name)


def build_world(session) -> World:
    demo.seed(session, clients=25, seed=7)
    session.flush()
    from models import WalkInHours

    # the demo's walk-in hours stay (the client's documents print them), but nobody is on duty, so a
    # walk-in "automatically" assigned needs a worker chosen at any time of day
    session.query(WalkInHours).update({WalkInHours.duty_worker_id: None})

    def account(email, name, *roles):
        return _person(users.create_worker(session, email, name, list(roles), password=PASSWORD, languages=["cs", "en"]))

    world = World(
        reception=account("recepce@poradna.example", "Jana Malá", Role.RECEPTION),
        worker=account("petra@poradna.example", "Petra Veselá", Role.WORKER),
        colleague=account("lucie@poradna.example", "Lucie Černá", Role.WORKER),
        manager=account("martin@poradna.example", "Martin Král", Role.MANAGER),
        admin=account("tomas@poradna.example", "Tomáš Beneš", Role.ADMIN),
    )
    from models import Worker

    worker = session.get(Worker, world.worker.id)
    colleague = session.get(Worker, world.colleague.id)

    names = {"cs": (("Iryna", "Hordijenko"), ("Oksana", "Zelinská")),
             "en": (("Mykola", "Zhadan"), ("Bolormaa", "Tsogtová"))}
    for n, locale in enumerate(LOCALES):
        (first, last), (first2, last2) = names[locale]
        client = factories.make_client(worker=worker, first_name=first, last_name=last,
                                       phone=f"+420 605 111 20{n}", status=ClientStatus.CLIENT)
        world.phone_client[locale] = _ref(client)
        other = factories.make_client(worker=colleague, first_name=first2, last_name=last2, status=ClientStatus.CLIENT)
        appointment = factories.make_appointment(client=other, worker=colleague, starts_at=_local(-1, 10 + n),
                                                 status=AppointmentStatus.PLANNED)
        world.no_show_client[locale] = _ref(other)
        world.no_show_appointment[locale] = appointment.id

    own = factories.make_client(worker=worker, first_name="Tetjana", last_name="Bondarová", status=ClientStatus.CLIENT)
    agreement = factories.make_agreement(client=own, worker=worker)
    factories.make_task(agreement=agreement)
    factories.make_task(agreement=agreement, description="Zjistit termín na odboru azylové a migrační politiky")
    world.own_client = _ref(own)
    # today, clear of the meetings below that started in the last ninety minutes (same worker)
    own_hour = 8 if local_now().hour >= 11 else 20
    world.own_appointment = factories.make_appointment(client=own, worker=worker, starts_at=_local(0, own_hour)).id

    covered = factories.make_client(worker=colleague, first_name="Ahmad", last_name="Rahimi", status=ClientStatus.CLIENT)
    factories.make_agreement(client=covered, worker=colleague)
    world.covered_client = _ref(covered)

    reassigned = factories.make_client(worker=colleague, first_name="Layla", last_name="Haddadová", status=ClientStatus.CLIENT)
    world.reassigned_client = _ref(reassigned)
    audit.record_for(session, AuditAction.VIEW, reassigned).actor_id = colleague.id
    refused = factories.make_client(worker=colleague, first_name="Omar", last_name="Chaddúr", status=ClientStatus.CLIENT)
    world.cover_refused_client = _ref(refused)
    booking = factories.make_client(worker=worker, first_name="Jelena", last_name="Šostaková", status=ClientStatus.CLIENT)
    world.booking_client = _ref(booking)

    meeting = factories.make_client(worker=worker, first_name="Nadija", last_name="Karimová", status=ClientStatus.CLIENT,
                                    languages=["uk", "ru"])
    agreement = factories.make_agreement(client=meeting, worker=worker, goal="Získat povolení k dlouhodobému pobytu")
    world.meeting_tasks = ("Donést výpis z rejstříku trestů", "Vyplnit společně formulář žádosti")
    today = local_now().date()
    factories.make_task(agreement=agreement, description=world.meeting_tasks[0], responsible=Responsible.CLIENT,
                        due_on=today - timedelta(days=2))
    factories.make_task(agreement=agreement, description=world.meeting_tasks[1], responsible=Responsible.BOTH,
                        due_on=today + timedelta(days=5), position=1)
    started = (local_now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    started -= timedelta(minutes=started.minute % 5)
    world.meeting_appointment = factories.make_appointment(client=meeting, worker=worker, starts_at=local_to_utc(started)).id
    world.meeting_client = _ref(meeting)

    exported = factories.make_client(worker=colleague, first_name="Viktor", last_name="Petrenko", status=ClientStatus.CLIENT,
                                     phone="+420 605 333 444")
    factories.make_visit(client=exported, worker=colleague, summary="Ptal se na prodloužení víza.")
    world.export_client = _ref(exported)
    anonymised = factories.make_client(worker=colleague, first_name="Hanna", last_name="Sydorenková",
                                       status=ClientStatus.CLOSED, phone="+420 605 555 666")
    factories.make_visit(client=anonymised, worker=colleague, summary="Chce smazat své údaje.")
    world.anonymise_client = _ref(anonymised)
    heard = factories.make_client(worker=worker, first_name="Олександр", last_name="Кузнецов", birth_year=1985,
                                  citizenship="UA", phone="+420 605 777 100", status=ClientStatus.CLIENT)
    world.heard_client = _ref(heard)
    registered = factories.make_client(worker=colleague, first_name="Hương", last_name="Nguyễn", birth_year=1990,
                                       citizenship="VN", status=ClientStatus.CLIENT)
    world.registered_client = _ref(registered)
    kept = factories.make_client(worker=colleague, first_name="Thu Trang", last_name="Đặng", birth_year=1988,
                                 citizenship="VN", phone="+420 605 888 100", status=ClientStatus.CLIENT)
    factories.make_appointment(client=kept, worker=colleague, starts_at=_local(3, 9))
    duplicate = factories.make_client(first_name="Thu Trang", last_name="Dang", birth_year=1988, citizenship="VN",
                                      phone="+420 605 888 999", status=ClientStatus.INTERESTED)
    factories.make_visit(client=duplicate, worker=worker)
    world.merge_kept, world.merge_duplicate = _ref(kept), _ref(duplicate)
    old = factories.make_client(worker=colleague, first_name="Dmytro", last_name="Kovaľ", status=ClientStatus.CLOSED)
    old.created_at = old.updated_at = local_to_utc(datetime.combine(today - timedelta(days=5 * 366), time(10)))
    world.retention_client = _ref(old)
    _document_clients(world, worker)
    arrival = factories.make_client(worker=colleague, first_name="Oleksandr", last_name="Melnyk", status=ClientStatus.CLIENT)
    factories.make_agreement(client=arrival, worker=colleague, goal="Najít nájemní byt pro rodinu")
    midnight = local_to_utc(datetime.combine(today, time(0, 0)))
    arrived_at = max(midnight, local_to_utc((local_now() - timedelta(minutes=10)).replace(second=0, microsecond=0, tzinfo=None)))
    world.arrival_appointment = factories.make_appointment(client=arrival, worker=colleague, starts_at=arrived_at,
                                                           duration_minutes=45).id
    world.arrival_client = _ref(arrival)

    stale = factories.make_client(worker=colleague, first_name="Zarina", last_name="Abdulloeva", phone="+420 605 777 100",
                                  status=ClientStatus.CLIENT)
    world.stale_client = _ref(stale)
    twice = factories.make_client(worker=worker, first_name="Saule", last_name="Nurlanová", status=ClientStatus.CLIENT)
    factories.make_agreement(client=twice, worker=worker, goal="Najít školku pro syna")
    world.twice_appointment = factories.make_appointment(client=twice, worker=worker,
                                                         starts_at=local_to_utc(started - timedelta(minutes=30))).id
    world.twice_client = _ref(twice)
    closing = factories.make_client(worker=worker, first_name="Rustam", last_name="Karimov", status=ClientStatus.CLIENT)
    factories.make_agreement(client=closing, worker=worker, goal="Vyřídit zdravotní pojištění")
    factories.make_appointment(client=closing, worker=worker, starts_at=_local(7, 14))
    world.closing_client = _ref(closing)
    erased = factories.make_client(worker=colleague, first_name="Ilona", last_name="Bilá", phone="+420 605 888 000",
                                   status=ClientStatus.CLOSED)
    world.erased_client = _ref(erased)
    from services import privacy

    privacy.anonymise(session, erased)
    _slots_and_roadmaps(world, worker)
    session.flush()
    return world


def _slots_and_roadmaps(world: World, worker) -> None:
    from extensions import db
    from models import Worker, WorkingHours

    slot_worker = users.create_worker(db.session, "eva@poradna.example", "Eva Horáková", [Role.WORKER], password=PASSWORD,
                                      languages=["cs", "en"])
    db.session.add_all(WorkingHours(worker=slot_worker, weekday=d, starts_at=time(8, 0), ends_at=time(16, 30))
                       for d in range(5))
    world.slot_worker = _person(slot_worker)
    names = {"cs": ("Marta", "Ilčenko"), "en": ("Dilnoza", "Rahmonová")}
    roadmap_names = {"cs": ("Svitlana", "Hrytsenko"), "en": ("Aziz", "Tursunov")}
    world.roadmap_tasks = ("Přinést nájemní smlouvu", "Zavolat na úřad práce")
    today = local_now().date()
    for locale in LOCALES:
        first, last = names[locale]
        world.slot_client[locale] = _ref(factories.make_client(worker=slot_worker, first_name=first, last_name=last,
                                                               status=ClientStatus.CLIENT))
        first, last = roadmap_names[locale]
        person = factories.make_client(worker=db.session.get(Worker, worker.id), first_name=first, last_name=last,
                                       status=ClientStatus.CLIENT)
        agreement = factories.make_agreement(client=person, worker=worker, goal="Najít práci a zdravotní pojištění")
        for position, text in enumerate(world.roadmap_tasks):
            factories.make_task(agreement=agreement, description=text, responsible=Responsible.CLIENT,
                                due_on=today + timedelta(days=5 + position), position=position)
        world.roadmap_client[locale] = _ref(person)


#: (document language, first name, last name, citizenship, languages, goal)
DOCUMENT_CLIENTS = [
    ("uk", "Olha", "Marčenko", "UA", ["uk", "ru"], "Klientka podá žádost o prodloužení dlouhodobého pobytu včas."),
    ("ru", "Aigerim", "Nurpeisová", "KZ", ["kk", "ru"], "Klientka najde a podepíše nájemní smlouvu."),
    ("vi", "Thi Lan", "Nguyen", "VN", ["vi"], "Dítě klientky je zapsáno do školy a má zdravotní pojištění."),
]
#: a typical roadmap: four open tasks for the client, the worker and both, two done
DOCUMENT_TASKS = [
    (Responsible.CLIENT, "Donést výpis z rejstříku trestů a potvrzení o ubytování od majitele bytu", False),
    (Responsible.CLIENT, "Objednat se na pobočku zdravotní pojišťovny a přinést kartičku pojištěnce", False),
    (Responsible.WORKER, "Ověřit podmínky a lhůty na odboru azylové a migrační politiky", False),
    (Responsible.BOTH, "Společně vyplnit formulář žádosti a zkontrolovat přílohy", False),
    (Responsible.WORKER, "Připravit vzor žádosti a seznam dokladů", True),
    (Responsible.CLIENT, "Přeložit rodný list dítěte do češtiny", True),
]


def _document_clients(world: World, worker) -> None:
    """The clients whose papers the worker prints; the Ukrainian client's next appointment is an
    accompaniment to the residence-permit office (its address comes from the demo)."""
    from extensions import db
    from models import PublicOffice
    from models.enums import AppointmentPlace, AppointmentPurpose, TaskStatus

    today = local_now().date()
    office = db.session.query(PublicOffice).filter_by(code="oamp").one()
    for n, (lang, first, last, citizenship, languages, goal) in enumerate(DOCUMENT_CLIENTS):
        person = factories.make_client(worker=worker, first_name=first, last_name=last, citizenship=citizenship,
                                       languages=languages, status=ClientStatus.CLIENT)
        agreement = factories.make_agreement(client=person, worker=worker, goal=goal)
        for position, (who, text, done) in enumerate(DOCUMENT_TASKS):
            factories.make_task(agreement=agreement, description=text, responsible=who, position=position,
                                due_on=today + timedelta(days=7 + 3 * position),
                                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                                completed_on=today - timedelta(days=position) if done else None)
        accompaniment = lang == "uk"
        appointment = factories.make_appointment(
            client=person, worker=worker, starts_at=_local(10 + n, 15, 0), duration_minutes=90 if accompaniment else 60,
            place=AppointmentPlace.PUBLIC_OFFICE if accompaniment else AppointmentPlace.CENTRE,
            office=office if accompaniment else None,
            purpose=AppointmentPurpose.ACCOMPANIMENT if accompaniment else AppointmentPurpose.CONSULTATION,
            place_note="Sraz před hlavním vchodem" if accompaniment else None)
        world.document_clients[lang] = _ref(person)
        world.document_appointments[lang] = appointment.id
        world.document_goals[lang] = goal
