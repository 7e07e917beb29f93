"""The roadmap in the case file over HTTP: add, change, finish and reorder a task; the task list."""
from __future__ import annotations

import html
import re
from datetime import date

from models import RoadmapTask
from models.enums import Responsible, TaskStatus
from tests import factories


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _own_case(db, me, tasks=("První úkol", "Druhý úkol")):
    person = factories.make_client(worker=me)
    agreement = factories.make_agreement(client=person, worker=me)
    made = [factories.make_task(agreement=agreement, description=d, position=n + 1) for n, d in enumerate(tasks)]
    db.session.commit()
    return person, agreement, made


def test_add_a_task_from_the_case_file_and_come_back_to_it(client, db, login_as):
    me = login_as("worker")
    person, agreement, _tasks = _own_case(db, me)
    case = _text(client.get(f"/admin/client/case/?id={person.id}"))
    assert f"/admin/client/case/task/new/?id={person.id}" in case
    form = _text(client.get(f"/admin/client/case/task/new/?id={person.id}"))
    for name in ("description", "responsible", "due_on"):
        assert f'name="{name}"' in form
    response = client.post(f"/admin/client/case/task/new/?id={person.id}", data={
        "description": "Zajít na úřad práce", "responsible": "both", "due_on": "2030-02-01"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/client/case/?id={person.id}#case-roadmap")
    task = db.session.query(RoadmapTask).filter_by(description="Zajít na úřad práce").one()
    assert task.responsible == Responsible.BOTH and task.due_on == date(2030, 2, 1) and task.position == 3
    assert "Zajít na úřad práce" in _text(client.get(f"/admin/client/case/?id={person.id}"))


def test_a_refused_task_keeps_what_was_typed(client, db, login_as):
    me = login_as("worker")
    person, _agreement, _tasks = _own_case(db, me)
    response = client.post(f"/admin/client/case/task/new/?id={person.id}", data={
        "description": "   ", "responsible": "worker", "due_on": "2030-13-45"})
    page = _text(response)
    assert response.status_code == 200 and 'value="2030-13-45"' in page
    assert db.session.query(RoadmapTask).count() == 2


def test_change_finish_and_reorder_a_task(client, db, login_as):
    me = login_as("worker")
    person, _agreement, (first, second) = _own_case(db, me)
    form = _text(client.get(f"/admin/client/case/task/edit/?id={person.id}&task={first.id}"))
    assert "První úkol" in form
    assert re.search(r'<input[^>]*(checked[^>]*value="client"|value="client"[^>]*checked)', form)  # who does it, as stored
    assert client.post(f"/admin/client/case/task/edit/?id={person.id}&task={first.id}", data={
        "description": "První úkol, upravený", "responsible": "worker", "due_on": ""}).status_code == 302
    db.session.refresh(first)
    assert first.description == "První úkol, upravený" and first.responsible == Responsible.WORKER and first.due_on is None
    # not done needs the reason: the form comes back with it marked
    page = _text(client.post(f"/admin/client/case/task/done/?id={person.id}&task={second.id}",
                             data={"status": "not_done", "outcome": ""}))
    assert 'name="outcome"' in page and db.session.get(RoadmapTask, second.id).status == TaskStatus.OPEN
    assert client.post(f"/admin/client/case/task/done/?id={person.id}&task={second.id}",
                       data={"status": "done", "outcome": "Hotovo s paní Novou"}).status_code == 302
    db.session.refresh(second)
    assert second.status == TaskStatus.DONE and second.outcome == "Hotovo s paní Novou" and second.completed_on
    # reorder: both the client's now? the first is the worker's; make a third of the client's and move it up
    third = factories.make_task(agreement=second.agreement, description="Třetí", position=3)
    db.session.commit()
    assert client.post(f"/admin/client/case/task/move/?id={person.id}&task={third.id}",
                       data={"direction": "up"}).status_code == 302
    db.session.refresh(third)
    db.session.refresh(second)
    assert third.position < second.position


def test_another_workers_client_and_a_task_of_another_case_are_refused(client, db, login_as):
    me = login_as("worker")
    colleague = factories.make_worker()
    theirs, _agreement, (their_task, _b) = _own_case(db, colleague)
    mine, _mine, _tasks = _own_case(db, me)
    assert client.get(f"/admin/client/case/task/new/?id={theirs.id}").status_code == 403
    assert client.post(f"/admin/client/case/task/move/?id={theirs.id}&task={their_task.id}",
                       data={"direction": "up"}).status_code == 403
    # my client, their task: not found
    assert client.get(f"/admin/client/case/task/edit/?id={mine.id}&task={their_task.id}").status_code == 404
    assert client.get(f"/admin/client/case/task/edit/?id={mine.id}&task=abc").status_code == 404
    case = _text(client.get(f"/admin/client/case/?id={theirs.id}"))
    assert "/case/task/new/" not in case


def test_the_task_list_shows_the_text_and_the_client_searchable_and_sorted_by_due_date(client, db, login_as):
    me = login_as("worker")
    person, agreement, _tasks = _own_case(db, me, tasks=())
    factories.make_task(agreement=agreement, description="Později", due_on=date(2030, 5, 1))
    factories.make_task(agreement=agreement, description="Dříve", due_on=date(2030, 4, 1))
    other = factories.make_client(worker=me, last_name="Jinačí")
    factories.make_task(agreement=factories.make_agreement(client=other, worker=me), description="Cizí klient")
    db.session.commit()
    page = _text(client.get("/admin/task/"))
    assert page.index("Dříve") < page.index("Později") and person.code in page
    found = _text(client.get(f"/admin/task/?search={person.last_name}"))
    assert "Dříve" in found and "Cizí klient" not in found
    assert "Cizí klient" in _text(client.get("/admin/task/?search=Jinačí"))


def test_a_managers_task_list_shows_no_task_text(client, db, login_as):
    login_as("manager")
    worker = factories.make_worker()
    person, _agreement, _tasks = _own_case(db, worker, tasks=("Důvěrný úkol",))
    page = _text(client.get("/admin/task/"))
    assert person.code in page and "Důvěrný úkol" not in page
