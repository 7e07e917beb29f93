"""Figures for managers and funders: service statistics and the annual statement to the ministry.

Every figure is computed by aggregate SQL (COUNT, SUM, GROUP BY): no client, contact or appointment
rows are loaded into Python, and the number of queries does not depend on the size of the data.

A period is a pair of local dates (both inclusive) in the centre's zone. The scope comes from
:mod:`services.access`: managers (and the command line, ``user=None``) see every figure, a social
worker sees the figures of their own clients and the anonymous contacts they handled.

Nothing here carries names or contact data of clients: keys are codes, ids and enum values; labels
are code-list names and translated titles. Anonymised clients still count (their coded fields stay).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable, DropTable

from models import Agreement, Appointment, Client, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker, visit_topic
from models.enums import (
    AgeBand, AgreementStatus, AppointmentFormat, AppointmentPurpose, AppointmentStatus, IntakeEndReason,
    ResidenceStatus, Responsible, Sex, TaskStatus, VisitChannel,
)
from services import access, codes, formats
from services.timeutil import centre_zone, local_day_bounds

#: Minutes in one intervention unless the caller chooses otherwise (every started unit counts).
DEFAULT_UNIT_MINUTES = 30
#: The longest period a report covers.
MAX_PERIOD_DAYS = 3661
#: Counts from 1 to this number are shown as "<5" when small counts are hidden.
SMALL_COUNT = 4
SMALL_COUNT_TEXT = "<5"
#: A figure hidden only so that a hidden small count cannot be worked out from the others (secondary suppression).
SUPPRESSED_TEXT = "x"
#: Columns that count persons or events; the ones small counts are hidden in.
COUNT_COLUMNS = ("count", "users", "anonymous", "on_time")
#: The target group of the centre in the ministry's terms.
TARGET_GROUP = "immigrants"

#: Ministry categories of refused applicants, and the centre's reasons in each.
REFUSAL_CATEGORIES = (
    ("capacity", (IntakeEndReason.CAPACITY,)),
    ("not_provided", (IntakeEndReason.LEGAL_REPRESENTATION, IntakeEndReason.TRANSLATION_ONLY)),
    ("other", (IntakeEndReason.OTHER,)),
)

#: Columns a table may have besides key and label, in display order.
VALUE_COLUMNS = ("count", "users", "anonymous", "minutes", "units", "on_time", "rate")


# --- the shapes of a report ------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    def __post_init__(self):
        if self.date_from > self.date_to:
            raise ValueError("the period ends before it starts")
        if (self.date_to - self.date_from).days >= MAX_PERIOD_DAYS:
            raise ValueError("the period is too long")

    def bounds(self):
        """The UTC instants where the period starts and where the day after it starts."""
        return local_day_bounds(self.date_from)[0], local_day_bounds(self.date_to)[1]

    def months(self) -> list[tuple[str, date]]:
        """Every calendar month the period touches: ("YYYY-MM", first day)."""
        result = []
        year, month = self.date_from.year, self.date_from.month
        while (year, month) <= (self.date_to.year, self.date_to.month):
            result.append((f"{year:04d}-{month:02d}", date(year, month, 1)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


@dataclass
class Row:
    key: Any
    label: str
    count: int | str | None = None
    users: int | str | None = None
    anonymous: int | str | None = None
    minutes: int | None = None
    units: int | None = None
    on_time: int | str | None = None
    rate: float | None = None
    attrs: dict = field(default_factory=dict)  #: coded attributes of a grouped row (user cards)

    def value(self, column: str):
        return getattr(self, column)


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    columns: tuple[str, ...] = ("count",)
    count_title: str = ""  #: what the count column counts ("Persons", "Contacts", ...)
    attributes: tuple[tuple[str, str], ...] = ()  #: (attribute, title) columns of grouped rows
    chart: str | None = None  #: "bars" or "columns" when the page draws it
    note: str = ""
    #: the rows (other than "total") split one whole, so a hidden one could be worked out by subtraction;
    #: False for a list of separate figures (persons, agreements, minutes, ...)
    additive: bool = True

    def column_title(self, column: str, unit_minutes: int) -> str:
        if column == "count":
            return self.count_title or _("Count")
        return {
            "users": _("Users"),
            "anonymous": _("Anonymous contacts"),
            "minutes": _("Minutes"),
            "units": _("Interventions (%(minutes)s min)", minutes=unit_minutes),
            "on_time": _("Done on time"),
            "rate": _("Share"),
        }[column]


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclass
class Report:
    kind: str  #: "summary" or "statement"
    period: Period
    scope: str  #: "all" or "own"
    unit_minutes: int
    sections: list[Section]
    small_counts_hidden: bool = False

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def table(self, key: str) -> Table:
        for table in self.tables():
            if table.key == key:
                return table
        raise KeyError(key)


# --- entry points ----------------------------------------------------------------------------

def summary(session: Session, date_from: date, date_to: date, *, user: Any = None,
            unit_minutes: int = DEFAULT_UNIT_MINUTES) -> Report:
    """The service statistics for a period: people, contacts, attendance, breakdowns, roadmap."""
    q = _Queries(session, Period(date_from, date_to), user, unit_minutes)
    with q.contacts_gathered():
        return _summary(q)


def _summary(q: _Queries) -> Report:
    people = q.people()
    channels, kinds = q.contacts_by_kind_and_channel()
    forms = q.contacts_by_form()
    attendance = q.attendance()
    sections = [
        Section("people", _("People"), [
            people, q.agreements_ended(), q.refusals(),
        ]),
        Section("contacts", _("Contacts"), [
            channels, _summary_forms(forms), kinds, q.accompaniments(), q.interpreters(),
        ]),
        Section("attendance", _("Attendance"), [attendance]),
        Section("breakdowns", _("Breakdowns"), [
            q.by_month(), q.by_worker(), q.by_topic(), q.by_citizenship(), q.by_residence(), q.by_sex(),
            q.by_age_band(), q.by_district(),
        ]),
        Section("roadmap", _("Roadmap"), [q.roadmap()]),
    ]
    return Report("summary", q.period, q.scope, q.unit_minutes, sections)


def statement(session: Session, date_from: date, date_to: date, *, user: Any = None,
              unit_minutes: int = DEFAULT_UNIT_MINUTES) -> Report:
    """The annual statement to the ministry (§85 of Act 108/2006), usually for a calendar year."""
    q = _Queries(session, Period(date_from, date_to), user, unit_minutes)
    with q.contacts_gathered():
        return _statement(q)


def _statement(q: _Queries) -> Report:
    forms = q.contacts_by_form()
    sex = q.by_sex(with_anonymous=False)
    age = q.by_age_band(with_anonymous=False)
    refusals = q.refusals()
    for table, key, title in ((sex, "statement_users_by_sex", _("Users by sex")),
                              (age, "statement_users_by_age_band", _("Users by age"))):
        table.key, table.title, table.count_title, table.chart = key, title, _("Users"), None
    refusals.key = "statement_refusals_by_reason"
    sections = [
        Section("forms", _("Service figures by form"), [
            _statement_form(forms, AppointmentFormat.OFFICE, q.unit_minutes),
            _statement_form(forms, AppointmentFormat.FIELD, q.unit_minutes),
        ]),
        Section("users", _("Users"), [q.statement_users_total(), sex, age, q.user_cards()]),
        Section("anonymous", _("Activities for anonymous users"), [_statement_anonymous(forms, q.unit_minutes)]),
        Section("refusals", _("Refused applicants"), [_refusal_categories(refusals), refusals]),
    ]
    return Report("statement", q.period, q.scope, q.unit_minutes, sections)


def hide_small_counts(report: Report) -> Report:
    """A copy of ``report`` for use outside the centre: counts from 1 to 4 read "<5".

    Where a row's count is hidden, its minutes, interventions and share are left out too. In a table
    whose rows split one whole (``Table.additive``), a hidden count must not be recoverable by
    subtraction, so for each count column that has a hidden cell:

    - the "total" rows are hidden too ("<5" when small themselves, otherwise "x");
    - when only one cell is hidden, the smallest other non-zero cell is hidden as well ("x"), so the
      total of the column (shown in another table, say) gives only the sum of two unknown cells;
    - every share in the table is left out (a share and its count give the total away).
    """
    return replace(report, sections=[
        Section(s.key, s.title, [_hide_in_table(t) for t in s.tables]) for s in report.sections
    ], small_counts_hidden=True)


def _small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= SMALL_COUNT


def _hide_in_table(table: Table) -> Table:
    hidden: dict[int, dict[str, str]] = {i: {} for i in range(len(table.rows))}  # row index → column → text
    any_hidden = False
    for column in COUNT_COLUMNS:
        if column not in table.columns:
            continue
        values = [row.value(column) for row in table.rows]
        primary = [i for i, value in enumerate(values) if _small(value)]
        for i in primary:
            hidden[i][column] = SMALL_COUNT_TEXT
        if not table.additive:
            continue
        parts = [i for i, row in enumerate(table.rows) if row.key != "total"]
        hidden_parts = [i for i in parts if i in primary]
        if not hidden_parts:
            continue
        any_hidden = True
        if len(hidden_parts) == 1:
            others = [i for i in parts if i not in primary and isinstance(values[i], int) and values[i] > 0]
            if others:
                hidden[min(others, key=lambda i: values[i])][column] = SUPPRESSED_TEXT
        for i, row in enumerate(table.rows):
            if row.key == "total" and column not in hidden[i] and values[i] is not None:
                hidden[i][column] = SUPPRESSED_TEXT
    rows = []
    for i, row in enumerate(table.rows):
        changes: dict[str, Any] = dict(hidden[i])
        if "count" in changes or "users" in changes:
            changes.update(minutes=None, units=None, rate=None)
        if "on_time" in changes or (any_hidden and row.rate is not None):
            changes["rate"] = None
        rows.append(replace(row, **changes))
    return replace(table, rows=rows)


# --- the queries -----------------------------------------------------------------------------

def _label_language() -> str:
    locale = get_locale()
    return locale.language if locale else "cs"


def _not_given() -> str:
    return _("Not given")


def _int(value) -> int:
    return int(value or 0)


class _Queries:
    """One report's queries; each method runs one aggregate query (or none)."""

    def __init__(self, session: Session, period: Period, user: Any, unit_minutes: int):
        if not 1 <= int(unit_minutes) <= 480:
            raise ValueError("unit_minutes must be between 1 and 480")
        self.session = session
        self.period = period
        self.unit_minutes = int(unit_minutes)
        self.worker_id = access.report_worker_id(user) if user is not None else None
        self.scope = "all" if self.worker_id is None else "own"
        self.start, self.end = period.bounds()
        self.dialect = session.get_bind().dialect.name
        self._contact = None

    # --- scope and period ----------------------------------------------------------------------
    def _own(self, client_column):
        if self.worker_id is None:
            return sa.true()
        return client_column.in_(access.report_client_ids(self.worker_id))

    def _visit_scope(self):
        if self.worker_id is None:
            return sa.true()
        return sa.or_(
            Visit.client_id.in_(access.report_client_ids(self.worker_id)),
            sa.and_(Visit.client_id.is_(None), Visit.worker_id == self.worker_id),
        )

    def _in_period(self, column):
        return sa.and_(column >= self.start, column < self.end)

    def _on_days(self, column):
        return column.between(self.period.date_from, self.period.date_to)

    def _local_month(self, column):
        """"YYYY-MM" of a UTC timestamp in the centre's zone."""
        if self.dialect == "postgresql":
            return sa.func.to_char(sa.func.timezone(centre_zone().key, column), "YYYY-MM")
        # SQLite knows no time zones: the UTC instants where each local month ends
        whens = []
        for key, first in self.period.months():
            next_first = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
            whens.append((column < local_day_bounds(next_first)[0], sa.literal(key)))
        return sa.case(*whens, else_=sa.null())

    def _units(self, minutes_column):
        """Interventions: every started unit of time counts."""
        return (minutes_column + (self.unit_minutes - 1)) // self.unit_minutes

    # --- building blocks -----------------------------------------------------------------------
    @contextmanager
    def contacts_gathered(self):
        """Gather the period's contacts into a temporary table once, so that every figure reads
        them from there instead of searching the visits and appointments again (four queries)."""
        table = sa.Table(
            "report_contact", sa.MetaData(),
            sa.Column("kind", sa.String(12)),
            sa.Column("client_id", sa.Integer),
            sa.Column("worker_id", sa.Integer),
            sa.Column("channel", sa.String(32)),
            sa.Column("form", sa.String(16)),
            sa.Column("minutes", sa.Integer),
            sa.Column("month", sa.String(7)),
            sa.Column("record_id", sa.Integer),
            sa.Column("accompaniment", sa.Integer),
            sa.Column("office_id", sa.Integer),
            sa.Column("interpreter", sa.Integer),
            sa.Column("language", sa.String(3)),
            prefixes=["TEMPORARY"],
            postgresql_on_commit="DROP",
        )
        connection = self.session.connection()
        # SQLite runs DDL outside the transaction, so a rollback may bring back a dropped table
        connection.execute(CreateTable(table, if_not_exists=True))
        connection.execute(table.delete())
        connection.execute(table.insert().from_select([c.name for c in table.columns], self._contact_rows()))
        self._contact = table
        try:
            yield
        finally:
            self._contact = None
        connection.execute(DropTable(table, if_exists=True))  # after an error the caller's rollback removes it

    def contacts(self):
        """Every contact in the period (the gathered table, or the query that gathers it)."""
        if self._contact is not None:
            return self._contact
        return self._contact_rows().subquery("contact")

    def _contact_rows(self):
        """Every contact in the period: visits, and appointments that took place."""
        visits = sa.select(
            sa.literal_column("'visit'").label("kind"),
            Visit.client_id.label("client_id"),
            Visit.worker_id.label("worker_id"),
            sa.type_coerce(Visit.channel, sa.String).label("channel"),
            sa.case(
                (Visit.channel == VisitChannel.FIELD, sa.literal_column("'field'")),
                else_=sa.literal_column("'office'"),
            ).label("form"),
            sa.func.coalesce(Visit.minutes, 0).label("minutes"),
            self._local_month(Visit.occurred_at).label("month"),
            Visit.id.label("record_id"),
            sa.literal_column("0").label("accompaniment"),
            sa.cast(sa.null(), sa.Integer).label("office_id"),
            sa.literal_column("0").label("interpreter"),
            sa.cast(sa.null(), sa.String(3)).label("language"),
        ).where(self._in_period(Visit.occurred_at), self._visit_scope())
        appointments = sa.select(
            sa.literal_column("'appointment'"),
            Appointment.client_id,
            Appointment.worker_id,
            sa.literal_column("'scheduled'"),
            sa.type_coerce(Appointment.format, sa.String),
            Appointment.duration_minutes,
            self._local_month(Appointment.starts_at),
            Appointment.id,
            sa.case((Appointment.purpose == AppointmentPurpose.ACCOMPANIMENT, 1), else_=0),
            Appointment.office_id,
            sa.case((Appointment.interpreter.is_(True), 1), else_=0),
            Appointment.language,
        ).where(
            Appointment.status == AppointmentStatus.ATTENDED,
            self._in_period(Appointment.starts_at),
            self._own(Appointment.client_id),
        )
        return sa.union_all(visits, appointments)

    def served_ids(self):
        """Ids of the clients with at least one contact in the period."""
        contact = self.contacts()
        return sa.select(contact.c.client_id).where(contact.c.client_id.is_not(None))

    def _time_sums(self, contact):
        return (
            sa.func.count().label("count"),
            sa.func.coalesce(sa.func.sum(contact.c.minutes), 0).label("minutes"),
            sa.func.coalesce(sa.func.sum(self._units(contact.c.minutes)), 0).label("units"),
        )

    def _client_age_band(self):
        """The age band of a client at the end of the period (kept as such after anonymisation)."""
        age = self.period.date_to.year - Client.birth_year
        computed = sa.case(
            (Client.birth_year.is_(None), sa.null()),
            (age < 18, sa.literal(AgeBand.UNDER_18.value)),
            (age <= 26, sa.literal(AgeBand.AGE_18_26.value)),
            (age <= 64, sa.literal(AgeBand.AGE_27_64.value)),
            else_=sa.literal(AgeBand.AGE_65_PLUS.value),
        )
        return sa.func.coalesce(sa.type_coerce(Client.age_band, sa.String), computed)

    # --- people --------------------------------------------------------------------------------
    def people(self) -> Table:
        contact = self.contacts()
        figures = {
            "clients_served": sa.select(sa.func.count(sa.distinct(contact.c.client_id)))
            .where(contact.c.client_id.is_not(None)),
            "interested_persons": sa.select(sa.func.count(sa.distinct(Intake.client_id)))
            .where(self._on_days(Intake.held_on), self._own(Intake.client_id)),
            "new_agreements": sa.select(sa.func.count(Agreement.id))
            .where(self._on_days(Agreement.agreed_on), self._own(Agreement.client_id)),
            "ended_agreements": sa.select(sa.func.count(Agreement.id))
            .where(self._on_days(Agreement.ended_on), self._own(Agreement.client_id)),
            "refusals": self._refusals_query(sa.func.count(Intake.id)),
            "anonymous_contacts": sa.select(sa.func.count()).select_from(contact).where(contact.c.client_id.is_(None)),
        }
        row = self.session.execute(sa.select(*(q.scalar_subquery().label(k) for k, q in figures.items()))).one()
        labels = {
            "clients_served": _("Clients served (at least one contact)"),
            "interested_persons": _("Interested persons (intakes held)"),
            "new_agreements": _("New agreements"),
            "ended_agreements": _("Ended agreements"),
            "refusals": _("Intakes ended without agreement (refusals)"),
            "anonymous_contacts": _("Anonymous contacts (without a client record)"),
        }
        rows = [Row(key, labels[key], _int(getattr(row, key))) for key in figures]
        return Table("people", _("Persons and agreements"), rows, count_title=_("Number"), additive=False)

    def agreements_ended(self) -> Table:
        counts = dict(self.session.execute(
            sa.select(Agreement.status, sa.func.count(Agreement.id))
            .where(self._on_days(Agreement.ended_on), self._own(Agreement.client_id))
            .group_by(Agreement.status)
        ).all())
        rows = [Row(s.value, s.title, _int(counts.get(s))) for s in AgreementStatus if s != AgreementStatus.ACTIVE]
        if counts.get(AgreementStatus.ACTIVE):
            rows.append(Row(AgreementStatus.ACTIVE.value, AgreementStatus.ACTIVE.title, _int(counts[AgreementStatus.ACTIVE])))
        return Table("agreements_ended_by_outcome", _("Ended agreements by outcome"), rows, count_title=_("Agreements"))

    def _refusals_query(self, *columns):
        return sa.select(*columns).where(
            self._on_days(Intake.ended_on),
            Intake.agreement_id.is_(None),
            Intake.end_reason.is_not(None),
            self._own(Intake.client_id),
        )

    def refusals(self) -> Table:
        counts = dict(self.session.execute(
            self._refusals_query(Intake.end_reason, sa.func.count(Intake.id)).group_by(Intake.end_reason)
        ).all())
        rows = [Row(r.value, r.title, _int(counts.get(r))) for r in IntakeEndReason]
        return Table("refusals_by_reason", _("Intakes ended without agreement, by reason (refusals)"), rows,
                     count_title=_("Persons"))

    # --- contacts ------------------------------------------------------------------------------
    def contacts_by_kind_and_channel(self) -> tuple[Table, Table]:
        contact = self.contacts()
        result = self.session.execute(
            sa.select(contact.c.kind, contact.c.channel, *self._time_sums(contact))
            .group_by(contact.c.kind, contact.c.channel)
        ).all()
        by_channel: dict[str, list[int]] = {}
        by_kind: dict[str, list[int]] = {}
        for kind, channel, count, minutes, units in result:
            for bucket, key in ((by_channel, channel), (by_kind, kind)):
                sums = bucket.setdefault(key, [0, 0, 0])
                sums[0] += _int(count)
                sums[1] += _int(minutes)
                sums[2] += _int(units)
        channels = [_time_row(c.value, c.title, by_channel.get(c.value)) for c in VisitChannel]
        kinds = [
            _time_row("visits", _("Visits and other contacts"), by_kind.get("visit")),
            _time_row("appointments", _("Appointments attended"), by_kind.get("appointment")),
        ]
        total = [sum(v) for v in zip(*(_time(by_kind.get(k)) for k in ("visit", "appointment")))]
        kinds.append(_time_row("total", _("Total"), total))
        time_columns = ("count", "minutes", "units")
        return (
            Table("contacts_by_channel", _("Contacts by channel"), channels, time_columns, _("Contacts"),
                  note=_("Appointments that took place count as scheduled contacts.")),
            Table("time_spent", _("Time spent"), kinds, time_columns, _("Contacts")),
        )

    def contacts_by_form(self) -> dict[tuple[str, bool], tuple[int, int, int, int]]:
        """(form, anonymous) → (users, contacts, minutes, interventions)."""
        contact = self.contacts()
        anonymous = contact.c.client_id.is_(None)
        result = self.session.execute(
            sa.select(
                contact.c.form, anonymous.label("anonymous"),
                sa.func.count(sa.distinct(contact.c.client_id)), *self._time_sums(contact),
            ).group_by(contact.c.form, anonymous)
        ).all()
        return {(form, bool(anon)): (_int(users), _int(count), _int(minutes), _int(units))
                for form, anon, users, count, minutes, units in result}

    def accompaniments(self) -> Table:
        contact = self.contacts()
        result = self.session.execute(
            sa.select(PublicOffice.code, PublicOffice.name_cs, PublicOffice.name_en, *self._time_sums(contact))
            .select_from(contact)
            .outerjoin(PublicOffice, PublicOffice.id == contact.c.office_id)
            .where(contact.c.accompaniment == 1)
            .group_by(PublicOffice.code, PublicOffice.name_cs, PublicOffice.name_en)
        ).all()
        english = _label_language() == "en"
        rows = [
            Row(code, (name_en if english else name_cs) if code is not None else _("Office not given"),
                _int(count), minutes=_int(minutes), units=_int(units))
            for code, name_cs, name_en, count, minutes, units in result
        ]
        return Table("accompaniments_by_office", _("Accompaniments to public offices"), _sorted(rows),
                     ("count", "minutes", "units"), _("Accompaniments"))

    def interpreters(self) -> Table:
        contact = self.contacts()
        result = self.session.execute(
            sa.select(contact.c.language, sa.func.count(), sa.func.coalesce(sa.func.sum(contact.c.minutes), 0))
            .where(contact.c.interpreter == 1)
            .group_by(contact.c.language)
        ).all()
        rows = [Row(code, codes.language_name(code) or _not_given(), _int(count), minutes=_int(minutes))
                for code, count, minutes in result]
        return Table("interpreters_by_language", _("Appointments with an interpreter, by language"), _sorted(rows),
                     ("count", "minutes"), _("Appointments"))

    # --- attendance ----------------------------------------------------------------------------
    def attendance(self) -> Table:
        counts = dict(self.session.execute(
            sa.select(Appointment.status, sa.func.count(Appointment.id))
            .where(
                Appointment.status != AppointmentStatus.PLANNED,
                self._in_period(Appointment.starts_at),
                self._own(Appointment.client_id),
            )
            .group_by(Appointment.status)
        ).all())
        total = sum(_int(v) for v in counts.values())
        rows = []
        for status in AppointmentStatus:
            if status == AppointmentStatus.PLANNED:
                continue
            count = _int(counts.get(status))
            rows.append(Row(status.value, status.title, count, rate=(count / total) if total else None))
        rows.append(Row("total", _("Total"), total, rate=1.0 if total else None))
        return Table("attendance", _("Attendance of appointments"), rows, ("count", "rate"), _("Appointments"),
                     chart="bars", note=_("Appointments in the period that are no longer planned."))

    # --- breakdowns ----------------------------------------------------------------------------
    def by_month(self) -> Table:
        contact = self.contacts()
        result = {
            month: (_int(count), _int(minutes), _int(units))
            for month, count, minutes, units in self.session.execute(
                sa.select(contact.c.month, *self._time_sums(contact)).group_by(contact.c.month)
            ).all()
        }
        rows = [_time_row(key, formats.month_text(first), result.get(key)) for key, first in self.period.months()]
        return Table("contacts_by_month", _("Contacts by month"), rows, ("count", "minutes", "units"), _("Contacts"),
                     chart="columns")

    def by_worker(self) -> Table:
        contact = self.contacts()
        result = self.session.execute(
            sa.select(Worker.id, Worker.full_name, *self._time_sums(contact))
            .select_from(contact)
            .join(Worker, Worker.id == contact.c.worker_id)
            .group_by(Worker.id, Worker.full_name)
        ).all()
        rows = [Row(wid, name, _int(count), minutes=_int(minutes), units=_int(units))
                for wid, name, count, minutes, units in result]
        return Table("contacts_by_worker", _("Contacts by social worker"), _sorted(rows),
                     ("count", "minutes", "units"), _("Contacts"))

    def by_topic(self) -> Table:
        contact = self.contacts()
        result = self.session.execute(
            sa.select(Topic.code, Topic.label_cs, Topic.label_en, sa.func.count(),
                      sa.func.coalesce(sa.func.sum(contact.c.minutes), 0))
            .select_from(contact)
            .join(visit_topic, visit_topic.c.visit_id == contact.c.record_id)
            .join(Topic, Topic.id == visit_topic.c.topic_id)
            .where(contact.c.kind == "visit")
            .group_by(Topic.code, Topic.label_cs, Topic.label_en)
        ).all()
        english = _label_language() == "en"
        rows = [Row(code, label_en if english else label_cs, _int(count), minutes=_int(minutes))
                for code, label_cs, label_en, count, minutes in result]
        return Table("contacts_by_topic", _("Contacts by topic"), _sorted(rows), ("count", "minutes"), _("Contacts"),
                     chart="bars", note=_("A contact about several topics counts under each of them."))

    def _persons_by(self, client_column, visit_column=None) -> dict[Any, tuple[int, int]]:
        """key → (clients served, anonymous contacts) for one coded attribute."""
        if visit_column is None:
            result = self.session.execute(
                sa.select(client_column, sa.func.count(Client.id))
                .where(Client.id.in_(self.served_ids()))
                .group_by(client_column)
            ).all()
            return {key: (_int(count), 0) for key, count in result}
        clients = sa.select(
            client_column.label("k"), sa.literal_column("1").label("person"), sa.literal_column("0").label("anonymous"),
        ).where(Client.id.in_(self.served_ids()))
        walk_ins = sa.select(visit_column, sa.literal_column("0"), sa.literal_column("1")).where(
            Visit.client_id.is_(None), self._in_period(Visit.occurred_at), self._visit_scope(),
        )
        both = sa.union_all(clients, walk_ins).subquery("person")
        result = self.session.execute(
            sa.select(both.c.k, sa.func.sum(both.c.person), sa.func.sum(both.c.anonymous)).group_by(both.c.k)
        ).all()
        return {key: (_int(persons), _int(anonymous)) for key, persons, anonymous in result}

    def _coded_table(self, key, title, counts, members, with_anonymous, chart=None) -> Table:
        """Rows for every member of a closed list (enum), then "not given"."""
        rows = []
        for member in members:
            persons, anonymous = counts.get(member.value, (0, 0))
            rows.append(Row(member.value, member.title, persons, anonymous=anonymous if with_anonymous else None))
        persons, anonymous = counts.get(None, (0, 0))
        rows.append(Row(None, _not_given(), persons, anonymous=anonymous if with_anonymous else None))
        columns = ("count", "anonymous") if with_anonymous else ("count",)
        return Table(key, title, rows, columns, _("Clients"), chart=chart)

    @staticmethod
    def _values(counts):
        return {getattr(k, "value", k): v for k, v in counts.items()}

    def by_citizenship(self) -> Table:
        counts = self._persons_by(Client.citizenship, Visit.citizenship)
        rows = [Row(code, codes.country_name(code) if code else _not_given(), persons, anonymous=anonymous)
                for code, (persons, anonymous) in counts.items()]
        return Table("clients_by_citizenship", _("Clients served by citizenship"), _sorted(rows),
                     ("count", "anonymous"), _("Clients"), chart="bars")

    def by_residence(self) -> Table:
        counts = self._values(self._persons_by(Client.residence_status))
        return self._coded_table("clients_by_residence_status", _("Clients served by residence status"), counts,
                                 ResidenceStatus, with_anonymous=False)

    def by_sex(self, with_anonymous: bool = True) -> Table:
        if with_anonymous:
            counts = self._persons_by(sa.type_coerce(Client.sex, sa.String), sa.type_coerce(Visit.sex, sa.String))
        else:
            counts = self._values(self._persons_by(Client.sex))
        return self._coded_table("clients_by_sex", _("Clients served by sex"), counts, Sex, with_anonymous)

    def by_age_band(self, with_anonymous: bool = True) -> Table:
        band = self._client_age_band()
        if with_anonymous:
            counts = self._persons_by(band, sa.type_coerce(Visit.age_band, sa.String))
        else:
            inner = sa.select(band.label("k")).where(Client.id.in_(self.served_ids())).subquery("banded")
            counts = {key: (_int(count), 0) for key, count in self.session.execute(
                sa.select(inner.c.k, sa.func.count()).group_by(inner.c.k)
            ).all()}
        table = self._coded_table("clients_by_age_band", _("Clients served by age band"), counts, AgeBand, with_anonymous)
        table.note = _("Age at the end of the period.")
        return table

    def by_district(self) -> Table:
        counts = self._persons_by(Client.district)
        rows = [Row(district, district or _not_given(), persons) for district, (persons, _a) in counts.items()]
        return Table("clients_by_district", _("Clients served by district"), _sorted(rows), ("count",), _("Clients"))

    # --- roadmap -------------------------------------------------------------------------------
    def roadmap(self) -> Table:
        on_time = sa.case(
            (sa.or_(RoadmapTask.due_on.is_(None), RoadmapTask.completed_on <= RoadmapTask.due_on), 1), else_=0,
        )
        result = {
            responsible: (_int(count), _int(in_time))
            for responsible, count, in_time in self.session.execute(
                sa.select(RoadmapTask.responsible, sa.func.count(RoadmapTask.id), sa.func.sum(on_time))
                .join(Agreement, Agreement.id == RoadmapTask.agreement_id)
                .where(
                    RoadmapTask.status == TaskStatus.DONE,
                    self._on_days(RoadmapTask.completed_on),
                    self._own(Agreement.client_id),
                )
                .group_by(RoadmapTask.responsible)
            ).all()
        }
        rows = []
        for responsible in Responsible:
            count, in_time = result.get(responsible, (0, 0))
            rows.append(Row(responsible.value, responsible.title, count, on_time=in_time,
                            rate=(in_time / count) if count else None))
        count, in_time = sum(r.count for r in rows), sum(r.on_time for r in rows)
        rows.append(Row("total", _("Total"), count, on_time=in_time, rate=(in_time / count) if count else None))
        return Table("tasks_done_by_responsible", _("Roadmap tasks completed, by responsible party"), rows,
                     ("count", "on_time", "rate"), _("Tasks done"))

    # --- the annual statement ------------------------------------------------------------------
    def statement_users_total(self) -> Table:
        contact = self.contacts()
        users = self.session.execute(
            sa.select(sa.func.count(sa.distinct(contact.c.client_id))).where(contact.c.client_id.is_not(None))
        ).scalar()
        rows = [Row("users", _("Users in total (each person once)"), _int(users))]
        return Table("statement_users", _("Users"), rows, count_title=_("Number"),
                     note=_("Target group: immigrants and asylum seekers."), additive=False)

    def user_cards(self) -> Table:
        inner = sa.select(
            sa.type_coerce(Client.sex, sa.String).label("sex"),
            self._client_age_band().label("age_band"),
            Client.district.label("district"),
        ).where(Client.id.in_(self.served_ids())).subquery("card")
        result = self.session.execute(
            sa.select(inner.c.sex, inner.c.age_band, inner.c.district, sa.func.count())
            .group_by(inner.c.sex, inner.c.age_band, inner.c.district)
        ).all()
        target = _("Immigrants and asylum seekers")
        rows = []
        for sex, band, district, count in result:
            sex_title = Sex(sex).title if sex else _not_given()
            band_title = AgeBand(band).title if band else _not_given()
            district_title = district or _not_given()
            rows.append(Row(
                "|".join((sex or "", band or "", district or "")),
                ", ".join((sex_title, band_title, district_title)),
                _int(count),
                attrs={"sex": (sex, sex_title), "age_band": (band, band_title), "district": (district, district_title),
                       "target_group": (TARGET_GROUP, target)},
            ))
        return Table(
            "statement_user_cards", _("Anonymised user cards"), _sorted(rows), ("count",), _("Users"),
            attributes=(("sex", _("Sex")), ("age_band", _("Age band")), ("district", _("District")),
                        ("target_group", _("Target group"))),
            note=_("Users with the same sex, age band and district are counted together; no names, codes or contact data."),
        )


# --- tables derived from aggregate rows --------------------------------------------------------

def _time(sums) -> tuple[int, int, int]:
    return tuple(sums) if sums else (0, 0, 0)


def _time_row(key, label, sums) -> Row:
    count, minutes, units = _time(sums)
    return Row(key, label, count, minutes=minutes, units=units)


def _sorted(rows: list[Row]) -> list[Row]:
    """Largest first, then by label in the dictionary order of the language (Česko before Dánsko); "not
    given" last."""
    label_key = codes.sort_key()
    return sorted(rows, key=lambda r: (r.key is None, -(r.count if isinstance(r.count, int) else 0), label_key(r.label)))


def _summary_forms(forms) -> Table:
    rows = []
    for member in AppointmentFormat:
        users = sum(v[0] for (form, anon), v in forms.items() if form == member.value and not anon)
        count, minutes, units = (sum(v[i] for (form, _a), v in forms.items() if form == member.value) for i in (1, 2, 3))
        rows.append(Row(member.value, member.title, count, users=users, minutes=minutes, units=units))
    return Table("contacts_by_form", _("Contacts by form of service"), rows, ("count", "users", "minutes", "units"),
                 _("Contacts"), note=_("Field contacts and appointments in the field are field work; the rest is in-office."))


def _statement_form(forms, member: AppointmentFormat, unit_minutes: int) -> Table:
    users, count, minutes, units = forms.get((member.value, False), (0, 0, 0, 0))
    rows = [
        Row("users", _("Number of users"), users),
        Row("contacts", _("Number of contacts"), count),
        Row("interventions", _("Number of interventions (%(minutes)s min)", minutes=unit_minutes), units),
        Row("minutes", _("Time spent (minutes)"), minutes),
    ]
    if member == AppointmentFormat.OFFICE:
        return Table("statement_office", _("In-office service"), rows, count_title=_("Number"), additive=False)
    return Table("statement_field", _("Field service"), rows, count_title=_("Number"), additive=False)


def _statement_anonymous(forms, unit_minutes: int) -> Table:
    office = forms.get((AppointmentFormat.OFFICE.value, True), (0, 0, 0, 0))
    field_ = forms.get((AppointmentFormat.FIELD.value, True), (0, 0, 0, 0))
    rows = [
        Row("contacts_office", _("Contacts in the office"), office[1]),
        Row("contacts_field", _("Contacts in the field"), field_[1]),
        Row("interventions", _("Number of interventions (%(minutes)s min)", minutes=unit_minutes), office[3] + field_[3]),
        Row("minutes", _("Time spent (minutes)"), office[2] + field_[2]),
    ]
    return Table("statement_anonymous", _("Activities for anonymous users"), rows, count_title=_("Number"),
                 additive=False)


def _refusal_categories(refusals: Table) -> Table:
    by_reason = {row.key: row.count for row in refusals.rows}
    titles = {
        "capacity": _("Refused for lack of capacity"),
        "not_provided": _("Refused: the service does not provide what the applicant asked for"),
        "other": _("Refused for another reason"),
    }
    rows = [Row(key, titles[key], sum(by_reason.get(r.value, 0) for r in reasons)) for key, reasons in REFUSAL_CATEGORIES]
    rows.append(Row("total", _("Refused applicants in total"), sum(r.count for r in rows)))
    return Table("statement_refusals", _("Refused applicants"), rows, count_title=_("Persons"))
