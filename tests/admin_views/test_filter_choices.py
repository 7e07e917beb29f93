"""The lists' filters offer staff, offices and topics read from the database: kept for a while per
process (admin_views.fragments.CHOICES_TTL), and read afresh as soon as this process changes one."""
from __future__ import annotations

import json
import re

import sqlalchemy as sa

from admin_views import fragments
from tests import factories


def _filter_choices(client, url="/admin/appointment/") -> dict[str, list]:
    html = client.get(url).get_data(as_text=True)
    data = json.loads(re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1))
    return {name: [label for entry in entries for _key, label in (entry["options"] or [])] for name, entries in data.items()}


def _count_queries(db, fn) -> int:
    seen = []
    listener = lambda *args, **kwargs: seen.append(1)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_new_worker_office_or_topic_is_offered_at_once(client, db, login_as):
    login_as("manager", "worker")
    factories.make_worker(full_name="Alena Dvořáková")
    db.session.commit()
    staff = next(labels for labels in _filter_choices(client).values() if "Alena Dvořáková" in labels)
    factories.make_worker(full_name="Bohdana Černá")
    db.session.commit()
    assert "Bohdana Černá" not in staff
    assert any("Bohdana Černá" in labels for labels in _filter_choices(client).values())
    office = factories.make_office(name_cs="Úřad práce Kladno")
    db.session.commit()
    assert any("Úřad práce Kladno" in labels for labels in _filter_choices(client).values())
    office.name_cs = "Úřad práce Kladno-Kročehlavy"
    db.session.commit()
    assert any("Úřad práce Kladno-Kročehlavy" in labels for labels in _filter_choices(client).values())


def test_choices_are_read_once_and_then_kept(client, db, login_as, monkeypatch):
    login_as("manager", "worker")
    factories.make_worker(full_name="Cyril Malý")
    db.session.commit()
    first = _count_queries(db, lambda: client.get("/admin/appointment/"))
    again = _count_queries(db, lambda: client.get("/admin/appointment/"))
    assert again == first - 2  # the staff and the offices are not read again
    monkeypatch.setattr(fragments, "CHOICES_TTL", 0.0)  # past their time: read again
    assert _count_queries(db, lambda: client.get("/admin/appointment/")) == first


def test_a_change_rolled_back_is_not_offered(app, db):
    """Choices read inside a transaction that changed a worker are dropped when it ends: a rename read
    before a rollback is never offered afterwards."""
    from models import Worker

    worker = factories.make_worker(full_name="Dana Veselá")
    db.session.commit()

    def names():
        return fragments.kept(("test", "staff"), lambda: [w.full_name for w in db.session.query(Worker)])

    with app.test_request_context("/"):
        assert "Dana Veselá" in names()
        worker.full_name = "Never Committed"
        db.session.flush()
        assert "Never Committed" in names()  # read within the transaction that made it
        db.session.rollback()
        assert "Never Committed" not in names() and "Dana Veselá" in names()


def test_the_filter_menus_data_is_the_json_of_the_filter_groups(app, client, db, login_as):
    """The list's filter data, encoded once while the choices are kept, is ``filter_groups|tojson``,
    and follows a change of the choices."""
    login_as("manager", "worker")
    for screen in ("appointment", "client", "visit", "task"):
        for _ in range(2):
            html = client.get(f"/admin/{screen}/").data.decode()
            view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == screen)
            with app.test_request_context(f"/admin/{screen}/"):
                expected = app.jinja_env.from_string("{{ groups|tojson|safe }}").render(groups=view._get_filter_groups())
            shown = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1)
            assert shown == expected, screen
    factories.make_worker(full_name="Nová Pracovnice")
    db.session.commit()
    html = client.get("/admin/appointment/").data.decode()
    data = json.loads(re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1))
    assert any("Nová Pracovnice" in label for entries in data.values() for entry in entries
               for _, label in entry["options"] or ())
