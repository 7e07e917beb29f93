"""Rules of intake, agreement, roadmap, appointments and visits."""
from datetime import datetime, timedelta, timezone

import pytest

from models.enums import (
    AgreementStatus, AppointmentPlace, AppointmentStatus, ClientStatus, IntakeEndReason, TaskStatus,
)
from services import cases
from services.errors import ServiceError
from tests import factories
from services.timeutil import local_now


def test_agreement_makes_an_interested_person_a_client_of_that_worker(db):
    worker = factories.make_worker()
    person = factories.make_client(status=ClientStatus.INTERESTED)
    assert person.worker is None
    from models import Agreement

    agreement = Agreement(client=person, worker=worker, agreed_on=local_now().date(), goal="Podat žádost", consent_service=True)
    db.session.add(agreement)
    cases.save_agreement(db.session, agreement, True)
    assert person.status == ClientStatus.CLIENT
    assert person.worker is worker
    assert agreement.consent_recorded_at is not None
    assert agreement.consent_recorded_by is worker


def test_agreement_needs_goal_and_consent(db):
    agreement = factories.make_agreement()
    agreement.consent_service = False
    with pytest.raises(ServiceError) as err:
        cases.save_agreement(db.session, agreement, False)
    assert err.value.field == "consent_service"
    agreement.consent_service = True
    agreement.goal = "  "
    with pytest.raises(ServiceError):
        cases.save_agreement(db.session, agreement, False)


def test_ending_an_agreement_sets_the_end_date(db):
    agreement = factories.make_agreement()
    agreement.status = AgreementStatus.GOAL_ACHIEVED
    cases.save_agreement(db.session, agreement, False)
    assert agreement.ended_on is not None


def test_intake_ends_with_a_reason(db):
    intake = factories.make_intake()
    intake.ended_on = local_now().date()
    with pytest.raises(ServiceError):
        cases.save_intake(db.session, intake)
    intake.end_reason = IntakeEndReason.TRANSLATION_ONLY
    cases.save_intake(db.session, intake)
    assert intake.ended_on == local_now().date()


def test_task_completion_date_follows_status(db):
    task = factories.make_task()
    task.status = TaskStatus.DONE
    cases.save_task(db.session, task)
    assert task.completed_on is not None
    task.status = TaskStatus.OPEN
    cases.save_task(db.session, task)
    assert task.completed_on is None


def test_attended_appointment_updates_last_contact(db):
    when = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    appointment = factories.make_appointment(starts_at=when, status=AppointmentStatus.ATTENDED)
    cases.save_appointment(db.session, appointment)
    db.session.refresh(appointment.client)
    assert appointment.client.last_contact_at == when


def test_planned_appointment_does_not_count_as_contact(db):
    appointment = factories.make_appointment()
    cases.save_appointment(db.session, appointment)
    db.session.refresh(appointment.client)
    assert appointment.client.last_contact_at is None


def test_future_appointment_cannot_be_attended(db):
    appointment = factories.make_appointment(status=AppointmentStatus.ATTENDED)
    with pytest.raises(ServiceError):
        cases.save_appointment(db.session, appointment)


def test_accompaniment_to_a_public_office_names_the_office(db):
    appointment = factories.make_appointment(place=AppointmentPlace.PUBLIC_OFFICE)
    with pytest.raises(ServiceError) as err:
        cases.save_appointment(db.session, appointment)
    assert err.value.field == "office"
    appointment.office = factories.make_office()
    cases.save_appointment(db.session, appointment)


def test_visit_updates_last_contact_and_anonymous_fields_only_without_client(db):
    visit = factories.make_visit(citizenship="VN", language="vi")
    cases.save_visit(db.session, visit)
    assert visit.citizenship is None and visit.language is None
    db.session.refresh(visit.client)
    assert visit.client.last_contact_at == visit.occurred_at
    walk_in = factories.make_visit(anonymous=True, citizenship="VN", language="vi")
    cases.save_visit(db.session, walk_in)
    assert walk_in.client is None and walk_in.citizenship == "VN"


def test_visit_cannot_be_in_the_future(db):
    visit = factories.make_visit(occurred_at=datetime.now(timezone.utc) + timedelta(days=1))
    with pytest.raises(ServiceError):
        cases.save_visit(db.session, visit)


def test_visit_minutes_must_be_sensible(db):
    visit = factories.make_visit(minutes=None)
    visit.minutes = -5
    with pytest.raises(ServiceError) as err:
        cases.save_visit(db.session, visit)
    assert err.value.field == "minutes"
