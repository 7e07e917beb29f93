"""SQL statements per page for the pages beyond the lists, forms and start pages
(tests/admin_views/test_query_budget.py): every other record's details and edit pages, the week
calendar and its feed, the client's pages (their history of accesses, the export, the confirmation
pages of anonymising, deleting and merging), the printed roadmap and appointment card in the client's
language, the reports. The models load no related record by default, so a page that shows one per row
loads it with its rows: each page stays within its budget and needs the same number of statements with
twice the data."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Appointment, AuditEvent, Base, Client, DataRequest, WalkInHours, Worker, WorkingHours
from models.enums import AppointmentStatus
from services import calendar, demo
from services.timeutil import to_local
from tests import factories
from tests.conftest import statements_run

#: the most statements each page may take (the signed-in person's session and account included): a
#: record's page 5 as every details and edit page; a worker's week adds their free time (2, as the booking
#: page); an export reads each kind of record the client has once; a confirmation page reads what the
#: operation would change once per kind (anonymising: per client chosen, four here); the reports read
#: each of their tables once
BUDGETS = {
    "data request details": 5, "data request edit form": 5, "audit entry details": 5,
    "walk-in hours edit form": 5, "working hours edit form": 5,
    "week calendar": 5, "week calendar of one worker": 5 + 2, "calendar feed": 3,
    "accesses": 5, "export form": 5, "export json": 15, "export html": 16,
    "anonymise confirmation": 4 * 17, "delete confirmation": 7, "merge: choose": 5, "merge: preview": 20,
    "printed roadmap": 8, "appointment card": 5, "rules": 4, "reports": 22, "statement": 11,
}


def _busiest(db, column, *where):
    return db.session.execute(
        sa.select(column).where(column.is_not(None), *where).group_by(column).order_by(sa.func.count().desc(), column).limit(1)
    ).scalar()


def _pages(db) -> dict[str, tuple]:
    """Each page as (method, address, form data), for the records the data has the most of."""
    last = {model: db.session.execute(sa.select(sa.func.max(model.id))).scalar()
            for model in (DataRequest, AuditEvent, WalkInHours, WorkingHours)}
    busiest = _busiest(db, Appointment.client_id, Appointment.client_id.in_(
        sa.select(Client.id).where(Client.anonymised_at.is_(None), Client.legal_hold.is_(False), Client.merged_into_id.is_(None))))
    db.session.get(Client, busiest).languages = ["uk"]  # the documents in the client's language
    planned = db.session.execute(
        sa.select(Appointment.id).where(Appointment.status == AppointmentStatus.PLANNED)
        .order_by(Appointment.starts_at.desc(), Appointment.id).limit(1)).scalar()
    worker_id = _busiest(db, Appointment.worker_id)
    mondays = Counter(to_local(at).date() - timedelta(days=to_local(at).weekday())
                      for at in db.session.execute(sa.select(Appointment.starts_at)).scalars())
    week = max(sorted(mondays), key=mondays.get)  # the week with the most appointments
    token = calendar.issue_token(db.session, db.session.get(Worker, worker_id))
    others = db.session.execute(sa.select(Client.id).where(Client.id != busiest, Client.anonymised_at.is_(None))
                                .order_by(Client.id).limit(3)).scalars().all()
    duplicate = factories.make_client(last_name=db.session.get(Client, busiest).last_name)  # a record to merge
    db.session.commit()
    name = duplicate.last_name[:5]
    return {
        "data request details": ("GET", f"/admin/data_request/details/?id={last[DataRequest]}", None),
        "data request edit form": ("GET", f"/admin/data_request/edit/?id={last[DataRequest]}", None),
        "audit entry details": ("GET", f"/admin/audit/details/?id={last[AuditEvent]}", None),
        "walk-in hours edit form": ("GET", f"/admin/walkin_hours/edit/?id={last[WalkInHours]}", None),
        "working hours edit form": ("GET", f"/admin/working_hours/edit/?id={last[WorkingHours]}", None),
        "week calendar": ("GET", f"/admin/calendar/?week={week.isoformat()}&worker=all", None),
        "week calendar of one worker": ("GET", f"/admin/calendar/?week={week.isoformat()}&worker={worker_id}", None),
        "calendar feed": ("GET", f"/calendar/{token}.ics", None),
        "accesses": ("GET", f"/admin/client/accesses/?id={busiest}", None),
        "export form": ("GET", f"/admin/client/export/?id={busiest}", None),
        "export json": ("POST", f"/admin/client/export/?id={busiest}", {"format": "json", "lang": "cs"}),
        "export html": ("POST", f"/admin/client/export/?id={busiest}", {"format": "html", "lang": "uk"}),
        "anonymise confirmation": ("GET", f"/admin/client/anonymise/?ids={','.join(map(str, [busiest, *others]))}", None),
        "delete confirmation": ("GET", f"/admin/client/delete-record/?id={busiest}", None),
        "merge: choose": ("GET", f"/admin/client/merge/?id={busiest}&q={name}", None),
        "merge: preview": ("GET", f"/admin/client/merge/?id={duplicate.id}&into={busiest}", None),
        "printed roadmap": ("GET", f"/admin/client/case/roadmap/?id={busiest}", None),
        "appointment card": ("GET", f"/admin/appointment/card/?id={planned}", None),
        "rules": ("GET", "/admin/client/rules/?lang=uk", None),
        "reports": ("GET", "/admin/reports/", None),
        "statement": ("GET", "/admin/reports/statement/", None),
    }


def _measure(client, db) -> dict[str, int]:
    out = {}
    for page, (method, url, data) in _pages(db).items():
        responses = []

        def run():
            responses.append(client.open(url, method=method, data=data))

        out[page] = len(statements_run(run))
        assert responses[0].status_code == 200, (page, responses[0].status_code)
    return out


@pytest.mark.usefixtures("not_at_midnight")
def test_every_other_page_stays_within_budget_and_constant(client, db, login_as):
    login_as("manager", "worker", "admin")
    demo.seed(db.session, clients=30, seed=11)
    db.session.commit()
    _measure(client, db)  # once per process: whether the database has SQLite's search indexes
    small = _measure(client, db)
    demo.seed(db.session, clients=60, seed=12)
    db.session.commit()
    large = _measure(client, db)
    assert small == large  # the same number of statements, whatever the amount of data
    assert {page: n for page, n in large.items() if n > BUDGETS[page]} == {}


def test_no_relationship_is_loaded_unless_a_query_asks_for_it():
    """Every relationship loads lazily (SQLAlchemy's default): a joined default came along with every
    query of its model, and most queries had to undo it."""
    eager = [f"{mapper.class_.__name__}.{relation.key}: {relation.lazy}"
             for mapper in Base.registry.mappers for relation in mapper.relationships if relation.lazy != "select"]
    assert eager == []
