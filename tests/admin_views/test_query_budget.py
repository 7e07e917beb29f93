"""SQL queries per page stay within budget and do not grow with the data or the page size."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from models import Agreement, Appointment, Client, Intake, RoadmapTask, Visit
from services import demo
from tests import factories

LIST_SCREENS = ["client", "intake", "agreement", "task", "appointment", "visit", "data_request", "audit"]
FORMS = {"client": Client, "appointment": Appointment, "agreement": Agreement, "task": RoadmapTask, "visit": Visit, "intake": Intake}


@pytest.fixture()
def counter(app, db):
    state = {"n": 0}

    def count(*args, **kwargs):
        state["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield state
    sa.event.remove(db.engine, "before_cursor_execute", count)


def _queries(client, counter, url):
    counter["n"] = 0
    response = client.get(url)
    assert response.status_code == 200, url
    return counter["n"]


def _measure(client, counter, db):
    ids = {name: db.session.execute(sa.select(sa.func.max(model.id))).scalar() for name, model in FORMS.items()}
    out = {}
    for screen in LIST_SCREENS:
        for size in (25, 100):
            out[f"{screen} list ×{size}"] = _queries(client, counter, f"/admin/{screen}/?page_size={size}")
        # the last page the pager offers (its rows come with the count), and a page past the end by URL
        shown = re.search(r"\((\d+)\)</a>", client.get(f"/admin/{screen}/").get_data(as_text=True))
        last = max(0, (int(shown.group(1)) - 1) // 25) if shown else 0
        out[f"{screen} deep page"] = _queries(client, counter, f"/admin/{screen}/?page={last}")
        out[f"{screen} past the end"] = _queries(client, counter, f"/admin/{screen}/?page=9999")
    for name in FORMS:
        out[f"{name} edit form"] = _queries(client, counter, f"/admin/{name}/edit/?id={ids[name]}")
        out[f"{name} new form"] = _queries(client, counter, f"/admin/{name}/new/")
        out[f"{name} details"] = _queries(client, counter, f"/admin/{name}/details/?id={ids[name]}")
    busiest = db.session.execute(
        sa.select(Appointment.client_id).group_by(Appointment.client_id).order_by(sa.func.count().desc(), Appointment.client_id).limit(1)
    ).scalar()
    out["case file"] = _queries(client, counter, f"/admin/client/case/?id={busiest}")
    out["case file, page 2"] = _queries(client, counter, f"/admin/client/case/?id={busiest}&page=2")
    out["start page"] = _queries(client, counter, "/admin/")
    return out


def test_query_counts_are_within_budget_and_constant(client, db, login_as, counter, monkeypatch):
    login_as("manager", "worker")
    demo.seed(db.session, clients=30, seed=5)
    db.session.commit()
    small = _measure(client, counter, db)
    demo.seed(db.session, clients=60, seed=6)
    db.session.commit()
    large = _measure(client, counter, db)
    assert small == large  # the same number of queries, whatever the amount of data
    # the performance issue's budgets: 5 per list, form and details page, 10 per start page
    def budget(page):
        return 10 if page == "start page" else 5

    over = {page: n for page, n in large.items() if n > budget(page)}
    assert over == {}


def test_list_pages_read_only_the_columns_they_show(app, client, db, login_as, counter):
    """An appointment page reads no notes, evaluations or next steps (it shows none), and of the
    joined worker no password hash or two-factor key; the client list reads the name it shows."""
    statements = []

    def grab(conn, cursor, statement, *args):
        statements.append(statement)

    login_as("manager", "worker")
    demo.seed(db.session, clients=10, seed=7)
    db.session.commit()
    sa.event.listen(db.engine, "before_cursor_execute", grab)
    try:
        appointments = client.get("/admin/appointment/").get_data(as_text=True)
        page = next(s for s in statements if s.startswith("SELECT appointment.id"))
        statements.clear()
        clients = client.get("/admin/client/").get_data(as_text=True)
        client_page = next(s for s in statements if s.startswith("SELECT client.id"))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", grab)
    assert "appointment.starts_at" in page and "appointment.status" in page
    for column in ("appointment.notes", "appointment.evaluation", "appointment.next_steps",
                   "password_hash", "totp_secret", "client_1.email", "client_1.phone"):
        assert column not in page, column
    assert 'class="col-client"' in appointments and "client.last_name" in client_page and "client.email" not in client_page
    shown = db.session.execute(sa.select(Client).order_by(Client.created_at.desc(), Client.id.desc()).limit(1)).scalar()
    assert shown.display_name in clients


@pytest.mark.parametrize("roles", [("reception",), ("worker",), ("manager",), ("manager", "worker"), ("admin",)])
def test_each_roles_start_page_and_lists_stay_within_budget(client, db, login_as, counter, monkeypatch, roles):
    """Each role's start page (the reception desk with today's appointments and a lookup, a worker's
    day, a manager's load per worker, an admin's) at most 10 queries, and the lists a role opens at
    most 5, the same with twice the data."""
    from services.dashboard import DESK_LIMIT

    me = login_as(*roles)
    pages = ["/admin/", "/admin/?q=Kov", "/admin/?q=777 12"] + [
        f"/admin/{screen}/" for screen in ("client", "appointment", "visit") if "admin" not in roles]

    def measure():
        today = datetime.now(timezone.utc)
        for _ in range(3):  # appointments on today's desk, some of them the signed-in worker's; visits
            factories.make_appointment(worker=me if "worker" in roles else None, starts_at=today)
            factories.make_visit(worker=me if "worker" in roles else None)
        db.session.commit()
        return {page: _queries(client, counter, page) for page in pages}

    demo.seed(db.session, clients=20, seed=8)
    for page in pages:  # once per process: whether the database has SQLite's search indexes
        client.get(page)
    small = measure()
    demo.seed(db.session, clients=40, seed=9)
    large = measure()
    assert small == large
    assert {page: n for page, n in large.items() if n > (10 if page.startswith("/admin/?") or page == "/admin/" else 5)} == {}
    assert DESK_LIMIT <= 300  # the desk's rows are bounded (tests/admin_views/test_reception.py: its size)
