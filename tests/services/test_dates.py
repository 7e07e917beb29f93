"""Dates that cannot be right are refused on every path, at their field (issue 19): a planned appointment
starts in the future and at most a year ahead; intakes, visits and agreements are not in the future, not
before the client's record existed and not before 2000."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from models import Agreement, Appointment, Intake, Visit
from models.enums import AgreementStatus, AppointmentStatus, ClientStatus, VisitChannel
from services import case_operations, cases, scheduling
from services.errors import ServiceError
from services.timeutil import local_now, local_to_utc
from tests import factories
from tests.conftest import count_rows


def _now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def _today():
    return local_now().date()


def _old_client(days=30, **fields):
    person = factories.make_client(**fields)
    person.created_at = _now() - timedelta(days=days)
    return person


# --- planned appointments -------------------------------------------------------------------

@pytest.mark.parametrize("starts, message", [
    (timedelta(hours=-2), "future"), (timedelta(minutes=-1), "future"), (timedelta(days=367), "year"),
])
def test_a_planned_appointment_in_the_past_or_over_a_year_ahead_is_refused(db, starts, message):
    person = factories.make_client()
    with pytest.raises(ServiceError) as err:
        scheduling.book(db.session, person, None, _now() + starts)
    assert err.value.field == "starts_at"
    assert {"future": "v budoucnu", "year": "rok dopředu"}[message] in str(err.value.message)
    db.session.rollback()
    assert count_rows(Appointment) == 0


def test_a_planned_appointment_tomorrow_and_in_eleven_months_is_booked(db):
    person = factories.make_client()
    scheduling.book(db.session, person, None, _now() + timedelta(days=1))
    scheduling.book(db.session, person, None, _now() + timedelta(days=330))
    assert count_rows(Appointment) == 2


def test_an_old_planned_appointment_can_still_be_edited_and_recorded_but_not_moved_into_the_past(db):
    person = factories.make_client()
    past = factories.make_appointment(client=person, worker=person.worker, starts_at=_now() - timedelta(days=1))
    db.session.commit()
    past.place_note = "Zasedačka"  # not moved: nothing to say about its time
    scheduling.check_booking(db.session, past)
    scheduling.set_status(db.session, past, AppointmentStatus.NO_SHOW)  # attendance of a past appointment
    db.session.commit()
    future = factories.make_appointment(client=person, worker=person.worker, starts_at=_now() + timedelta(days=2))
    db.session.commit()
    future.starts_at = _now() - timedelta(days=2)
    with pytest.raises(ServiceError) as err:
        scheduling.check_booking(db.session, future)
    assert err.value.field == "starts_at"


def test_an_attended_meeting_in_the_past_is_recorded_through_the_case_file(db):
    worker = factories.make_worker()
    person = _old_client(worker=worker)
    factories.make_agreement(client=person, worker=worker, agreed_on=_today() - timedelta(days=20))
    db.session.commit()
    result = case_operations.record_meeting(db.session, person, worker, case_operations.Meeting(
        held_at=_now() - timedelta(days=3), notes="Schůzka z minulého týdne."))
    assert result.appointment.status == AppointmentStatus.ATTENDED


def test_the_appointment_form_refuses_a_past_booking_at_its_field_and_keeps_the_input(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    db.session.commit()
    yesterday = (local_now() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    response = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": person.worker_id, "starts_at": yesterday, "duration_minutes": "45",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and count_rows(Appointment) == 0
    assert "Plánovaná schůzka musí začínat v budoucnu" in page and f'value="{yesterday}"' in page
    too_far = (local_now() + timedelta(days=400)).strftime("%Y-%m-%dT10:00")
    page = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": person.worker_id, "starts_at": too_far, "duration_minutes": "45",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"}).get_data(as_text=True)
    assert "nejvýše rok dopředu" in page and count_rows(Appointment) == 0


# --- intakes, visits, agreements ------------------------------------------------------------

def test_a_visit_before_the_clients_record_existed_or_before_2000_is_refused(db):
    person = _old_client(days=10)
    for when, field_text in ((_now() - timedelta(days=11), "client's record"), (datetime(1999, 12, 31, 12, tzinfo=timezone.utc), None)):
        visit = Visit(client=person if field_text else None, worker=person.worker, occurred_at=when, channel=VisitChannel.PHONE)
        db.session.add(visit)
        with pytest.raises(ServiceError) as err:
            cases.save_visit(db.session, visit)
        assert err.value.field == "occurred_at"
        db.session.rollback()
    # the day the record was created is fine, even earlier that day
    person = _old_client(days=10)
    created_day = local_now().date() - timedelta(days=10)
    visit = Visit(client=person, worker=person.worker, channel=VisitChannel.PHONE,
                  occurred_at=local_to_utc(datetime.combine(created_day, time(0, 5))))
    db.session.add(visit)
    cases.save_visit(db.session, visit)


@pytest.mark.parametrize("field, value, expected", [
    ("held_on", "future", "future"), ("held_on", "before", "record"), ("held_on", "1999", "2000"),
])
def test_an_intake_date_that_cannot_be_right_is_refused_at_its_field(db, field, value, expected):
    person = _old_client(days=5, status=ClientStatus.INTERESTED, worker=None)
    day = {"future": _today() + timedelta(days=1), "before": _today() - timedelta(days=6), "1999": date(1999, 6, 1)}[value]
    intake = Intake(client=person, worker=factories.make_worker(), held_on=day, issue="Bydlení")
    db.session.add(intake)
    with pytest.raises(ServiceError) as err:
        cases.save_intake(db.session, intake)
    assert err.value.field == field
    text = str(err.value.message)
    assert {"future": "v budoucnu", "record": "založení záznamu klienta", "2000": "od 1. 1. 2000"}[expected] in text


@pytest.mark.parametrize("field", ["agreed_on", "ended_on"])
def test_an_agreement_date_before_the_record_or_in_the_future_is_refused(db, field):
    worker = factories.make_worker()
    person = _old_client(days=5, worker=worker)
    agreement = Agreement(client=person, worker=worker, agreed_on=_today() - timedelta(days=2), goal="Cíl",
                          consent_service=True, consent_data=True, status=AgreementStatus.ACTIVE)
    db.session.add(agreement)
    if field == "agreed_on":
        agreement.agreed_on = _today() - timedelta(days=6)
    else:
        agreement.status, agreement.ended_on = AgreementStatus.GOAL_ACHIEVED, _today() + timedelta(days=3)
    with pytest.raises(ServiceError) as err:
        cases.save_agreement(db.session, agreement, True)
    assert err.value.field == field


def test_an_old_date_already_stored_does_not_block_another_change(db):
    """Records made before the rule (or imported) are not refused when something else changes."""
    worker = factories.make_worker()
    person = factories.make_client(worker=worker)
    agreement = factories.make_agreement(client=person, worker=worker, agreed_on=_today() - timedelta(days=40))
    db.session.commit()
    agreement.goal = "Nový cíl"
    cases.save_agreement(db.session, agreement, False)
    db.session.commit()
    assert agreement.agreed_on == _today() - timedelta(days=40)


def test_the_case_file_intake_form_shows_the_error_at_the_date(client, db, login_as):
    login_as("worker")
    person = _old_client(days=3, status=ClientStatus.INTERESTED, worker=None)
    db.session.commit()
    early = (_today() - timedelta(days=4)).isoformat()
    page = client.post(f"/admin/client/case/intake/?id={person.id}", data={
        "held_on": early, "channel": "walk_in", "issue": "Hledá práci"}).get_data(as_text=True)
    assert count_rows(Intake) == 0
    assert "Datum nemůže být dřívější než založení záznamu klienta" in page
    assert 'id="held_on-errors"' in page or "held_on" in page.split("invalid-feedback")[0][-400:]
    assert f'value="{early}"' in page and "Hledá práci" in page


def test_the_visit_form_refuses_a_visit_before_2000(client, db, login_as):
    login_as("reception")
    worker = factories.make_worker()
    db.session.commit()
    response = client.post("/admin/visit/new/", data={
        "occurred_at": "1999-05-05T10:00", "channel": "walk_in", "worker": worker.id, "citizenship": "UA"})
    assert response.status_code == 200 and count_rows(Visit) == 0
    assert "Zadejte datum od 1. 1. 2000" in response.get_data(as_text=True)


def test_a_booking_outside_working_hours_is_saved_with_a_warning_on_every_form(client, db, login_as):
    from tests.admin_views.test_casefile import _meeting

    me = login_as("worker", full_name="Petra Svobodová")
    factories.make_working_hours(worker=me, weekday=0, starts_at=time(8, 0), ends_at=time(12, 0))
    person = factories.make_client(worker=me)
    factories.make_agreement(client=person, worker=me)
    db.session.commit()
    monday = local_now().date() + timedelta(days=7 - local_now().weekday())
    warning = "Upozornění: schůzka je mimo pracovní dobu (Petra Svobodová)."
    # the appointment form: saved, with the warning
    page = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": me.id, "starts_at": f"{monday.isoformat()}T15:00", "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"},
        follow_redirects=True).get_data(as_text=True)
    assert warning in page and count_rows(Appointment) == 1
    # the meeting form's next appointment: saved, with the warning; within the hours: no warning
    page = client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(
        held_at=(local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), notes="Schůzka",
        book_next="y", next_starts_at=f"{(monday + timedelta(days=7)).isoformat()}T16:00", next_worker=str(me.id)),
        follow_redirects=True).get_data(as_text=True)
    assert warning in page and count_rows(Appointment) == 3
    page = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": me.id, "starts_at": f"{monday.isoformat()}T09:00", "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"},
        follow_redirects=True).get_data(as_text=True)
    assert "mimo pracovní dobu" not in page and count_rows(Appointment) == 4
