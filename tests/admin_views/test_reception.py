"""The reception desk, the calendar and the private calendar link over HTTP."""
from datetime import datetime, time, timedelta, timezone

from models import Appointment, AuditEvent, Client, Visit
from models.enums import AppointmentStatus, AuditAction
from services.timeutil import local_now
from tests import factories
from tests.conftest import count_rows


def _text(response):
    return response.get_data(as_text=True)


def test_reception_start_page_has_the_desk(client, db, login_as):
    login_as("reception")
    worker = factories.make_worker(full_name="Petra Svobodová")
    person = factories.make_client(worker=worker, last_name="Bondarenko", phone="+420 777 123 456")
    factories.make_appointment(client=person, worker=worker, starts_at=datetime.now(timezone.utc) + timedelta(minutes=30))
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=worker)
    db.session.commit()
    page = _text(client.get("/admin/"))
    assert "Petra Svobodová" in page and person.code in page
    assert 'action="/admin/calendar/walk-in/"' in page and 'name="citizenship"' in page
    found = _text(client.get("/admin/?q=777 123"))
    assert person.code in found and f"client_id={person.id}" in found


def test_quick_buttons_mark_attendance_and_cancellations(client, db, login_as):
    login_as("reception")
    past = factories.make_appointment(starts_at=datetime.now(timezone.utc) - timedelta(minutes=20))
    future = factories.make_appointment(starts_at=datetime.now(timezone.utc) + timedelta(hours=3))
    db.session.commit()
    assert client.post("/admin/calendar/status/", data={"appointment_id": past.id, "status": "no_show", "next": "/admin/"}).status_code == 302
    refused = client.post("/admin/calendar/status/", data={"appointment_id": future.id, "status": "no_show", "next": "/admin/"})
    assert refused.status_code == 302
    client.post("/admin/calendar/status/", data={"appointment_id": future.id, "status": "cancelled_phone", "next": "/admin/"})
    db.session.refresh(past)
    db.session.refresh(future)
    assert past.status == AppointmentStatus.NO_SHOW and future.status == AppointmentStatus.CANCELLED_PHONE
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.UPDATE) == 2


def test_reception_logs_an_anonymous_walk_in_and_a_clients_walk_in(client, db, login_as):
    login_as("reception")
    duty = factories.make_worker()
    person = factories.make_client()
    topic = factories.make_topic()
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=duty)
    db.session.commit()
    response = client.post("/admin/calendar/walk-in/", data={
        "citizenship": "VN", "language": "vi", "sex": "male", "age_band": "27-64", "topics": [topic.id], "urgent": "y",
        "next": "/admin/",
    })
    assert response.status_code == 302
    walk_in = db.session.query(Visit).filter(Visit.client_id.is_(None)).one()
    assert walk_in.citizenship == "VN" and walk_in.urgent and walk_in.worker_id == duty.id
    assert count_rows(Client) == 1
    client.post("/admin/calendar/walk-in/", data={"client_id": person.id, "next": "/admin/"})
    assert count_rows(Visit, Visit.client_id == person.id) == 1
    assert client.post("/admin/calendar/walk-in/", data={"client_id": "999999"}).status_code == 404


def test_book_button_preselects_the_clients_own_worker_and_warns_outside_hours(client, db, login_as):
    login_as("reception")
    own = factories.make_worker(full_name="Vlastní Pracovnice")
    factories.make_worker(full_name="Aaron Abel")
    person = factories.make_client(worker=own)
    factories.make_working_hours(worker=own, weekday=0, starts_at=time(8, 0), ends_at=time(12, 0))
    db.session.commit()
    form = _text(client.get(f"/admin/appointment/new/?client_id={person.id}"))
    assert f'<option selected value="{own.id}">' in form and person.code in form
    response = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": own.id, "starts_at": "2030-03-04T15:00", "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
    }, follow_redirects=True)
    assert "pracovní dobu" in _text(response) or "working hours" in _text(response)
    assert count_rows(Appointment) == 1


def test_booking_another_worker_needs_a_reason_in_the_form(client, db, login_as):
    login_as("reception")
    own, other = factories.make_worker(), factories.make_worker()
    person = factories.make_client(worker=own)
    db.session.commit()
    data = {"client": person.id, "worker": other.id, "starts_at": "2030-03-05T10:00", "duration_minutes": "60",
            "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"}
    assert client.post("/admin/appointment/new/", data=data).status_code == 200
    assert count_rows(Appointment) == 0
    data["other_worker_reason"] = "Vlastní pracovnice je na dovolené"
    assert client.post("/admin/appointment/new/", data=data).status_code == 302
    assert db.session.query(Appointment).one().other_worker_reason == "Vlastní pracovnice je na dovolené"


def test_calendar_week_view(client, db, login_as):
    me = login_as("worker")
    factories.make_appointment(worker=me, starts_at=datetime(2030, 3, 5, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    page = _text(client.get("/admin/calendar/?week=2030-W10"))
    assert "10:00" in page and "Ambulantní" in page or "office" in page
    assert client.get("/admin/calendar/?week=garbage&worker=abc").status_code == 200


def test_private_calendar_link_issue_use_and_revoke(client, app, db, login_as):
    me = login_as("worker")
    factories.make_appointment(worker=me, starts_at=datetime.now(timezone.utc) + timedelta(days=1))
    db.session.commit()
    page = _text(client.post("/admin/calendar-link/", data={"do": "issue"}))
    link = page.split('id="ics-link" class="form-control" readonly value="')[1].split('"')[0]
    path = "/" + link.split("/", 3)[3]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in feed.get_data(as_text=True)
    client.post("/admin/calendar-link/", data={"do": "revoke"})
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_client_details_show_attendance_counts(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    past = datetime.now(timezone.utc) - timedelta(days=3)
    factories.make_appointment(client=person, starts_at=past, status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(client=person, starts_at=past + timedelta(hours=2), status=AppointmentStatus.ATTENDED)
    factories.make_appointment(client=person, starts_at=past + timedelta(hours=4), status=AppointmentStatus.CANCELLED_EMAIL)
    db.session.commit()
    page = _text(client.get(f"/admin/client/details/?id={person.id}"))
    assert "1 uskutečněné, 1 nedostavení, 1 zrušené předem" in page
