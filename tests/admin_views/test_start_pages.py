"""Start pages as a real centre uses them (issue 19): a worker's clients by name, no manager covering for
themselves, and the next working day's appointments when today has none."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

import pytest

from models.enums import ClientStatus, Role
from services import cover, dashboard
from services.timeutil import local_now, local_to_utc
from tests import factories

#: a Saturday at 10:00 in Prague, and the Monday after it
SATURDAY = local_to_utc(datetime(2030, 3, 9, 10, 0))
MONDAY = date(2030, 3, 11)


def _text(response):
    return response.get_data(as_text=True)


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


@pytest.fixture()
def on_saturday(monkeypatch):
    """The start page's clock only (not the session's): a Saturday with nothing booked."""
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: SATURDAY))
    return SATURDAY


def test_a_workers_start_page_names_their_clients(client, db, login_as, not_at_midnight):
    me = login_as("worker")
    booked = factories.make_client(worker=me, first_name="Olena", last_name="Melnyková")
    factories.make_appointment(client=booked, worker=me, starts_at=datetime.now(timezone.utc) + timedelta(minutes=5))
    late = factories.make_client(worker=me, first_name="Oleksandr", last_name="Melnyk")
    agreement = factories.make_agreement(client=late, worker=me)
    factories.make_task(agreement=agreement, due_on=local_now().date() - timedelta(days=3))
    walked_in = factories.make_client(worker=me, first_name="Ahmad", last_name="Rahimi")
    factories.make_visit(client=walked_in, worker=me)
    db.session.commit()
    page = _text(client.get("/admin/"))
    week, overdue, since = (_section(page, id_) for id_ in ("week-heading", "overdue-heading", "since-heading"))
    assert f"{booked.code}</a> Olena Melnyková" in week
    assert f"{late.code}</a> Oleksandr Melnyk" in overdue
    assert f"{walked_in.code}</a> Ahmad Rahimi" in since


def test_the_visit_list_names_the_client_and_an_anonymous_one_stays_anonymous(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me, first_name="Oleksandr", last_name="Melnyk")
    hidden = factories.make_client(worker=me, is_anonymous=True, first_name=None, last_name=None, alias="Pan T.")
    factories.make_visit(client=person, worker=me)
    factories.make_visit(client=hidden, worker=me)
    factories.make_visit(worker=me, anonymous=True, citizenship="UA")
    db.session.commit()
    page = _text(client.get("/admin/visit/"))
    assert re.search(rf">{person.code}</a> Oleksandr Melnyk", page)
    assert re.search(rf">{hidden.code}</a> Pan T\.", page)
    for screen in ("intake", "agreement"):
        assert client.get(f"/admin/{screen}/").status_code == 200


def test_a_managers_start_page_does_not_list_the_manager_covering_for_themselves(client, db, login_as):
    me = login_as("manager", "worker")
    colleague = factories.make_worker(full_name="Lucie Kučerová")
    mine = factories.make_client(worker=colleague, first_name="Nadija", last_name="Karimová")
    db.session.commit()
    cover.grant_cover(db.session, me, mine, "Kolegyně je nemocná, klientka přišla naléhavě.")
    mine.worker = me  # then the manager took the client over
    other = factories.make_client(worker=me, first_name="Iryna", last_name="Hordijenko")
    db.session.commit()
    cover.grant_cover(db.session, colleague, other, "Jsem na školení, klientka volala kvůli lhůtě.")
    db.session.commit()
    page = _text(client.get("/admin/"))
    since = _section(page, "since-heading")
    assert "Lucie Kučerová" in since and other.code in since
    assert mine.code not in since and me.full_name not in since


def test_on_a_weekend_each_start_page_shows_the_next_working_day(client, db, login_as, on_saturday):
    worker = factories.make_worker(full_name="Petra Svobodová")
    person = factories.make_client(worker=worker, first_name="Olena", last_name="Bondarenko")
    monday_9 = local_to_utc(datetime.combine(MONDAY, time(9, 0)))
    factories.make_appointment(client=person, worker=worker, starts_at=monday_9)
    factories.make_appointment(client=person, worker=worker, starts_at=monday_9 + timedelta(days=1))  # Tuesday
    db.session.commit()

    login_as("reception")
    page = _text(client.get("/admin/"))
    desk = _section(page, "today-heading")
    assert "Dnes nejsou žádné schůzky." in desk
    assert "pondělí 11. 3. 2030" in desk and person.code in desk and "9:00" in desk
    assert desk.count(f"{person.code}</a>") == 1  # Monday only, not Tuesday
    client.post("/logout")

    from models import Worker
    from extensions import db as _db

    me = _db.session.get(Worker, worker.id)
    me.set_password("correct horse battery staple")
    me.roles = [Role.WORKER.value, Role.MANAGER.value]
    db.session.commit()
    assert client.post("/login", data={"email": me.email, "password": "correct horse battery staple"}).status_code == 302
    page = _text(client.get("/admin/"))
    week = _section(page, "week-heading")
    assert "pondělí 11. 3. 2030" in week and f"{person.code}</a> Olena Bondarenko" in week
    load = _section(page, "load-heading")
    assert "pondělí 11. 3. 2030" in load and "Petra Svobodová" in load
