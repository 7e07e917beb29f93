"""The client's case file as one person sees it: the header, the agreement, the open intake, the
roadmap, the next appointments and one page of the timeline.

What each part contains is decided by :mod:`services.access`: every kind of row goes through
``access.scope`` (so reception and a worker without access to the case get visits and appointments
only, never intakes, agreements, roadmap tasks, reassignments or cover grants) and confidential text
is copied into the result only when ``access.can_read_confidential`` allows it. The page takes four
queries however long the case: the client with its header, agreement, roadmap and intake; the next
appointments; one page of the timeline (a UNION ALL of every kind of event, each row outer-joined to
the record behind it, with the total as a window count); and the audit entry.

The operations that change a case (intake, agreement, meeting, closing) are in
:mod:`services.case_operations`; the printed roadmap is :mod:`services.roadmap`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from models import (
    Agreement, Appointment, Client, CoverGrant, Intake, Reassignment, RoadmapTask, Topic, Visit, visit_topic,
)
from models.base import UTCDateTime, utcnow
from models.enums import AgreementStatus, AppointmentStatus, AuditAction, ClientStatus, Responsible, Role, TaskStatus
from services import access, audit, scheduling
from services.timeutil import local_now

PAGE_SIZE = 25
#: Order of events recorded at the same moment (the higher rank is shown first, as the newer).
RANKS = {"visit": 0, "appointment": 0, "reassignment": 0, "cover": 0, "intake": 1, "intake_end": 2, "agreement": 3,
         "task_added": 4, "task": 5, "agreement_end": 6}


def _today() -> date:
    return local_now().date()


# --- who may do what -------------------------------------------------------------------------

@dataclass
class Rights:
    """What one person may do with one client's case (every answer comes from services.access)."""

    read: bool = False  #: confidential content is shown (own worker, cover access, manager)
    write: bool = False  #: confidential content may be written (own worker or cover access)
    intake: bool = False  #: may record the first conversation
    cover: bool = False  #: may open the case with cover access
    print: bool = False  #: may print the roadmap (an audited export: services.client_documents)

    def allows(self, operation: str) -> bool:
        """May the person run ``operation`` of the case file (:data:`OPERATIONS`)? Unknown: no."""
        return any(all(getattr(self, right) for right in needed) for needed in OPERATIONS.get(operation, ()))


#: The case file's operations and the rights each needs: any one of the sets, all rights of it. Every
#: case-file route (admin_views/casefile.py, admin_views/roadmap.py, the printed roadmap) and the case
#: file's buttons ask here through :func:`allowed` or :meth:`Rights.allows`; an operation not listed is
#: refused to everybody.
OPERATIONS: dict[str, tuple[frozenset[str], ...]] = {
    "intake": (frozenset({"intake"}),),  # record the first conversation
    "agreement": (frozenset({"write"}), frozenset({"read", "intake"})),  # make the (or a new) agreement
    "end_intake": (frozenset({"read", "intake"}),),  # end the intake without an agreement
    "meeting": (frozenset({"write"}),),  # record a meeting
    "close": (frozenset({"write"}),),  # end the agreement
    "task": (frozenset({"write"}),),  # add, change, finish and move roadmap tasks
    "print_roadmap": (frozenset({"print"}),),  # the printed roadmap
    "cover": (frozenset({"cover"}),),  # offered to open the case with cover access
}


def rights(session: Session, user: Any, client: Client) -> Rights:
    read = access.can_read_confidential(session, user, client)
    write = Role.WORKER in user.role_set and access.can_write_confidential(session, user, client)
    # an interested person nobody holds yet: any social worker may hold the first conversation
    intake_probe = Intake(client=client, client_id=client.id)
    intake = access.can_write_confidential(session, user, intake_probe)
    cover = (access.can(user, "cover") and not read and client.worker_id not in (None, user.id)
             and client.anonymised_at is None)
    return Rights(read=read, write=write, intake=intake, cover=cover,
                  print=read and access.can_open(user, "agreement"))


def allowed(session: Session, user: Any, client: Client, operation: str) -> bool:
    """May ``user`` run the case-file ``operation`` (a key of :data:`OPERATIONS`) on ``client``'s case?"""
    return rights(session, user, client).allows(operation)


# --- reading ---------------------------------------------------------------------------------

def current_agreement(session: Session, client: Client, user: Any | None = None) -> Agreement | None:
    """The active agreement, else the latest one (scoped to ``user`` when given)."""
    query = (
        session.query(Agreement).filter(Agreement.client_id == client.id)
        .order_by(sa.case((Agreement.status == AgreementStatus.ACTIVE, 0), else_=1), Agreement.agreed_on.desc(),
                  Agreement.id.desc())
    )
    if user is not None:
        query = access.scope(query, Agreement, user)
    return query.first()


def active_agreement(session: Session, client: Client) -> Agreement | None:
    return (
        session.query(Agreement)
        .filter(Agreement.client_id == client.id, Agreement.status == AgreementStatus.ACTIVE)
        .order_by(Agreement.agreed_on.desc(), Agreement.id.desc()).first()
    )


def open_intake(session: Session, client: Client, user: Any | None = None) -> Intake | None:
    """The intake that ended neither in an agreement nor with a reason."""
    query = (
        session.query(Intake)
        .filter(Intake.client_id == client.id, Intake.agreement_id.is_(None), Intake.ended_on.is_(None))
        .order_by(Intake.held_on.desc(), Intake.id.desc())
    )
    if user is not None:
        query = access.scope(query, Intake, user)
    return query.first()


def roadmap(agreement: Agreement | None, today: date | None = None) -> dict[Responsible, list[dict]]:
    """The agreement's tasks grouped by who is responsible, each marked when overdue."""
    today = today or _today()
    groups: dict[Responsible, list[dict]] = {r: [] for r in Responsible}
    for task in (agreement.tasks if agreement is not None else []):
        groups[task.responsible or Responsible.CLIENT].append({
            "task": task,
            "overdue": task.status == TaskStatus.OPEN and task.due_on is not None and task.due_on < today,
        })
    return groups


def upcoming(session: Session, client: Client, user: Any, limit: int = 3) -> list[Appointment]:
    """The client's next planned appointments (the appointment book is shared)."""
    query = (
        session.query(Appointment)
        .filter(Appointment.client_id == client.id, Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at >= utcnow())
        .options(joinedload(Appointment.worker), joinedload(Appointment.office))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return access.scope(query, Appointment, user).limit(limit).all()


@dataclass
class Event:
    """One line of the timeline. ``text`` holds confidential text and is empty for a viewer who may not read it."""

    kind: str
    id: int
    at: datetime | date
    worker: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)

    @property
    def is_date(self) -> bool:
        return not isinstance(self.at, datetime)


@dataclass
class Timeline:
    events: list[Event]
    page: int
    pages: int
    total: int
    page_size: int


def _end_of_day(session: Session, column):
    """A DATE column as a sortable UTC timestamp at the end of that day (date events follow the day's meetings)."""
    if session.get_bind().dialect.name == "postgresql":
        expr = sa.func.timezone(sa.literal_column("'UTC'"),
                                sa.cast(column, sa.DateTime()) + sa.literal_column("interval '1 day - 1 microsecond'"))
    else:  # SQLite keeps UTCDateTime as text in this format
        expr = sa.type_coerce(column, sa.String) + sa.literal_column("' 23:59:59.999999'", sa.String)
    return sa.type_coerce(expr, UTCDateTime())


def _branch(kind: str, ref, at, tiebreak, *where, model=None, join=None):
    stmt = sa.select(
        sa.literal_column(f"'{kind}'", sa.String).label("kind"), ref.label("ref"),
        sa.type_coerce(at, UTCDateTime()).label("at"), sa.type_coerce(tiebreak, UTCDateTime()).label("tiebreak"),
        sa.literal_column(str(RANKS[kind]), sa.Integer).label("rank"),
    )
    if join is not None:
        stmt = stmt.select_from(model).join(*join)
    return stmt.where(*where)


def timeline_union(session: Session, client_id: int, user: Any, now: datetime | None = None, *, held: bool | None = None):
    """Every event of the client's case that ``user`` may see, as (kind, ref, at, tiebreak, rank) rows.

    ``at`` orders the events (a date event sorts at the end of its day, after that day's meetings);
    events at the same moment are ordered by when they were recorded, then by kind.
    """
    now = utcnow() if now is None else now
    day = lambda col: _end_of_day(session, col)  # noqa: E731
    if held is None:
        held = access.holds_client(session, user, client_id)
    scope = lambda stmt, model, user: access.scope_one_client(stmt, model, user, held)  # noqa: E731
    branches = [
        scope(_branch("visit", Visit.id, Visit.occurred_at, Visit.occurred_at, Visit.client_id == client_id), Visit, user),
        scope(_branch(
            "appointment", Appointment.id, Appointment.starts_at, Appointment.starts_at, Appointment.client_id == client_id,
            sa.or_(Appointment.status != AppointmentStatus.PLANNED, Appointment.starts_at <= now),
        ), Appointment, user),
        scope(_branch("intake", Intake.id, day(Intake.held_on), Intake.created_at, Intake.client_id == client_id),
                     Intake, user),
        scope(_branch("intake_end", Intake.id, day(Intake.ended_on), Intake.updated_at, Intake.client_id == client_id,
                             Intake.ended_on.is_not(None)), Intake, user),
        scope(_branch("agreement", Agreement.id, day(Agreement.agreed_on), Agreement.created_at,
                             Agreement.client_id == client_id), Agreement, user),
        scope(_branch("agreement_end", Agreement.id, day(Agreement.ended_on), Agreement.updated_at,
                             Agreement.client_id == client_id, Agreement.ended_on.is_not(None)), Agreement, user),
        scope(_branch("task_added", RoadmapTask.id, RoadmapTask.created_at, RoadmapTask.created_at,
                             Agreement.client_id == client_id, model=RoadmapTask,
                             join=(Agreement, RoadmapTask.agreement_id == Agreement.id)), RoadmapTask, user),
        scope(_branch("task", RoadmapTask.id, day(RoadmapTask.completed_on), RoadmapTask.updated_at,
                             Agreement.client_id == client_id, RoadmapTask.completed_on.is_not(None), model=RoadmapTask,
                             join=(Agreement, RoadmapTask.agreement_id == Agreement.id)), RoadmapTask, user),
        scope(_branch("reassignment", Reassignment.id, Reassignment.at, Reassignment.at,
                             Reassignment.client_id == client_id), Reassignment, user),
        scope(_branch("cover", CoverGrant.id, CoverGrant.granted_at, CoverGrant.granted_at,
                             CoverGrant.client_id == client_id), CoverGrant, user),
    ]
    return sa.union_all(*branches).subquery("events")


#: Which model is behind each kind of event, and what it brings along for the page.
SOURCES: dict[str, type] = {
    "visit": Visit, "appointment": Appointment, "intake": Intake, "intake_end": Intake, "agreement": Agreement,
    "agreement_end": Agreement, "task_added": RoadmapTask, "task": RoadmapTask, "reassignment": Reassignment,
    "cover": CoverGrant,
}


#: Between topic labels gathered in SQL (a control character no label contains).
TOPIC_SEPARATOR = "\x1f"


def _topic_labels(dialect: str):
    """A visit's topic labels in the page's language, gathered by the database (a joined collection
    would make SQLite scan every visit's topics for each row of the page)."""
    label = Topic.label_en if _language() == "en" else Topic.label_cs
    if dialect == "postgresql":
        gathered = sa.func.string_agg(label, sa.literal(TOPIC_SEPARATOR))
    else:
        gathered = sa.func.group_concat(label, sa.literal(TOPIC_SEPARATOR))
    return (
        sa.select(gathered).select_from(visit_topic.join(Topic, Topic.id == visit_topic.c.topic_id))
        .where(visit_topic.c.visit_id == Visit.id).correlate(Visit).scalar_subquery()
    )


def _language() -> str:
    from models.codelists import _current_language

    return _current_language()


def _page_statement(events, page: int | None, page_size: int | None, dialect: str = "sqlite"):
    """One page of events with the row behind each of them and the total, in one statement: the page
    is cut from the events first (with the total as a window count), then every model is outer-joined
    on its own kinds, so each row carries exactly one of them. ``page`` None: the page's size and
    offset are the parameters ``tl_limit`` and ``tl_offset``."""
    order = (events.c.at.desc(), events.c.tiebreak.desc(), events.c.rank.desc(), events.c.ref.desc())
    if page is None:
        limit, offset = sa.bindparam("tl_limit", type_=sa.Integer), sa.bindparam("tl_offset", type_=sa.Integer)
    else:
        limit, offset = page_size, (page - 1) * page_size
    cut = (
        sa.select(events.c.kind, events.c.ref, events.c.at, events.c.tiebreak, events.c.rank,
                  sa.func.count().over().label("total"))
        .order_by(*order).limit(limit).offset(offset)
        .subquery("page")
    )
    models = list(dict.fromkeys(SOURCES.values()))
    stmt = sa.select(cut.c.kind, cut.c.ref, cut.c.total, _topic_labels(dialect).label("topics"), *models).select_from(cut)
    for model in models:
        kinds = [kind for kind, source in SOURCES.items() if source is model]
        stmt = stmt.outerjoin(model, sa.and_(cut.c.kind.in_(kinds), model.id == cut.c.ref))
    return (
        stmt.options(
            joinedload(Visit.worker), joinedload(Appointment.worker), joinedload(Appointment.office),
            joinedload(Intake.worker), joinedload(Agreement.worker), joinedload(Agreement.consent_recorded_by),
            joinedload(Reassignment.from_worker), joinedload(Reassignment.to_worker), joinedload(Reassignment.by),
            joinedload(CoverGrant.worker),
        )
        .order_by(cut.c.at.desc(), cut.c.tiebreak.desc(), cut.c.rank.desc(), cut.c.ref.desc())
    )


def timeline(session: Session, client: Client, user: Any, *, page: int = 1, page_size: int = PAGE_SIZE,
             read: bool | None = None) -> Timeline:
    """One page of the timeline, newest first, with the total: one query (a second for the topics of
    the visits on the page, and a count only when the page asked for lies beyond the last)."""
    read = access.can_read_confidential(session, user, client) if read is None else read
    page = max(1, int(page or 1))
    events, page_stmt = _statements(session, user, access.holds_client(session, user, client.id))
    params = {"tl_client": client.id, "tl_now": utcnow()}

    def page_rows(number):
        return session.execute(page_stmt, params | {"tl_limit": page_size, "tl_offset": (number - 1) * page_size}).all()

    rows = page_rows(page)
    if rows:
        total = rows[0].total
    else:
        total = session.execute(sa.select(sa.func.count()).select_from(events), params).scalar() or 0
        last = max(1, -(-total // page_size))
        if page > last:
            page = last
            rows = page_rows(page) if total else []
    pages = max(1, -(-total // page_size))
    result = []
    for row in rows:
        obj = next((value for value in row[4:] if value is not None), None)
        if obj is not None:
            topics = sorted(row.topics.split(TOPIC_SEPARATOR)) if row.topics else []
            result.append(_event(row.kind, obj, read, topics=topics))
    return Timeline(events=result, page=page, pages=pages, total=total, page_size=page_size)


#: the timeline's statements, built once per shape (engine, language, the viewer's roles and id, whether
#: they hold the client) with the client, the time and the page as parameters: building the union of
#: ten scoped branches and the page's joins took longer than running it
_STATEMENTS: dict[tuple, tuple] = {}
_STATEMENTS_LIMIT = 512


def _statements(session: Session, user: Any, held: bool):
    """``(events, page statement)`` for ``user`` viewing a client they hold or not (``held``); their
    parameters: ``tl_client``, ``tl_now``, and the page's ``tl_limit`` and ``tl_offset``."""
    dialect = session.get_bind().dialect.name
    key = (dialect, _language(), bool(held), frozenset(access._roles(user)), getattr(user, "id", None))
    found = _STATEMENTS.get(key)
    if found is None:
        events = timeline_union(session, sa.bindparam("tl_client", type_=sa.Integer), user,
                                now=sa.bindparam("tl_now", type_=UTCDateTime()), held=bool(held))
        found = (events, _page_statement(events, None, None, dialect))
        if len(_STATEMENTS) >= _STATEMENTS_LIMIT:
            _STATEMENTS.clear()
        _STATEMENTS[key] = found
    return found


def _name(worker) -> str | None:
    return worker.full_name if worker is not None else None


def _event(kind: str, obj: Any, read: bool, *, topics: list[str] | None = None) -> Event:
    facts: dict[str, Any] = {}
    text: dict[str, str | None] = {}
    if kind == "visit":
        at, worker = obj.occurred_at, obj.worker
        facts = {"channel": obj.channel, "minutes": obj.minutes, "urgent": obj.urgent,
                 "topics": topics if topics is not None else sorted(t.label for t in obj.topics)}
        text = {"summary": obj.summary}
    elif kind == "appointment":
        at, worker = obj.starts_at, obj.worker
        facts = {"status": obj.status, "duration": obj.duration_minutes, "place": obj.place,
                 "office": obj.office.name if obj.office else None, "place_note": obj.place_note,
                 "purpose": obj.purpose, "interpreter": obj.interpreter}
        text = {"notes": obj.notes, "evaluation": obj.evaluation, "next_steps": obj.next_steps}
    elif kind == "intake":
        at, worker = obj.held_on, obj.worker
        text = {"issue": obj.issue}
    elif kind == "intake_end":
        at, worker = obj.ended_on, obj.worker
        facts = {"reason": obj.end_reason}
        text = {"note": obj.end_note}
    elif kind == "agreement":
        at, worker = obj.agreed_on, obj.worker
        facts = {"consent_service": obj.consent_service, "consent_data": obj.consent_data,
                 "recorded_by": _name(obj.consent_recorded_by), "recorded_at": obj.consent_recorded_at}
        text = {"issue": obj.issue, "goal": obj.goal}
    elif kind == "agreement_end":
        at, worker = obj.ended_on, obj.worker
        facts = {"status": obj.status}
        text = {"reason": obj.end_reason}
    elif kind == "task_added":
        at, worker = obj.created_at, None
        facts = {"responsible": obj.responsible, "due_on": obj.due_on}
        text = {"description": obj.description}
    elif kind == "task":
        at, worker = obj.completed_on, None
        facts = {"status": obj.status, "responsible": obj.responsible, "due_on": obj.due_on}
        text = {"description": obj.description, "outcome": obj.outcome}
    elif kind == "reassignment":
        at, worker = obj.at, obj.to_worker
        facts = {"from": _name(obj.from_worker), "reason": obj.reason, "by": _name(obj.by)}
        text = {"note": obj.note}
    elif kind == "cover":
        at, worker = obj.granted_at, obj.worker
        facts = {"expires_at": obj.expires_at, "revoked_at": obj.revoked_at}
        text = {"reason": obj.reason}
    else:  # pragma: no cover - every branch of the union is handled above
        raise ValueError(kind)
    shown = {k: v for k, v in text.items() if v} if read else {}
    return Event(kind=kind, id=obj.id, at=at, worker=_name(worker), facts=facts, text=shown)


@dataclass
class CaseFile:
    client: Client
    rights: Rights
    counts: dict[str, int]
    agreement: Agreement | None  #: the active agreement, else the latest (only for those who may see it)
    intake: Intake | None  #: the open intake (only for those who may see it)
    roadmap: dict[Responsible, list[dict]]
    upcoming: list[Appointment]
    timeline: Timeline
    today: date

    @property
    def confidential(self) -> bool:
        """Does the page show confidential content?"""
        return self.rights.read

    @property
    def active(self) -> bool:
        return self.agreement is not None and self.agreement.status == AgreementStatus.ACTIVE

    @property
    def can_record_intake(self) -> bool:
        return (self.rights.allows("intake") and self.client.anonymised_at is None and self.intake is None and not self.active
                and self.client.status in (ClientStatus.INTERESTED, ClientStatus.CLOSED))

    @property
    def can_make_agreement(self) -> bool:
        return self.rights.allows("agreement") and not self.active \
            and self.client.anonymised_at is None \
            and (self.intake is not None or self.client.status == ClientStatus.CLOSED)

    @property
    def can_end_intake(self) -> bool:
        return self.rights.allows("end_intake") and self.intake is not None and self.client.anonymised_at is None

    @property
    def can_record_meeting(self) -> bool:
        return self.rights.allows("meeting") and self.active and self.client.anonymised_at is None

    @property
    def can_close(self) -> bool:
        return self.rights.allows("close") and self.active and self.client.anonymised_at is None

    @property
    def can_plan(self) -> bool:
        """May the roadmap's tasks be added, changed, finished and moved here?"""
        return self.rights.allows("task") and self.active and self.client.anonymised_at is None


def case_file(session: Session, client: Client, user: Any, *, page: int = 1, page_size: int = PAGE_SIZE) -> CaseFile:
    """Everything the case-file page shows to ``user`` about ``client`` (see :func:`open_case_file`)."""
    case = open_case_file(session, client.id, user, page=page, page_size=page_size)
    if case is None:
        raise PermissionError("the client is not visible to this user")
    return case


def open_case_file(session: Session, client_id: int, user: Any, *, page: int = 1,
                   page_size: int = PAGE_SIZE) -> CaseFile | None:
    """The case file of client ``client_id`` as ``user`` sees it, or None if they may not see the client.

    Four queries however long the case: the client with its worker, the attendance counts, whether
    ``user`` holds the case, and the current agreement (with its roadmap) and open intake, all scoped
    by the access policy, in one; the next appointments; the timeline page; the visits' topics.
    """
    worker = access.holds_column(Client, user) is not None  # only a social worker can hold a case
    row = session.execute(_header_statement(session, user, worker), {"cf_client": client_id, "cf_now": utcnow()}).unique().first()
    if row is None:
        return None
    client, agreement, intake = row[0], row[1], row[2]
    access.remember_holds(user, client.id, row.held if worker else None)
    who = rights(session, user, client)
    return CaseFile(
        client=client, rights=who,
        counts={"attended": row.attended, "no_show": row.no_show, "cancelled_in_advance": row.cancelled_in_advance},
        agreement=agreement, intake=intake, roadmap=roadmap(agreement), upcoming=upcoming(session, client, user),
        timeline=timeline(session, client, user, page=page, page_size=page_size, read=who.read), today=_today(),
    )


def _header_statement(session: Session, user: Any, worker: bool):
    """The case file's first query (see :func:`open_case_file`), built once per viewer shape like the
    timeline's (:func:`_statements`); its parameters: ``cf_client`` and ``cf_now``."""
    key = ("header", session.get_bind().dialect.name, frozenset(access._roles(user)), getattr(user, "id", None), worker)
    found = _STATEMENTS.get(key)
    if found is not None:
        return found
    client_id, now = sa.bindparam("cf_client", type_=sa.Integer), sa.bindparam("cf_now", type_=UTCDateTime())
    case_client = sa.orm.aliased(Client, name="case_client")  # the subqueries' own ``client`` stays uncorrelated
    held = access.holds_expression(case_client.id, user, now) if worker else sa.false()
    visible = access.case_rows_visible(user, held)  # agreements and intakes: the same rule as access.scope
    current = (
        sa.select(Agreement.id).where(Agreement.client_id == case_client.id, visible)
        .order_by(sa.case((Agreement.status == AgreementStatus.ACTIVE, 0), else_=1), Agreement.agreed_on.desc(),
                  Agreement.id.desc()).limit(1)
    ).correlate(case_client).scalar_subquery()
    pending = (
        sa.select(Intake.id).where(Intake.client_id == case_client.id, Intake.agreement_id.is_(None), Intake.ended_on.is_(None),
                                   visible)
        .order_by(Intake.held_on.desc(), Intake.id.desc()).limit(1)
    ).correlate(case_client).scalar_subquery()

    def attendance(*statuses):
        return (sa.select(sa.func.count(Appointment.id))
                .where(Appointment.client_id == case_client.id, Appointment.status.in_(statuses))
                .correlate(case_client).scalar_subquery())

    stmt = access.scope(
        sa.select(case_client, Agreement, Intake, held.label("held"),
                  attendance(AppointmentStatus.ATTENDED).label("attended"), attendance(AppointmentStatus.NO_SHOW).label("no_show"),
                  attendance(*scheduling.CANCELLED_IN_ADVANCE).label("cancelled_in_advance"))
        .select_from(case_client)
        .outerjoin(Agreement, Agreement.id == current)
        .outerjoin(Intake, Intake.id == pending)
        .where(case_client.id == client_id)
        .options(joinedload(case_client.worker), joinedload(Agreement.worker), joinedload(Agreement.consent_recorded_by),
                 joinedload(Agreement.tasks), joinedload(Intake.worker)),
        Client, user,
    )
    if len(_STATEMENTS) >= _STATEMENTS_LIMIT:
        _STATEMENTS.clear()
    _STATEMENTS[key] = stmt
    return stmt


def record_view(session: Session, client: Client, user: Any, *, confidential: bool) -> None:
    """Audit one opening of the case file (it shows personal data; with ``confidential`` also case content)."""
    audit.record(session, AuditAction.VIEW, entity="client", entity_id=client.id, client_code=client.code,
                 actor_id=getattr(user, "id", None), details={"screen": "client.case_view", "confidential": confidential})
