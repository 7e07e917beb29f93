"""Every back-office screen renders, validates and saves; bad input never gives a 500."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, Client, Intake, PublicOffice, RoadmapTask, Topic, Visit, Worker
from models.enums import AgreementStatus, AppointmentStatus, AuditAction, ClientStatus, Role
from services.timeutil import local_now
from tests import factories
from tests.conftest import count_rows

ALL = ("manager", "worker", "admin")


def _text(response):
    """The page without its per-request Content-Security-Policy nonces and CSRF tokens (a token is signed
    with the second it was made in: two views a moment apart may straddle a second)."""
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', response.get_data(as_text=True))
    return re.sub(r'(name="csrf_token"(?: type="hidden")?) value="[^"]*"', r'\1 value=""', text)


def _seed_one_of_each(worker):
    client = factories.make_client(worker=worker, last_name="Bondarenko", phone="+420 777 123 456")
    agreement = factories.make_agreement(client=client, worker=worker)
    return {
        "client": client,
        "intake": factories.make_intake(client=client, worker=worker),
        "agreement": agreement,
        "task": factories.make_task(agreement=agreement),
        "appointment": factories.make_appointment(client=client, worker=worker),
        "visit": factories.make_visit(client=client, worker=worker),
        "worker": worker,
        "topic": factories.make_topic(),
        "office": factories.make_office(),
        "audit": factories.make_audit_event(client_code=client.code),
        "data_request": factories.make_data_request(client=client),
        "walkin_hours": factories.make_walk_in_hours(duty_worker=worker),
        "working_hours": factories.make_working_hours(worker=worker),
    }


SCREENS = ["client", "intake", "agreement", "task", "appointment", "visit", "worker", "topic", "office", "audit", "data_request",
           "walkin_hours", "working_hours"]


@pytest.mark.parametrize("endpoint", SCREENS)
def test_each_screen_lists_shows_and_edits(endpoint, client, db, login_as):
    me = login_as(*ALL)
    objects = _seed_one_of_each(me)
    db.session.commit()
    obj = objects[endpoint]
    listing = client.get(f"/admin/{endpoint}/")
    assert listing.status_code == 200
    assert "Traceback" not in _text(listing)
    view = client.application.extensions["admin"][0]._views
    view = next(v for v in view if v.endpoint == endpoint)
    if view.can_view_details:
        assert client.get(f"/admin/{endpoint}/details/?id={obj.id}").status_code == 200
    if view.can_edit:
        assert client.get(f"/admin/{endpoint}/edit/?id={obj.id}").status_code == 200
    if view.can_create:
        assert client.get(f"/admin/{endpoint}/new/").status_code == 200
    for query in ("?page=abc", "?page=-5", "?page=999999999999", "?page_size=100000", "?sort=99&desc=x", "?search=%25_'\""):
        assert client.get(f"/admin/{endpoint}/{query}").status_code == 200, query


@pytest.mark.parametrize("endpoint", SCREENS)
@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", "1e3", "99999999999999999999999", "1;DROP TABLE client", ""])
def test_malformed_ids_never_give_a_500(endpoint, bad_id, client, db, login_as):
    login_as(*ALL)
    for path in ("details", "edit"):
        response = client.get(f"/admin/{endpoint}/{path}/?id={bad_id}")
        assert response.status_code in (302, 404), (path, response.status_code)
    response = client.post(f"/admin/{endpoint}/delete/", data={"id": bad_id})
    assert response.status_code in (302, 404)


def test_list_shows_translated_statuses_and_default_sort_is_stable(client, db, login_as):
    me = login_as("manager", "worker")
    for _ in range(3):
        factories.make_client(worker=me, status=ClientStatus.CLIENT)
    db.session.commit()
    page = _text(client.get("/admin/client/"))
    assert "Klient" in page
    assert ">client<" not in page
    assert _text(client.get("/admin/client/?page=0")) == _text(client.get("/admin/client/?page=0"))


def test_create_client_generates_code_and_audits_without_personal_data(client, db, login_as):
    me = login_as("manager", "worker")
    response = client.post("/admin/client/new/", data={
        "status": "client", "first_name": "Thi Lan", "last_name": "Nguyen", "citizenship": "VN",
        "languages": ["vi"], "phone": "+420 777 000 111", "worker": str(me.id),
    })
    assert response.status_code == 302, _text(response)
    created = db.session.query(Client).filter_by(last_name="Nguyen").one()
    assert created.code.startswith(str(datetime.now().year))
    assert created.languages == ["vi"]
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.CREATE, entity="client").one()
    assert event.client_code == created.code and event.actor_id == me.id
    assert "Nguyen" not in str(event.details) and "777" not in str(event.details)


def test_edit_client_audits_changed_field_names_only(client, db, login_as):
    me = login_as("manager", "worker")
    person = factories.make_client(worker=me, phone="+420 777 111 222")
    db.session.commit()
    form = {"status": "client", "first_name": person.first_name, "last_name": person.last_name,
            "citizenship": "UA", "phone": "+420 608 999 888", "worker": str(me.id), "version": person.version}
    assert client.post(f"/admin/client/edit/?id={person.id}", data=form).status_code == 302
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.UPDATE, entity="client").one()
    assert "phone" in event.details["fields"]
    assert "608" not in str(event.details)


def test_invalid_client_keeps_what_was_typed_and_explains_in_czech(client, db, login_as):
    login_as("manager", "worker")
    response = client.post("/admin/client/new/", data={
        "status": "client", "first_name": "Oksana", "last_name": "Melnyk", "phone": "+420 700 100 200", "birth_year": "19x0",
    })
    page = _text(response)
    assert response.status_code == 200
    assert 'value="Melnyk"' in page and 'value="+420 700 100 200"' in page
    assert count_rows(Client) == 0
    response = client.post("/admin/client/new/", data={"status": "client", "first_name": "Oksana", "last_name": "Melnyk"})
    page = _text(response)
    assert "sociálního pracovníka" in page or "sociální pracovník" in page
    assert 'value="Melnyk"' in page
    assert count_rows(Client) == 0


def test_agreement_form_makes_the_person_a_client(client, db, login_as):
    me = login_as("manager", "worker")
    person = factories.make_client(status=ClientStatus.INTERESTED)
    db.session.commit()
    response = client.post("/admin/agreement/new/", data={
        "client": str(person.id), "worker": str(me.id), "agreed_on": local_now().date().isoformat(),
        "issue": "Končí vízum", "goal": "Podat žádost o dlouhodobý pobyt", "consent_service": "y", "consent_data": "y",
        "status": "active",
    })
    assert response.status_code == 302, _text(response)
    db.session.refresh(person)
    assert person.status == ClientStatus.CLIENT and person.worker_id == me.id
    agreement = db.session.query(Agreement).one()
    assert agreement.consent_recorded_by_id == me.id


def test_agreement_without_consent_is_refused(client, db, login_as):
    me = login_as("manager", "worker")
    person = factories.make_client(status=ClientStatus.INTERESTED)
    db.session.commit()
    response = client.post("/admin/agreement/new/", data={
        "client": str(person.id), "worker": str(me.id), "agreed_on": local_now().date().isoformat(),
        "goal": "Cíl spolupráce", "status": "active",
    })
    assert response.status_code == 200
    assert "Cíl spolupráce" in _text(response)
    assert count_rows(Agreement) == 0


def test_intake_task_appointment_visit_topic_office_worker_can_be_created(client, db, login_as):
    me = login_as("manager", "worker", "admin")
    person = factories.make_client(worker=me)
    agreement = factories.make_agreement(client=person, worker=me)
    office = factories.make_office()
    topic = factories.make_topic()
    db.session.commit()
    yesterday = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT10:30")
    posts = {
        "intake": {"client": person.id, "worker": me.id, "held_on": local_now().date().isoformat(), "issue": "Bydlení"},
        "task": {"agreement": agreement.id, "description": "Donést nájemní smlouvu", "responsible": "client",
                 "status": "open", "due_on": local_now().date().isoformat(), "position": "1"},
        "appointment": {"client": person.id, "worker": me.id, "starts_at": yesterday, "duration_minutes": "90",
                        "format": "field", "place": "public_office", "office": office.id, "purpose": "accompaniment",
                        "interpreter": "y", "language": "uk", "status": "attended", "notes": "Doprovod na OAMP"},
        "visit": {"occurred_at": yesterday, "channel": "walk_in", "worker": me.id, "topics": [topic.id],
                  "minutes": "15", "urgent": "y", "citizenship": "UA", "language": "uk", "sex": "female", "age_band": "27-64"},
        "topic": {"code": "debts", "label_cs": "Dluhy", "label_en": "Debts", "active": "y"},
        "office": {"code": "court", "name_cs": "Soud", "name_en": "Court", "active": "y"},
        "worker": {"full_name": "Eva Malá", "email": "Eva.Mala@Test.example", "roles": ["reception"],
                   "languages": ["cs", "en"], "active": "y", "new_password": "a long enough password"},
    }
    for endpoint, data in posts.items():
        response = client.post(f"/admin/{endpoint}/new/", data=data)
        assert response.status_code == 302, (endpoint, _text(response)[-3000:])
    appointment = db.session.query(Appointment).filter_by(notes="Doprovod na OAMP").one()
    assert appointment.starts_at.tzinfo is not None
    assert appointment.starts_at.astimezone().minute == 30
    db.session.refresh(person)
    assert person.last_contact_at == appointment.starts_at  # attended: last contact moved
    walk_in = db.session.query(Visit).filter_by(client_id=None).one()
    assert [t.code for t in walk_in.topics] == [topic.code] and walk_in.citizenship == "UA"
    new_worker = db.session.query(Worker).filter_by(email="eva.mala@test.example").one()
    assert new_worker.check_password("a long enough password") and new_worker.roles == ["reception"]
    assert count_rows(RoadmapTask) == 1 and count_rows(Intake) == 1
    assert count_rows(Topic, Topic.code == "debts") == 1 and count_rows(PublicOffice, PublicOffice.code == "court") == 1
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.CREATE) == 7


def test_appointment_times_are_entered_and_shown_in_prague_time(client, db, login_as):
    me = login_as("manager", "worker")
    person = factories.make_client(worker=me)
    db.session.commit()
    from services.timeutil import local_now

    today = local_now().date()
    from datetime import date, timedelta

    summer = next(d for d in (date(y, m, 1) for y in (today.year, today.year + 1) for m in (6, 7, 8))
                  if today + timedelta(days=2) <= d <= today + timedelta(days=300))  # summer time, within a year
    client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": me.id, "starts_at": f"{summer.isoformat()}T09:00", "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
    })
    appointment = db.session.query(Appointment).one()
    assert appointment.starts_at == datetime(summer.year, summer.month, 1, 7, 0, tzinfo=timezone.utc)  # CEST = UTC+2
    assert f'value="{summer.isoformat()}T09:00"' in _text(client.get(f"/admin/appointment/edit/?id={appointment.id}"))


def test_new_worker_needs_a_password(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/worker/new/", data={"full_name": "Bez Hesla", "email": "bez@test.example", "roles": ["worker"], "active": "y"})
    assert response.status_code == 200
    assert count_rows(Worker, Worker.email == "bez@test.example") == 0


def test_duplicate_code_gives_a_clear_message_not_a_500(client, db, login_as):
    login_as("admin")
    factories.make_topic(code="housing2")
    db.session.commit()
    response = client.post("/admin/topic/new/", data={"code": "housing2", "label_cs": "B", "label_en": "H", "active": "y"})
    assert response.status_code == 200
    assert "housing2" in _text(response)


def test_delete_appointment_is_audited(client, db, login_as):
    me = login_as("manager", "worker")
    appointment_id = factories.make_appointment(worker=me).id
    db.session.commit()
    response = client.post("/admin/appointment/delete/", data={"id": appointment_id})
    assert response.status_code == 302
    assert count_rows(Appointment) == 0
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.DELETE).one()
    assert event.entity == "appointment" and event.entity_id == appointment_id


def test_clients_and_agreements_cannot_be_deleted_through_crud(client, db, login_as):
    me = login_as("manager", "worker")
    agreement = factories.make_agreement(worker=me)
    db.session.commit()
    client.post("/admin/client/delete/", data={"id": agreement.client.id})
    client.post("/admin/agreement/delete/", data={"id": agreement.id})
    assert count_rows(Client) == 1 and count_rows(Agreement) == 1


def test_audit_trail_is_read_only(client, db, login_as):
    login_as("manager")
    event = factories.make_audit_event(client_code="2026-00001")
    db.session.commit()
    assert client.get(f"/admin/audit/edit/?id={event.id}").status_code == 302
    assert client.post("/admin/audit/new/", data={"action": "view"}).status_code == 302
    client.post("/admin/audit/delete/", data={"id": event.id})
    assert count_rows(AuditEvent, AuditEvent.id == event.id) == 1


def test_ajax_client_lookup_is_capped_and_finds_by_code_name_and_phone(client, db, login_as):
    me = login_as("manager", "worker")
    people = [factories.make_client(worker=me, last_name=f"Kovalenko{i}", phone=f"+420 777 000 {i:03d}") for i in range(30)]
    db.session.commit()
    url = "/admin/appointment/ajax/lookup/?name=client&limit=1000&query="
    assert len(client.get(url + "Kovalenko").get_json()) == 20
    assert [row[0] for row in client.get(url + people[3].code).get_json()] == [people[3].id]
    assert [row[0] for row in client.get(url + "777 000 007").get_json()] == [people[7].id]
    assert client.get("/admin/appointment/ajax/lookup/?name=nonexistent&query=x").status_code == 404
    assert client.get(url + "&offset=-5").status_code == 200


def test_filters_work_on_enum_and_date_columns(client, db, login_as):
    me = login_as("manager", "worker")
    factories.make_appointment(worker=me, status=AppointmentStatus.NO_SHOW,
                               starts_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc))
    factories.make_appointment(worker=me, status=AppointmentStatus.PLANNED)
    db.session.commit()
    view = next(v for v in client.application.extensions["admin"][0]._views if v.endpoint == "appointment")
    status_eq = next(i for i, f in enumerate(view._filters) if getattr(f.column, "key", "") == "status" and f.operation() in ("equals", "rovná se"))
    day = next(i for i, f in enumerate(view._filters) if getattr(f.column, "key", "") == "starts_at")
    worker_eq = next(i for i, f in enumerate(view._filters) if getattr(f.column, "key", "") == "worker_id")
    assert not any("password" in str(getattr(f.column, "key", "")) for f in view._filters)
    page = _text(client.get(f"/admin/appointment/?flt0_{status_eq}=no_show"))
    assert page.count("Zmeškáno") >= 1 and "Naplánováno" not in page.split("</thead>")[1]
    page = _text(client.get(f"/admin/appointment/?flt0_{day}=2025-03-03"))
    assert page.split("</thead>")[1].count("<tr") == 1
    page = _text(client.get(f"/admin/appointment/?flt0_{worker_eq}={me.id}"))
    assert page.split("</thead>")[1].count("<tr") == 2
    assert client.get(f"/admin/appointment/?flt0_{worker_eq}=abc").status_code == 200
    assert client.get(f"/admin/appointment/?flt0_{status_eq}=bogus").status_code == 200
    assert client.get(f"/admin/appointment/?flt0_{day}=not-a-date").status_code == 200


@pytest.mark.parametrize("roles", [("reception",), ("worker",), ("manager",), ("admin",), ("manager", "worker")])
def test_dashboard_renders_for_every_role(roles, client, db, login_as):
    me = login_as(*roles)
    if Role.WORKER in me.role_set:
        factories.make_appointment(worker=me, starts_at=datetime.now(timezone.utc) + timedelta(minutes=5))
        db.session.commit()
    page = _text(client.get("/admin/"))
    assert "Dobrý den" in page and me.full_name in page


def test_screens_a_role_may_not_open_give_403(client, db, login_as):
    login_as("reception")
    assert client.get("/admin/agreement/").status_code == 403
    assert client.get("/admin/audit/").status_code == 403
    assert "nemáte přístup" in _text(client.get("/admin/worker/")).lower()


def test_agreement_status_filter_and_ended_agreement(client, db, login_as):
    me = login_as("manager", "worker")
    agreement = factories.make_agreement(worker=me)
    db.session.commit()
    response = client.post(f"/admin/agreement/edit/?id={agreement.id}", data={
        "client": agreement.client.id, "worker": me.id, "agreed_on": agreement.agreed_on.isoformat(),
        "goal": agreement.goal, "consent_service": "y", "status": "goal_achieved", "end_reason": "Hotovo",
        "version": agreement.version,
    })
    assert response.status_code == 302, _text(response)
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.GOAL_ACHIEVED and agreement.ended_on == local_now().date()  # the centre's day


def test_malformed_values_get_czech_messages_and_keep_the_typed_text(client, db, login_as):
    login_as("manager", "worker")
    response = client.post("/admin/appointment/new/", data={"duration_minutes": "abc", "starts_at": "32.13.2026 25:00"})
    page = _text(response)
    assert response.status_code == 200
    assert "Toto pole je povinné." in page  # client
    assert "Zadejte platné datum a čas." in page
    assert 'value="32.13.2026 25:00"' in page and 'value="abc"' in page
    assert count_rows(Appointment) == 0


def test_new_records_preselect_the_social_worker_creating_them(client, db, login_as):
    me = login_as("worker")
    factories.make_worker(full_name="Aaron Abel")  # first by name, but not me
    db.session.commit()
    for endpoint in ("appointment", "visit", "agreement", "intake"):
        page = _text(client.get(f"/admin/{endpoint}/new/"))
        assert f'<option selected value="{me.id}">' in page, endpoint
