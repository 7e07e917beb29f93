"""A small hand-built world for the report tests: March 2025 in Prague (summer time starts on the
30th), two social workers, seven people, contacts on both sides of the period's edges.

The expected figures are written out in the tests that use it; the comments here say which
record should count where.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from extensions import db
from models.enums import (
    AgeBand, AgreementStatus, AppointmentFormat, AppointmentPlace, AppointmentPurpose, AppointmentStatus,
    ClientStatus, IntakeEndReason, ResidenceStatus, Responsible, Sex, TaskStatus, VisitChannel,
)
from services.timeutil import local_to_utc
from tests import factories

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
FORMULA_DISTRICT = '=HYPERLINK("http://example.org","x")'


def local(*parts) -> datetime:
    """A wall-clock time in Prague as aware UTC."""
    return local_to_utc(datetime(*parts))


def build(password: str | None = None) -> SimpleNamespace:
    w = SimpleNamespace()
    extra = {"password": password} if password else {}
    w.anna = factories.make_worker(full_name="Anna Worker", **extra)
    w.boris = factories.make_worker(full_name="Boris Worker", **extra)
    w.residence = factories.make_topic(code="residence", label_cs="Pobyt", label_en="Residence")
    w.employment = factories.make_topic(code="employment", label_cs="Zaměstnání", label_en="Employment")
    w.police = factories.make_office(code="foreign_police", name_cs="Cizinecká policie", name_en="Foreign police")

    # clients (names and phones are set so the tests can prove they never appear)
    w.c1 = factories.make_client(worker=w.anna, first_name="Olena", last_name="Secretname", phone="+420 777 111 222",
                                 email="olena@example.org", citizenship="UA", sex=Sex.FEMALE, birth_year=1990,
                                 district="Praha", residence_status=ResidenceStatus.LONG_TERM)
    w.c2 = factories.make_client(worker=w.anna, first_name="Van", last_name="Hiddenname", citizenship="VN",
                                 sex=Sex.MALE, birth_year=2000, district="Brno-město",
                                 residence_status=ResidenceStatus.PERMANENT)
    w.c3 = factories.make_client(worker=w.boris, citizenship="UA", sex=Sex.FEMALE, birth_year=None,
                                 district=FORMULA_DISTRICT)
    # anonymised: only coded fields are left, and it still counts
    w.c4 = factories.make_client(worker=w.boris, status=ClientStatus.CLOSED,
                                 citizenship="RU", sex=Sex.MALE, birth_year=None, age_band=AgeBand.AGE_65_PLUS,
                                 district=None)  # anonymised below, after its records (as it happens)
    w.c5 = factories.make_client(status=ClientStatus.INTERESTED, citizenship="UA")
    w.c6 = factories.make_client(status=ClientStatus.INTERESTED, citizenship="SY")
    w.c7 = factories.make_client(worker=w.anna, citizenship="MN", sex=Sex.FEMALE, birth_year=1980, district="Kladno")

    # visits: seven in March, two just outside it
    visit = factories.make_visit
    visit(client=w.c1, worker=w.anna, channel=VisitChannel.WALK_IN, minutes=20, occurred_at=local(2025, 3, 3, 10),
          topics=[w.residence])
    visit(client=w.c1, worker=w.anna, channel=VisitChannel.PHONE, minutes=10, occurred_at=local(2025, 3, 10, 9),
          topics=[w.residence, w.employment])
    visit(client=w.c2, worker=w.anna, channel=VisitChannel.EMAIL, minutes=None, occurred_at=local(2025, 3, 31, 23, 30))
    visit(client=w.c3, worker=w.boris, channel=VisitChannel.FIELD, minutes=45, occurred_at=local(2025, 3, 15, 11),
          topics=[w.employment])
    visit(anonymous=True, worker=w.boris, channel=VisitChannel.WALK_IN, minutes=15, occurred_at=local(2025, 3, 20, 14),
          citizenship="SY", sex=Sex.MALE, age_band=AgeBand.AGE_18_26, topics=[w.residence])
    visit(anonymous=True, worker=w.anna, channel=VisitChannel.FIELD, minutes=30, occurred_at=local(2025, 3, 21, 10),
          citizenship="UA", sex=Sex.FEMALE)
    visit(client=w.c4, worker=w.boris, channel=VisitChannel.WALK_IN, minutes=20, occurred_at=local(2025, 3, 5, 10))
    visit(client=w.c1, worker=w.anna, channel=VisitChannel.WALK_IN, minutes=60, occurred_at=local(2025, 2, 28, 23, 30))
    visit(client=w.c2, worker=w.anna, channel=VisitChannel.WALK_IN, minutes=60, occurred_at=local(2025, 4, 1, 0, 30))

    # appointments: three attended, three that did not take place, one still planned, one in February
    appt = factories.make_appointment
    appt(client=w.c1, worker=w.anna, starts_at=local(2025, 3, 4, 10), duration_minutes=60, status=AppointmentStatus.ATTENDED,
         interpreter=True, language="uk")
    appt(client=w.c2, worker=w.anna, starts_at=local(2025, 3, 12, 9), duration_minutes=90, status=AppointmentStatus.ATTENDED,
         format=AppointmentFormat.FIELD, place=AppointmentPlace.PUBLIC_OFFICE, office=w.police,
         purpose=AppointmentPurpose.ACCOMPANIMENT)
    appt(client=w.c3, worker=w.boris, starts_at=local(2025, 3, 13, 9), duration_minutes=45, status=AppointmentStatus.ATTENDED,
         interpreter=True, language="uk")
    appt(client=w.c1, worker=w.anna, starts_at=local(2025, 3, 18, 9), status=AppointmentStatus.NO_SHOW)
    appt(client=w.c2, worker=w.anna, starts_at=local(2025, 3, 19, 9), status=AppointmentStatus.CANCELLED_PHONE)
    appt(client=w.c3, worker=w.boris, starts_at=local(2025, 3, 20, 9), status=AppointmentStatus.CANCELLED_CENTRE)
    appt(client=w.c3, worker=w.boris, starts_at=local(2025, 3, 28, 9), status=AppointmentStatus.PLANNED)
    appt(client=w.c7, worker=w.anna, starts_at=local(2025, 2, 20, 9), status=AppointmentStatus.ATTENDED)

    # agreements: two new in March, one ended in March, one ended in April
    w.ag1 = factories.make_agreement(client=w.c1, worker=w.anna, agreed_on=date(2025, 1, 10))
    w.ag2 = factories.make_agreement(client=w.c2, worker=w.anna, agreed_on=date(2025, 3, 2))
    w.ag3 = factories.make_agreement(client=w.c3, worker=w.boris, agreed_on=date(2025, 3, 14))
    factories.make_agreement(client=w.c4, worker=w.boris, agreed_on=date(2024, 6, 1), status=AgreementStatus.GOAL_ACHIEVED,
                             ended_on=date(2025, 3, 25))
    factories.make_agreement(client=w.c7, worker=w.anna, agreed_on=date(2024, 12, 1),
                             status=AgreementStatus.ENDED_NO_CONTACT, ended_on=date(2025, 4, 2))

    # intakes: three held in March, two of them refused
    factories.make_intake(client=w.c2, worker=w.anna, held_on=date(2025, 3, 2), agreement=w.ag2)
    factories.make_intake(client=w.c5, worker=w.anna, held_on=date(2025, 3, 5), ended_on=date(2025, 3, 5),
                          end_reason=IntakeEndReason.CAPACITY)
    factories.make_intake(client=w.c6, worker=w.boris, held_on=date(2025, 3, 6), ended_on=date(2025, 3, 7),
                          end_reason=IntakeEndReason.TRANSLATION_ONLY)

    # roadmap: three tasks done in March (two on time), one open, one done in February
    task = factories.make_task
    task(agreement=w.ag1, responsible=Responsible.CLIENT, status=TaskStatus.DONE, due_on=date(2025, 3, 10),
         completed_on=date(2025, 3, 8))
    task(agreement=w.ag1, responsible=Responsible.WORKER, status=TaskStatus.DONE, due_on=date(2025, 3, 5),
         completed_on=date(2025, 3, 12))
    task(agreement=w.ag2, responsible=Responsible.CLIENT, status=TaskStatus.DONE, due_on=None, completed_on=date(2025, 3, 20))
    task(agreement=w.ag3, responsible=Responsible.BOTH, status=TaskStatus.OPEN)
    task(agreement=w.ag3, responsible=Responsible.WORKER, status=TaskStatus.DONE, due_on=date(2025, 2, 20),
         completed_on=date(2025, 2, 27))
    w.c4.anonymised_at = datetime(2025, 4, 1, tzinfo=timezone.utc)
    db.session.flush()
    return w


def figures(report) -> dict:
    """{table key: {row key: {column: value}}} of a report, for comparisons."""
    return {t.key: {r.key: {c: r.value(c) for c in t.columns} for r in t.rows} for t in report.tables()}


# --- reading the same figures back from a page, a JSON export and an XLSX file ------------------

NUMERIC = ("count", "users", "anonymous", "minutes", "units", "on_time")


def _key(value) -> str:
    return "" if value is None else str(value)


def _number(text):
    if isinstance(text, (int, float)) or text is None:
        return text
    clean = text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").strip()
    return int(clean) if clean.isdigit() else (None if clean in ("", "–") else clean)


def json_figures(tables: dict) -> dict:
    """{table: {row key as text: {column: value}}} of the numeric columns of a JSON export."""
    return {
        key: {_key(row["key"]): {c: row[c] for c in NUMERIC if c in row} for row in rows}
        for key, rows in tables.items()
    }


def page_figures(html: str) -> dict:
    """The same shape, read from the tables of a report page (data-table, data-key, data-column)."""
    from html.parser import HTMLParser

    result: dict = {}

    class Parser(HTMLParser):
        table = row = column = None
        text = ""

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table" and "data-table" in attrs:
                self.table = result.setdefault(attrs["data-table"], {})
            elif tag == "tr" and self.table is not None and "data-key" in attrs:
                self.row = self.table.setdefault(attrs["data-key"], {})
            elif tag == "td" and self.row is not None and attrs.get("data-column") in NUMERIC:
                self.column, self.text = attrs["data-column"], ""

        def handle_data(self, data):
            if self.column:
                self.text += data

        def handle_endtag(self, tag):
            if tag == "td" and self.column:
                self.row[self.column] = _number(self.text)
                self.column = None
            elif tag == "tr":
                self.row = None
            elif tag == "table":
                self.table = None

    Parser().feed(html)
    return result


def xlsx_figures(data: bytes, tables: dict) -> dict:
    """The same shape, read from an XLSX export with openpyxl. Its blocks (a title row, a header
    row, the rows) come in the order of ``tables`` (the JSON export's), which also names the columns."""
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(data))
    rows = [[c.value for c in row] + [None, None] for sheet in workbook for row in sheet.iter_rows()]
    filled = [len([v for v in row if v is not None]) for row in rows]
    blocks, i = [], 0
    while i < len(rows):
        if filled[i] == 1 and i + 1 < len(rows) and filled[i + 1] > 1 and rows[i + 1][1] is not None:
            i += 2
            body = []
            while i < len(rows) and rows[i][1] is not None:
                body.append(rows[i])
                i += 1
            blocks.append(body)
        else:
            i += 1
    assert len(blocks) == len(tables), (len(blocks), len(tables))
    result = {}
    for (key, json_rows), body in zip(tables.items(), blocks):
        assert len(body) == len(json_rows), key
        figures = result[key] = {}
        for json_row, cells in zip(json_rows, body):
            columns = [c for c in json_row if c not in ("key", "label")]
            mapped = dict(zip(columns, cells[2:]))
            key_text = _key(cells[0])
            if key_text[:1] == "'" and key_text[1:2] in ("=", "+", "-", "@"):
                key_text = key_text[1:]  # the escape of a formula-like text
            figures[key_text] = {c: _number(mapped[c]) for c in NUMERIC if c in mapped}
    return result
