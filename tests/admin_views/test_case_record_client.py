"""A case record stays with the client it was created for: the matrix of every case-record screen ×
every role that works with cases × (own client, colleague's client, another worker's record).

The reproduction: a worker opened a colleague's appointment (its notes hidden from them), set
``client`` to one of their own clients and saved; their own client's details then showed the
colleague's notes. The reverse moved a worker's own record, with new text, onto a colleague's client.
Reception could do the same. Now the edit forms show the client greyed out, and a POST that changes
it anyway is refused with a message and recorded as a refused write, whoever sends it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, Intake, RoadmapTask, Visit
from models.enums import AuditAction, Role
from tests import factories
from tests.conftest import count_rows
from services.timeutil import local_now

SCREENS = ("appointment", "visit", "intake", "agreement", "task")
ROLES = ("reception", "worker", "manager")
SCENARIOS = ("own client", "colleague's client", "another worker's record")
MODELS = {"appointment": Appointment, "visit": Visit, "intake": Intake, "agreement": Agreement, "task": RoadmapTask}
#: the text field each screen's record holds (confidential: hidden from those who may not read it)
TEXT = {"appointment": "notes", "visit": "summary", "intake": "issue", "agreement": "goal", "task": "description"}
MOVED = "Záznam zůstává u klienta"  # the start of the Czech refusal


def _record(screen, client, worker, secret):
    """A record of ``screen`` for ``client`` (made by their worker), its text ``secret``."""
    if screen == "appointment":
        return factories.make_appointment(client=client, worker=worker, notes=secret,
                                          starts_at=datetime(2031, 3, 3, 9, tzinfo=timezone.utc))
    if screen == "visit":
        return factories.make_visit(client=client, worker=worker, summary=secret)
    if screen == "intake":
        return factories.make_intake(client=client, worker=worker, issue=secret)
    agreement = factories.make_agreement(client=client, worker=worker, goal=secret if screen == "agreement" else "Cíl")
    if screen == "agreement":
        return agreement
    return factories.make_task(agreement=agreement, description=secret)


def _target(screen, client, worker):
    """What the POST puts in the fixed field: the other client (a task: an agreement of theirs)."""
    if screen == "task":
        return factories.make_agreement(client=client, worker=worker).id
    return client.id


def _edit_form(screen, record, target, text):
    """The whole edit form as a browser sends it, with the fixed field set to ``target``."""
    version = {"version": getattr(record, "version", 1)}
    if screen == "appointment":
        return {"client": target, "worker": record.worker_id, "starts_at": "2031-03-03T10:00", "duration_minutes": "60",
                "format": "office", "place": "centre", "purpose": "consultation", "status": "planned", "notes": text,
                **version}
    if screen == "visit":
        return {"client": target, "worker": record.worker_id, "occurred_at": "2025-01-06T10:00", "channel": "phone",
                "minutes": "15", "summary": text, **version}
    if screen == "intake":
        return {"client": target, "worker": record.worker_id, "held_on": local_now().date().isoformat(), "issue": text, **version}
    if screen == "agreement":
        return {"client": target, "worker": record.worker_id, "agreed_on": record.agreed_on.isoformat(), "goal": text,
                "consent_service": "y", "status": "active", **version}
    return {"agreement": target, "description": text, "responsible": "client", "status": "open", "position": "1", **version}


def _owner(record):
    return record.agreement_id if isinstance(record, RoadmapTask) else record.client_id


def _may_edit(screen, role, scenario) -> bool:
    """Who gets the edit form at all (the rest get a 403 or, for a record they may not see, a 404)."""
    if screen in ("appointment", "visit"):
        return True  # the appointment book and the contacts are shared by reception, workers and managers
    return role == "worker" and scenario != "another worker's record"  # case content: the client's own worker


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("screen", SCREENS)
def test_a_case_record_stays_with_its_client(screen, role, scenario, client, db, login_as):
    me = login_as(role)
    owner = me if role == "worker" else factories.make_worker(full_name="Vlastní Pracovnice")  # "own": mine as a worker
    colleague = factories.make_worker(full_name="Kolegyně Nováková")
    mine, also_mine = factories.make_client(worker=owner), factories.make_client(worker=owner)
    theirs = factories.make_client(worker=colleague)
    if scenario == "own client":
        record = _record(screen, mine, owner, "PŮVODNÍ-TEXT")
        target = _target(screen, also_mine, owner)
    elif scenario == "colleague's client":
        record = _record(screen, mine, owner, "PŮVODNÍ-TEXT")
        target = _target(screen, theirs, colleague)
    else:
        record = _record(screen, theirs, colleague, "KOLEGYNĚ-TAJNÉ")
        target = _target(screen, mine, owner)
    db.session.commit()
    model, record_id, before_owner = MODELS[screen], record.id, _owner(record)
    before_text = getattr(record, TEXT[screen])

    response = client.post(f"/admin/{screen}/edit/?id={record_id}", data=_edit_form(screen, record, target, "PŘESUNUTÝ-TEXT"))
    db.session.expire_all()
    stored = db.session.get(model, record_id)
    assert _owner(stored) == before_owner, "the record moved to another client"
    assert getattr(stored, TEXT[screen]) == before_text, "text was written with the refused move"
    if _may_edit(screen, role, scenario):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and MOVED in page  # refused, the form shown again
        assert "PŘESUNUTÝ-TEXT" in page or TEXT[screen] not in page  # what was typed is kept (where it may be typed)
        denied = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED, entity=model.__tablename__,
                                                         entity_id=record_id).one()
        assert denied.details["refused"] == "client_changed" and denied.actor_id == me.id
        assert "PŘESUNUTÝ" not in str(denied.details) and str(target) not in str(denied.details.get("fields"))
        # the edit form shows the client greyed out: it cannot be changed there
        form = client.get(f"/admin/{screen}/edit/?id={record_id}").get_data(as_text=True)
        fixed = "agreement" if screen == "task" else "client"
        field = form.split(f'name="{fixed}"')[0].rsplit("<input", 1)[1] + form.split(f'name="{fixed}"')[1].split(">", 1)[0]
        assert "disabled" in field
    else:
        assert response.status_code in (403, 404)
    # the colleague's text never shows up under another client
    if scenario == "another worker's record" and role == "worker":
        assert "KOLEGYNĚ-TAJNÉ" not in client.get(f"/admin/client/case/?id={mine.id}").get_data(as_text=True)
        assert "KOLEGYNĚ-TAJNÉ" not in client.get(f"/admin/client/details/?id={mine.id}").get_data(as_text=True)


def test_an_edit_that_keeps_the_client_still_saves(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    appointment = _record("appointment", person, me, "Poznámka")
    db.session.commit()
    data = _edit_form("appointment", appointment, person.id, "Nová poznámka")
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}", data=data).status_code == 302
    data = {k: v for k, v in _edit_form("appointment", db.session.get(Appointment, appointment.id), person.id,
                                         "Ještě novější").items() if k != "client"}  # as the browser sends it: no client
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Appointment, appointment.id)
    assert saved.client_id == person.id and saved.notes == "Ještě novější"


def test_no_service_path_moves_a_case_record_either(db):
    """The rule holds at every flush, whatever the path: a script or a service changing the client."""
    from services import writes

    worker = factories.make_worker()
    first, second = factories.make_client(worker=worker), factories.make_client(worker=worker)
    appointment = _record("appointment", first, worker, "Poznámka")
    task = _record("task", first, worker, "Úkol")
    other_agreement = factories.make_agreement(client=second, worker=worker)
    db.session.commit()
    for change in (lambda: setattr(appointment, "client", second), lambda: setattr(appointment, "client_id", second.id),
                   lambda: setattr(task, "agreement", other_agreement)):
        change()
        with pytest.raises(writes.RefusedWrite):
            db.session.flush()
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).client_id == first.id
    # a deliberate move (merging two records of one person) says so
    with writes.moving_case_records(db.session):
        db.session.get(Appointment, appointment.id).client = second
        db.session.flush()
    assert db.session.get(Appointment, appointment.id).client_id == second.id


def test_the_write_check_judges_the_record_as_it_will_be(db):
    """access.check_write: a worker holding only the old client, or only the new one, may not move it
    even where a move is allowed; new text for a client the worker does not hold is refused too."""
    from services import access, writes

    me = factories.make_worker()
    colleague = factories.make_worker()
    mine, theirs = factories.make_client(worker=me), factories.make_client(worker=colleague)
    appointment = _record("appointment", theirs, colleague, "Cizí")
    db.session.commit()
    appointment.client = mine
    with pytest.raises(writes.RefusedWrite):
        access.check_write(db.session, me, appointment, ["client_id"])
    with writes.moving_case_records(db.session):
        with pytest.raises(writes.RefusedWrite):
            access.check_write(db.session, me, appointment, ["client_id"])
    db.session.rollback()
    fresh = Appointment(client=theirs, worker=me, starts_at=datetime.now(timezone.utc) + timedelta(days=2),
                        duration_minutes=60, notes="Moje poznámka u cizího klienta")
    with pytest.raises(writes.RefusedWrite):
        access.check_write(db.session, me, fresh, None)
    db.session.rollback()
    assert count_rows(Appointment) == 1
    assert Role.WORKER in me.role_set
