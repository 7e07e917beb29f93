"""Anonymised means for good, and a stale form does not overwrite a newer record.

The reproductions: reception opened a client's edit form, a manager anonymised the client, reception
saved the open form and the anonymised record got its name, phone and email back; a worker added
notes with a name and a phone number to appointments and visits of an anonymised client; afterwards
``flask clients anonymise CODE`` said there was nothing to do, the retention purge never listed the
client again and the page offered no Anonymise button, so the data stayed for good.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import Agreement, Appointment, AuditEvent, Client, Intake, RoadmapTask, Visit
from models.enums import AppointmentStatus, AuditAction, ClientStatus
from services import privacy, retention, scheduling
from services.errors import ServiceError
from tests import factories
from tests.conftest import count_rows
from services.timeutil import local_now

NOTE = "Jan Novák +420 777 000 111"


def _page(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _client_form(person, **changes):
    data = {"status": person.status.value, "first_name": person.first_name or "", "last_name": person.last_name or "",
            "phone": person.phone or "", "email": person.email or "", "citizenship": person.citizenship or "",
            "version": getattr(person, "version", 1)}
    data.update(changes)
    return data


def _anonymise(db, person):
    assert privacy.anonymise(db.session, db.session.get(Client, person.id)) is True
    db.session.commit()


def test_a_form_opened_before_the_anonymisation_does_not_bring_the_data_back(client, db, login_as):
    login_as("reception")
    person = factories.make_client(first_name="Olena", last_name="Kovalenko", phone="+420 601 222 333",
                                   email="olena@example.org")
    db.session.commit()
    assert "Kovalenko" in _page(client.get(f"/admin/client/edit/?id={person.id}"))
    opened = _client_form(person)  # what the open form holds
    _anonymise(db, person)  # a manager, meanwhile
    response = client.post(f"/admin/client/edit/?id={person.id}", data=opened)
    assert response.status_code == 200
    assert "anonymizován" in _page(response)  # told why, the form shown again
    db.session.expire_all()
    stored = db.session.get(Client, person.id)
    assert stored.anonymised_at is not None
    assert (stored.first_name, stored.last_name, stored.phone, stored.email) == (None, None, None, None)
    refused = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED, entity="client").one()
    assert refused.details["refused"] == "client_anonymised" and "Kovalenko" not in str(refused.details)


def test_an_anonymised_clients_personal_fields_are_read_only(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    db.session.commit()
    _anonymise(db, person)
    person = db.session.get(Client, person.id)
    page = _page(client.get(f"/admin/client/edit/?id={person.id}"))
    for name in ("first_name", "last_name", "phone", "email"):
        assert re.search(rf'<input[^>]*disabled[^>]*name="{name}"|<input[^>]*name="{name}"[^>]*disabled', page), name
    # coded changes still save (the form sends no personal field: they are disabled)
    assert client.post(f"/admin/client/edit/?id={person.id}", data={
        "status": "closed", "citizenship": "SK", "version": person.version}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Client, person.id).citizenship == "SK"
    # a crafted POST with a name is refused
    person = db.session.get(Client, person.id)
    response = client.post(f"/admin/client/edit/?id={person.id}", data=_client_form(person, first_name="Olena"))
    assert response.status_code == 200 and "anonymizován" in _page(response)
    db.session.expire_all()
    assert db.session.get(Client, person.id).first_name is None


def test_no_new_records_or_notes_for_an_anonymised_client(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    agreement = factories.make_agreement(client=person, worker=me)
    past = factories.make_appointment(client=person, worker=me, starts_at=datetime.now(timezone.utc) - timedelta(days=2))
    visit = factories.make_visit(client=person, worker=me)
    db.session.commit()
    _anonymise(db, person)
    past, visit = db.session.get(Appointment, past.id), db.session.get(Visit, visit.id)
    before = count_rows(Appointment), count_rows(Visit), count_rows(RoadmapTask), count_rows(Intake)
    # notes with a name and a phone number on existing records
    response = client.post(f"/admin/appointment/edit/?id={past.id}", data={
        "worker": me.id, "starts_at": "2025-01-06T10:00", "duration_minutes": "60", "format": "office", "place": "centre",
        "purpose": "consultation", "status": "attended", "notes": NOTE, "version": past.version})
    assert response.status_code == 200 and "anonymizován" in _page(response)
    response = client.post(f"/admin/visit/edit/?id={visit.id}", data={
        "worker": me.id, "occurred_at": "2025-01-06T10:00", "channel": "phone", "minutes": "10", "summary": NOTE,
        "version": visit.version})
    assert response.status_code == 200 and "anonymizován" in _page(response)
    # new records from the screens
    for endpoint, data in (
        ("appointment", {"client": person.id, "worker": me.id, "starts_at": factories.local_input(30), "duration_minutes": "60",
                         "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"}),
        ("visit", {"client": person.id, "worker": me.id, "occurred_at": factories.today_input(), "channel": "phone"}),
        ("task", {"agreement": agreement.id, "description": NOTE, "responsible": "client", "status": "open"}),
    ):
        response = client.post(f"/admin/{endpoint}/new/", data=data)
        assert response.status_code == 200 and "anonymizován" in _page(response), endpoint
    # the desk and the services
    response = client.post("/admin/calendar/walk-in/", data={"client_id": person.id, "next": "/admin/"})
    assert response.status_code == 200 and "anonymizován" in _page(response)  # the desk again, with the reason
    assert count_rows(Visit) == before[1]
    with pytest.raises(ServiceError, match="anonymi"):
        scheduling.book(db.session, db.session.get(Client, person.id), me,
                        (datetime.now(timezone.utc) + timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0))
    db.session.rollback()
    assert (count_rows(Appointment), count_rows(Visit), count_rows(RoadmapTask), count_rows(Intake)) == before
    assert NOTE not in str(db.session.execute(sa.select(Appointment.notes, Visit.summary).join(
        Visit, Visit.client_id == Appointment.client_id)).all())
    # a coded change of an existing record still saves: attendance at the desk
    response = client.post("/admin/calendar/status/", data={"appointment_id": past.id, "status": "attended"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, past.id).status == AppointmentStatus.ATTENDED
    assert db.session.get(Appointment, past.id).notes is None


def test_an_anonymisation_cannot_be_undone(db):
    from services import writes

    person = factories.make_client()
    db.session.commit()
    _anonymise(db, person)
    person = db.session.get(Client, person.id)
    person.anonymised_at = None
    with pytest.raises(writes.RefusedWrite):
        db.session.flush()
    db.session.rollback()
    person = db.session.get(Client, person.id)
    person.last_name = "Vrácená"
    with pytest.raises(writes.RefusedWrite):
        db.session.flush()
    db.session.rollback()


def _leftover(db, person, note=NOTE):
    """The state the old bug left: marked anonymised, but holding a name, a phone number and notes
    (written straight to the tables, as the old code did)."""
    db.session.execute(sa.update(Client).where(Client.id == person.id).values(first_name="Olena", phone="+420 777 000 111"))
    appointment = db.session.query(Appointment).filter_by(client_id=person.id).first()
    db.session.execute(sa.update(Appointment).where(Appointment.id == appointment.id).values(notes=note))
    db.session.commit()


def test_anonymising_again_finds_what_came_back_cli_purge_and_page(app, client, db, login_as):
    person = factories.make_client(created_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    factories.make_appointment(client=person, starts_at=datetime(2025, 1, 6, 9, tzinfo=timezone.utc),
                               status=AppointmentStatus.ATTENDED)
    db.session.commit()
    _anonymise(db, person)
    runner = app.test_cli_runner()
    assert "nothing to do" in runner.invoke(args=["clients", "anonymise", person.code, "--yes"]).output
    _leftover(db, person)
    # the page offers Anonymise again
    login_as("manager")
    details = _page(client.get(f"/admin/client/details/?id={person.id}"))
    assert f"/admin/client/anonymise/?ids={person.id}" in details
    confirm = _page(client.get(f"/admin/client/anonymise/?ids={person.id}"))
    assert "stále obsahuje osobní údaje nebo text" in confirm
    # the purge lists it in its dry run, whatever its activity
    dry = runner.invoke(args=["retention", "purge", "--dry-run", "--as-of", "2026-06-15"])
    assert dry.exit_code == 0 and person.code in dry.output
    assert "still holds personal data or text" in dry.output
    assert retention.plan(db.session, date(2026, 6, 15), 3).to_anonymise == 1
    # the command anonymises it again
    result = runner.invoke(args=["clients", "anonymise", person.code, "--yes"])
    assert result.exit_code == 0 and "was anonymised" in result.output, result.output
    db.session.expire_all()
    stored = db.session.get(Client, person.id)
    assert stored.first_name is None and stored.phone is None
    assert NOTE not in str(db.session.execute(sa.select(Appointment.notes)).all())
    # and the purge does the same for another such client
    _leftover(db, person, note="Petr Svoboda")
    counts = retention.purge(db.session, date(2026, 6, 15), 3)
    assert counts["anonymised"] == 1
    assert "Petr Svoboda" not in str(db.session.execute(sa.select(Appointment.notes)).all())
    assert retention.plan(db.session, date(2026, 6, 15), 3).to_anonymise == 0
    assert "nothing to do" in runner.invoke(args=["clients", "anonymise", person.code, "--yes"]).output


def test_a_stale_form_does_not_overwrite_a_newer_record(client, db, login_as):
    me = login_as("reception", "worker")
    person = factories.make_client(worker=me)
    appointment = factories.make_appointment(client=person, worker=me, starts_at=datetime(2031, 3, 3, 9, tzinfo=timezone.utc),
                                             place_note="Vchod z ulice")
    db.session.commit()
    form = {"worker": me.id, "starts_at": "2031-03-03T10:00", "duration_minutes": "60", "format": "office",
            "place": "centre", "purpose": "consultation", "status": "planned", "version": appointment.version}
    page = _page(client.get(f"/admin/appointment/edit/?id={appointment.id}"))
    assert f'name="version" type="hidden" value="{appointment.version}"' in page
    # someone else saves first
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}",
                       data={**form, "place_note": "Vchod ze dvora"}).status_code == 302
    # the older form is refused, with what was typed still on the page
    stale = client.post(f"/admin/appointment/edit/?id={appointment.id}",
                        data={**form, "duration_minutes": "90", "place_note": "Moje přepsaná poznámka"})
    text = _page(stale)
    assert stale.status_code == 200 and "Záznam mezitím změnil někdo jiný" in text and "Moje přepsaná poznámka" in text
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.place_note == "Vchod ze dvora" and stored.duration_minutes == 60
    # a form without a version (not one of ours) is refused the same way
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}",
                       data={k: v for k, v in form.items() if k != "version"}).status_code == 200
    # the client form too: reassigned by a manager meanwhile
    opened = _client_form(person)
    db.session.get(Client, person.id).phone = "+420 601 000 000"
    db.session.commit()
    response = client.post(f"/admin/client/edit/?id={person.id}", data={**opened, "email": "nova@example.org"})
    assert response.status_code == 200 and "Záznam mezitím změnil někdo jiný" in _page(response)
    db.session.expire_all()
    assert db.session.get(Client, person.id).email is None


def test_the_version_guards_a_save_racing_between_loading_and_writing(db):
    """SQLAlchemy's version check: an UPDATE based on a version another transaction moved past is refused."""
    from sqlalchemy.orm.exc import StaleDataError

    person = factories.make_client()
    db.session.commit()
    loaded = db.session.get(Client, person.id)
    table = Client.__table__  # another transaction's save, not seen by the loaded object
    db.session.execute(sa.update(table).where(table.c.id == person.id).values(version=table.c.version + 1))
    loaded.alias = "Přepsáno"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_anonymising_cancels_the_planned_appointments_ahead_and_the_page_names_the_person(client, db, login_as):
    login_as("manager")
    worker = factories.make_worker(full_name="Marie Pracovnice")
    person = factories.make_client(worker=worker, first_name="Olena", last_name="Kovalenko", birth_year=1988)
    namesake = factories.make_client(worker=worker, first_name="Olena", last_name="Kovalenko", birth_year=1995)
    ahead = factories.make_appointment(client=person, worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(days=5))
    begun = factories.make_appointment(client=person, worker=worker, starts_at=datetime.now(timezone.utc) - timedelta(days=1))
    theirs = factories.make_appointment(client=namesake, worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(days=5))
    db.session.commit()
    page = _page(client.get(f"/admin/client/anonymise/?ids={person.id}"))
    assert "Olena Kovalenko" in page and "1988" in page and "Marie Pracovnice" in page and "1995" not in page
    assert "Plánované schůzky, které budou zrušeny" in page
    delete_page = _page(client.get(f"/admin/client/delete-record/?id={person.id}"))
    assert "Olena Kovalenko" in delete_page and "1988" in delete_page and "Marie Pracovnice" in delete_page
    response = client.post(f"/admin/client/anonymise/?ids={person.id}", data={"ids": str(person.id), "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, ahead.id).status == AppointmentStatus.CANCELLED_CENTRE
    assert db.session.get(Appointment, begun.id).status == AppointmentStatus.PLANNED  # it may have taken place: not touched
    assert db.session.get(Appointment, theirs.id).status == AppointmentStatus.PLANNED
    entry = db.session.query(AuditEvent).filter_by(action=AuditAction.ANONYMISE).one()
    assert entry.details["counts"]["appointments_cancelled"] == 1


def test_ending_an_agreement_lists_the_planned_appointments_and_cancels_them_unless_unticked(client, db, login_as):
    me = login_as("worker")
    first, second = factories.make_client(worker=me), factories.make_client(worker=me)
    for person in (first, second):
        factories.make_agreement(client=person, worker=me)
    ahead = factories.make_appointment(client=first, worker=me, starts_at=datetime.now(timezone.utc) + timedelta(days=3))
    kept = factories.make_appointment(client=second, worker=me, starts_at=datetime.now(timezone.utc) + timedelta(days=4))
    db.session.commit()
    page = _page(client.get(f"/admin/client/case/close/?id={first.id}"))
    assert "Plánované schůzky klienta" in page and 'name="cancel_appointments"' in page and "checked" in page
    close = {"status": "goal_achieved", "end_reason": "Cíl splněn", "ended_on": local_now().date().isoformat()}
    assert client.post(f"/admin/client/case/close/?id={first.id}", data={**close, "cancel_appointments": "y"}).status_code == 302
    assert client.post(f"/admin/client/case/close/?id={second.id}", data=close).status_code == 302  # unticked
    db.session.expire_all()
    assert db.session.get(Appointment, ahead.id).status == AppointmentStatus.CANCELLED_CENTRE
    assert db.session.get(Appointment, kept.id).status == AppointmentStatus.PLANNED
    assert db.session.get(Client, first.id).status == ClientStatus.CLOSED
    # nothing planned: no list and no checkbox
    third = factories.make_client(worker=me)
    factories.make_agreement(client=third, worker=me)
    db.session.commit()
    assert 'name="cancel_appointments"' not in _page(client.get(f"/admin/client/case/close/?id={third.id}"))
    assert count_rows(Agreement) == 3


def test_the_client_lookups_of_new_records_do_not_offer_an_anonymised_client(client, db, login_as):
    me = login_as("worker", "manager")
    kept, gone = factories.make_client(worker=me, last_name="Lookupová"), factories.make_client(worker=me, last_name="Lookupová")
    db.session.commit()
    _anonymise(db, gone)
    for endpoint in ("appointment", "visit", "intake", "agreement"):
        found = client.get(f"/admin/{endpoint}/ajax/lookup/?name=client&query={kept.code[:5]}").get_json()
        assert kept.id in [row[0] for row in found] and gone.id not in [row[0] for row in found], endpoint
    # a data request may concern an anonymised client
    found = client.get(f"/admin/data_request/ajax/lookup/?name=client&query={gone.code}").get_json()
    assert [row[0] for row in found] == [gone.id]
