"""The case file as services: intake → agreement → meetings → closing → a new agreement; the meeting is
one transaction; the timeline shows only what the viewer may see, newest first, a page at a time."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, Intake, RoadmapTask, Visit
from models.enums import (
    AgreementStatus, AppointmentStatus, AuditAction, ClientStatus, IntakeEndReason, ReassignReason, Responsible, Role,
    TaskStatus, VisitChannel,
)
from services import case_operations, casefile, clients, cover, roadmap
from services.case_operations import Meeting, NewTask, NextAppointment, TaskUpdate
from services.errors import ServiceError
from services.timeutil import local_now, to_local
from tests import factories
from tests.conftest import count_rows


def _now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def _today():
    return local_now().date()


def _case(worker=None, **client_fields):
    """A client of ``worker`` with an active agreement and two open tasks."""
    worker = worker or factories.make_worker()
    person = factories.make_client(worker=worker, **client_fields)
    agreement = factories.make_agreement(client=person, worker=worker)
    tasks = [
        factories.make_task(agreement=agreement, description="Donést nájemní smlouvu", responsible=Responsible.CLIENT),
        factories.make_task(agreement=agreement, description="Zavolat na OAMP", responsible=Responsible.WORKER),
    ]
    return worker, person, agreement, tasks


# --- the whole path --------------------------------------------------------------------------

def test_intake_agreement_three_meetings_closing_and_a_new_agreement(db):
    worker = factories.make_worker()
    topic = factories.make_topic(label_cs="Pobyt")
    person = factories.make_client(status=ClientStatus.INTERESTED, first_name="Olena", last_name="Kovalenko")
    assert person.worker is None

    # the first conversation: the issue in the person's words, the topics as the first contact
    intake = case_operations.record_intake(db.session, person, worker, issue="Končí mi vízum a nevím, co dál.",
                                    topic_ids=[topic.id], channel=VisitChannel.WALK_IN, minutes=40)
    db.session.commit()
    assert intake.worker is worker and intake.held_on == _today() and intake.agreement_id is None
    visit = db.session.query(Visit).one()
    assert visit.client is person and [t.code for t in visit.topics] == [topic.code] and visit.summary is None
    with pytest.raises(ServiceError):  # one open intake at a time
        case_operations.record_intake(db.session, person, worker, issue="Znovu")
    db.session.rollback()

    # the agreement: goal and both consents; the person becomes this worker's client
    with pytest.raises(ServiceError) as err:  # personal data given, consent to processing it missing
        case_operations.make_agreement(db.session, person, worker, goal="Podat žádost o dlouhodobý pobyt",
                                consent_service=True, consent_data=False)
    assert err.value.field == "consent_data"
    db.session.rollback()
    agreement = case_operations.make_agreement(db.session, person, worker, goal="Podat žádost o dlouhodobý pobyt",
                                        consent_service=True, consent_data=True)
    db.session.commit()
    assert person.status == ClientStatus.CLIENT and person.worker is worker
    assert agreement.issue == "Končí mi vízum a nevím, co dál."  # taken over from the intake
    assert agreement.consent_recorded_by is worker and agreement.consent_recorded_at is not None
    assert db.session.get(Intake, intake.id).agreement_id == agreement.id

    # meeting 1: not planned ahead; two tasks; the next appointment with the same worker
    next_start = (_now() + timedelta(days=7)).replace(hour=9, minute=0, second=0)
    result = case_operations.record_meeting(db.session, person, worker, Meeting(
        notes="Probrali jsme podmínky.", evaluation="Klientka ví, co potřebuje.", next_steps="Sehnat doklady.",
        new_tasks=[NewTask("Donést nájemní smlouvu", Responsible.CLIENT, _today() + timedelta(days=5)),
                   NewTask("Ověřit seznam dokladů", Responsible.WORKER, _today() + timedelta(days=3), row=1),
                   NewTask("", Responsible.CLIENT, None, row=2)],
        next_appointment=NextAppointment(starts_at=next_start, duration_minutes=45),
    ))
    db.session.commit()
    first = result.appointment
    assert first.status == AppointmentStatus.ATTENDED and first.worker is worker and first.notes == "Probrali jsme podmínky."
    assert [t.description for t in result.created] == ["Donést nájemní smlouvu", "Ověřit seznam dokladů"]
    assert result.next_appointment.worker is worker and result.next_appointment.status == AppointmentStatus.PLANNED
    assert person.last_contact_at is not None

    # meeting 2: the planned appointment (moved into the past to record it); one task done, one continues
    planned = result.next_appointment
    planned.starts_at = _now() - timedelta(hours=2)
    db.session.commit()
    client_task, worker_task = result.created
    result = case_operations.record_meeting(db.session, person, worker, Meeting(
        appointment_id=planned.id, attendance=AppointmentStatus.ATTENDED, evaluation="Smlouva donesena.",
        task_updates=[TaskUpdate(client_task.id, "done", "Doneseno"), TaskUpdate(worker_task.id, "continue", "Čekám na OAMP")],
        new_tasks=[NewTask("Společně vyplnit žádost", Responsible.BOTH, _today() + timedelta(days=10))],
    ))
    db.session.commit()
    assert planned.status == AppointmentStatus.ATTENDED and planned.evaluation == "Smlouva donesena."
    # done on the meeting's own (local) day, two hours ago: yesterday just after midnight
    assert client_task.status == TaskStatus.DONE and client_task.completed_on == to_local(planned.starts_at).date() and client_task.outcome == "Doneseno"
    assert worker_task.status == TaskStatus.OPEN and worker_task.outcome == "Čekám na OAMP"

    # meeting 3: a no-show of a planned appointment is recorded as such
    missed = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(minutes=30), duration_minutes=20)
    db.session.commit()
    case_operations.record_meeting(db.session, person, worker, Meeting(
        appointment_id=missed.id, attendance=AppointmentStatus.NO_SHOW, notes="Nepřišla, napíšu e-mail.",
        task_updates=[TaskUpdate(worker_task.id, "not_done", "OAMP neodpověděl")],
    ))
    db.session.commit()
    assert missed.status == AppointmentStatus.NO_SHOW and worker_task.status == TaskStatus.NOT_DONE

    # closing: the status and the reason; open tasks are dropped; the client is closed
    closed = case_operations.close_case(db.session, person, worker, status=AgreementStatus.GOAL_ACHIEVED,
                                 reason="Žádost podána.")
    db.session.commit()
    assert closed.status == AgreementStatus.GOAL_ACHIEVED and closed.ended_on == _today()
    assert person.status == ClientStatus.CLOSED
    assert {t.description: t.status for t in closed.tasks}["Společně vyplnit žádost"] == TaskStatus.DROPPED

    # the client comes back: a new agreement with the same worker; the history stays
    again = case_operations.make_agreement(db.session, person, worker, goal="Pomoc s trvalým pobytem", consent_service=True,
                                    consent_data=True)
    db.session.commit()
    assert person.status == ClientStatus.CLIENT and again.worker is worker
    assert count_rows(Agreement) == 2 and count_rows(RoadmapTask) == 3

    # the timeline has it all, newest first
    page = casefile.timeline(db.session, person, worker)
    kinds = [e.kind for e in page.events]
    assert kinds[0] == "agreement" and kinds.count("agreement") == 2 and "agreement_end" in kinds
    assert {"intake", "visit", "appointment", "task", "task_added"} <= set(kinds)
    assert kinds.count("task_added") == 3 and kinds.count("task") == 3  # added at meetings; done, not done, dropped
    assert kinds.index("agreement_end") < kinds.index("appointment")  # the closing came after the last meeting
    assert roadmap.printed(db.session, person, worker)["agreement"] is again

    # every write is in the audit trail, with field names and never the text
    actions = {(e.action, e.entity) for e in db.session.query(AuditEvent)}
    assert {(AuditAction.CREATE, "intake"), (AuditAction.CREATE, "agreement"), (AuditAction.CREATE, "roadmap_task"),
            (AuditAction.UPDATE, "roadmap_task"), (AuditAction.UPDATE, "appointment"), (AuditAction.UPDATE, "agreement"),
            (AuditAction.UPDATE, "client")} <= actions
    assert "Probrali" not in str([e.details for e in db.session.query(AuditEvent)])


def test_ending_the_intake_needs_a_reason_and_keeps_an_interested_person(db):
    worker = factories.make_worker()
    person = factories.make_client(status=ClientStatus.INTERESTED)
    case_operations.record_intake(db.session, person, worker, issue="Potřebuji jen přeložit dopis.")
    with pytest.raises(ServiceError) as err:
        case_operations.end_intake(db.session, person, worker, reason=IntakeEndReason.OTHER)
    assert err.value.field == "end_note"
    with pytest.raises(ServiceError):
        case_operations.end_intake(db.session, person, worker, reason="nonsense")
    intake = case_operations.end_intake(db.session, person, worker, reason=IntakeEndReason.TRANSLATION_ONLY, note="Odkázána na tlumočníka")
    db.session.commit()
    assert intake.end_reason == IntakeEndReason.TRANSLATION_ONLY and intake.ended_on == _today()
    assert person.status == ClientStatus.INTERESTED and person.worker is None
    # the intake is over: a new conversation may be recorded when the person comes back
    with pytest.raises(ServiceError):
        case_operations.make_agreement(db.session, person, worker, goal="x", consent_service=True, consent_data=True)
    case_operations.record_intake(db.session, person, worker, issue="Přišla znovu, jiný problém.")


def test_an_anonymous_person_needs_no_consent_to_processing_personal_data(db):
    worker = factories.make_worker()
    person = factories.make_client(status=ClientStatus.INTERESTED, first_name=None, last_name=None, is_anonymous=True,
                                   alias="Paní z Kladna")
    case_operations.record_intake(db.session, person, worker, issue="Pracovní smlouva")
    agreement = case_operations.make_agreement(db.session, person, worker, goal="Rozumět smlouvě", consent_service=True,
                                        consent_data=False)
    assert agreement.consent_data is False and person.status == ClientStatus.CLIENT


def test_only_the_clients_own_worker_or_cover_writes(db):
    worker, person, agreement, tasks = _case()
    colleague = factories.make_worker()
    manager = factories.make_worker(roles=(Role.MANAGER,))
    db.session.commit()
    for who in (colleague, manager):
        with pytest.raises(ServiceError):
            case_operations.record_meeting(db.session, person, who, Meeting(notes="x"))
        with pytest.raises(ServiceError):
            case_operations.close_case(db.session, person, who, status=AgreementStatus.ENDED_BY_CLIENT, reason="x")
        db.session.rollback()
    cover.grant_cover(db.session, colleague, person, "Kolegyně je nemocná")
    result = case_operations.record_meeting(db.session, person, colleague, Meeting(notes="Zástup: klientka přišla"))
    assert result.appointment.worker is colleague and result.appointment.other_worker_reason  # not the own worker


def test_a_meeting_is_one_transaction_an_overlap_saves_nothing(db):
    worker, person, agreement, tasks = _case()
    planned = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(hours=1))
    other = factories.make_client(worker=worker)
    busy = _now().replace(minute=0, second=0) + timedelta(days=2)
    factories.make_appointment(client=other, worker=worker, starts_at=busy, duration_minutes=60)
    db.session.commit()
    before = {"appointments": count_rows(Appointment), "tasks": count_rows(RoadmapTask), "audit": count_rows(AuditEvent)}
    meeting = Meeting(
        appointment_id=planned.id, notes="TYPED-NOTES", evaluation="TYPED-EVALUATION", next_steps="TYPED-NEXT",
        task_updates=[TaskUpdate(tasks[0].id, "done", "hotovo"), TaskUpdate(tasks[1].id, "not_done", "nestihl")],
        new_tasks=[NewTask("Nový úkol", Responsible.CLIENT, _today() + timedelta(days=3))],
        next_appointment=NextAppointment(starts_at=busy + timedelta(minutes=30)),
    )
    with pytest.raises(ServiceError) as err:
        case_operations.record_meeting(db.session, person, worker, meeting)
    assert err.value.field == "next_starts_at"
    db.session.rollback()
    db.session.expire_all()
    assert {"appointments": count_rows(Appointment), "tasks": count_rows(RoadmapTask), "audit": count_rows(AuditEvent)} == before
    planned = db.session.get(Appointment, planned.id)
    assert planned.status == AppointmentStatus.PLANNED and planned.notes is None and planned.evaluation is None
    assert [db.session.get(RoadmapTask, t.id).status for t in tasks] == [TaskStatus.OPEN, TaskStatus.OPEN]
    assert db.session.get(RoadmapTask, tasks[0].id).outcome is None
    # the same meeting with a free slot goes through
    meeting.next_appointment = NextAppointment(starts_at=busy + timedelta(hours=2))
    result = case_operations.record_meeting(db.session, person, worker, meeting)
    assert result.next_appointment is not None and len(result.created) == 1


@pytest.mark.parametrize("bad, field", [
    (Meeting(new_tasks=[NewTask("Úkol", Responsible.CLIENT, date(2000, 1, 1), row=1)]), "new_tasks-1-due_on"),
    (Meeting(new_tasks=[NewTask("", Responsible.CLIENT, date(2099, 1, 1), row=0)]), "new_tasks-0-description"),
    (Meeting(held_at=datetime(2099, 1, 1, tzinfo=timezone.utc)), "held_at"),
    (Meeting(attendance=AppointmentStatus.NO_SHOW), "attendance"),
    (Meeting(next_appointment=NextAppointment(starts_at=datetime(2000, 1, 1, tzinfo=timezone.utc))), "next_starts_at"),
    (Meeting(task_updates=[TaskUpdate(10**9, "done")]), f"task_{10**9}_status"),
])
def test_a_meeting_with_bad_data_is_refused_at_its_field(db, bad, field):
    worker, person, agreement, tasks = _case()
    db.session.commit()
    before = (count_rows(Appointment), count_rows(RoadmapTask), count_rows(AuditEvent))
    with pytest.raises(ServiceError) as err:
        case_operations.record_meeting(db.session, person, worker, bad)
    assert err.value.field == field
    db.session.rollback()
    assert (count_rows(Appointment), count_rows(RoadmapTask), count_rows(AuditEvent)) == before


def test_a_recorded_appointment_cannot_be_recorded_again_nor_another_clients(db):
    worker, person, agreement, tasks = _case()
    done = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(days=1),
                                      status=AppointmentStatus.ATTENDED, notes="Zapsáno")
    foreign = factories.make_appointment(client=factories.make_client(worker=worker), worker=worker,
                                         starts_at=_now() - timedelta(days=2))
    for appointment in (done, foreign):
        with pytest.raises(ServiceError) as err:
            case_operations.record_meeting(db.session, person, worker, Meeting(appointment_id=appointment.id, notes="x"))
        assert err.value.field == "appointment"


def test_an_appointment_reception_marked_arrived_is_offered_first_and_recorded_once(db):
    from services import scheduling

    worker, person, agreement, tasks = _case()
    older = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(days=3))
    arrived = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(minutes=20))
    db.session.commit()
    scheduling.set_status(db.session, arrived, AppointmentStatus.ATTENDED)  # reception: "Arrived"
    db.session.commit()
    assert case_operations.is_arrived(arrived)
    assert [a.id for a in case_operations.planned_appointments(db.session, person, until=_now() + timedelta(hours=8))] == \
        [arrived.id, older.id]
    with pytest.raises(ServiceError) as err:  # an arrived appointment is recorded with what was said
        case_operations.record_meeting(db.session, person, worker, Meeting(appointment_id=arrived.id))
    assert err.value.field == "notes"
    db.session.rollback()
    result = case_operations.record_meeting(db.session, person, worker, Meeting(
        appointment_id=arrived.id, notes="Klientka donesla smlouvu.", task_updates=[TaskUpdate(tasks[0].id, "done")]))
    db.session.commit()
    assert result.appointment.id == arrived.id and count_rows(Appointment) == 2
    assert arrived.status == AppointmentStatus.ATTENDED and arrived.notes == "Klientka donesla smlouvu."
    assert not case_operations.is_arrived(arrived)
    assert [a.id for a in case_operations.planned_appointments(db.session, person)] == [older.id]
    with pytest.raises(ServiceError) as err:  # recorded once
        case_operations.record_meeting(db.session, person, worker, Meeting(appointment_id=arrived.id, notes="Znovu"))
    assert err.value.field == "appointment"


def test_an_unplanned_meeting_at_the_time_of_an_arrived_appointment_records_that_appointment(db):
    from services import scheduling

    worker, person, agreement, tasks = _case()
    start = _now().replace(second=0) - timedelta(minutes=30)
    arrived = factories.make_appointment(client=person, worker=worker, starts_at=start, duration_minutes=60)
    db.session.commit()
    scheduling.set_status(db.session, arrived, AppointmentStatus.ATTENDED)
    db.session.commit()
    # the worker records "a meeting that was not planned" at the real time: not a double booking
    result = case_operations.record_meeting(db.session, person, worker, Meeting(
        held_at=start + timedelta(minutes=5), duration_minutes=50, notes="Probrali jsme nájem."))
    db.session.commit()
    assert result.appointment.id == arrived.id and count_rows(Appointment) == 1
    assert db.session.get(Appointment, arrived.id).notes == "Probrali jsme nájem."
    # another client's arrived appointment of the same worker at that time still blocks the time
    other = factories.make_client(worker=worker)
    factories.make_agreement(client=other, worker=worker)
    db.session.commit()
    with pytest.raises(ServiceError) as err:
        case_operations.record_meeting(db.session, other, worker, Meeting(held_at=start, notes="x"))
    assert err.value.field == "held_at"


# --- what the viewer sees --------------------------------------------------------------------

def _full_history(db, worker):
    """A case with one of every kind of event, a marker in every confidential field."""
    manager = factories.make_worker(roles=(Role.MANAGER,))
    person = factories.make_client(status=ClientStatus.INTERESTED)
    factories.make_intake(client=person, worker=worker, held_on=_today() - timedelta(days=30), issue="M-intake-issue",
                          end_note="M-intake-note")
    agreement = factories.make_agreement(client=person, worker=worker, issue="M-agreement-issue", goal="M-goal",
                                         agreed_on=_today() - timedelta(days=29))
    person.status, person.worker = ClientStatus.CLIENT, worker
    factories.make_task(agreement=agreement, description="M-task", outcome="M-outcome", status=TaskStatus.DONE,
                        completed_on=_today() - timedelta(days=5))
    factories.make_visit(client=person, worker=worker, summary="M-summary", occurred_at=_now() - timedelta(days=20))
    factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(days=10),
                               status=AppointmentStatus.ATTENDED, notes="M-notes", evaluation="M-evaluation",
                               next_steps="M-next-steps")
    colleague = factories.make_worker()
    db.session.flush()
    clients.reassign(db.session, person, colleague, ReassignReason.WORKLOAD, note="M-reassign-note", by=manager)
    clients.reassign(db.session, person, worker, ReassignReason.CLIENT_REQUEST, by=manager)
    return person, manager, colleague


def test_the_timeline_shows_each_viewer_only_what_they_may_see(db):
    worker = factories.make_worker()
    person, manager, colleague = _full_history(db, worker)
    reception = factories.make_worker(roles=(Role.RECEPTION,))
    db.session.commit()

    def seen(user):
        page = casefile.timeline(db.session, person, user)
        return {e.kind for e in page.events}, " ".join(str(e.text) for e in page.events)

    kinds, text = seen(reception)
    assert kinds == {"visit", "appointment"} and "M-" not in text
    kinds, text = seen(colleague)  # another worker: what reception sees
    assert kinds == {"visit", "appointment"} and "M-" not in text
    kinds, text = seen(worker)  # the own worker: the whole case, but reassignments are the managers'
    assert kinds == {"visit", "appointment", "intake", "agreement", "task_added", "task"}
    for marker in ("M-intake-issue", "M-goal", "M-task", "M-outcome", "M-summary", "M-notes", "M-evaluation", "M-next-steps"):
        assert marker in text
    kinds, text = seen(manager)
    assert kinds == {"visit", "appointment", "intake", "agreement", "task_added", "task", "reassignment"} and "M-reassign-note" in text

    # the case-file page as a whole follows the same rule
    skeleton = casefile.case_file(db.session, person, reception)
    assert skeleton.agreement is None and skeleton.intake is None and not skeleton.confidential
    assert not (skeleton.can_record_meeting or skeleton.can_close or skeleton.can_make_agreement)
    assert roadmap.printed(db.session, person, reception) is None
    assert roadmap.printed(db.session, person, colleague) is None
    full = casefile.case_file(db.session, person, worker)
    assert full.confidential and full.agreement.goal == "M-goal" and full.can_record_meeting


def test_tasks_added_and_completed_are_task_changes_in_the_timeline_for_those_who_may_see_tasks(db):
    worker, person, agreement, tasks = _case()
    reception = factories.make_worker(roles=(Role.RECEPTION,))
    colleague = factories.make_worker()
    db.session.commit()
    result = case_operations.record_meeting(db.session, person, worker, Meeting(
        task_updates=[TaskUpdate(tasks[0].id, "done", "T-outcome")],
        new_tasks=[NewTask("T-new-task", Responsible.BOTH, _today() + timedelta(days=7))],
    ))
    db.session.commit()
    added = result.created[0]

    events = casefile.timeline(db.session, person, worker).events
    by_kind = {}
    for e in events:
        by_kind.setdefault(e.kind, []).append(e)
    assert {e.id for e in by_kind["task_added"]} == {tasks[0].id, tasks[1].id, added.id}
    new = next(e for e in by_kind["task_added"] if e.id == added.id)
    assert new.text == {"description": "T-new-task"} and new.facts["responsible"] == Responsible.BOTH
    assert new.facts["due_on"] == _today() + timedelta(days=7) and new.at == added.created_at
    assert [(e.id, e.facts["status"]) for e in by_kind["task"]] == [(tasks[0].id, TaskStatus.DONE)]
    assert by_kind["task"][0].text["outcome"] == "T-outcome"
    kinds = [e.kind for e in events]
    assert kinds.index("task_added") < kinds.index("agreement")  # added after the agreement was made: shown above it

    # no task, added or changed, for a viewer who may not see the roadmap
    for viewer in (reception, colleague):
        seen = casefile.timeline(db.session, person, viewer)
        assert not {e.kind for e in seen.events} & {"task", "task_added"}
        assert seen.total == len([k for k in kinds if k in ("visit", "appointment")])


def test_cover_access_opens_the_case_and_its_grant_shows_in_the_timeline(db):
    worker = factories.make_worker()
    person, manager, colleague = _full_history(db, worker)
    db.session.commit()
    assert not casefile.rights(db.session, colleague, person).read
    assert casefile.rights(db.session, colleague, person).cover
    cover.grant_cover(db.session, colleague, person, "Klientka přišla naléhavě")
    db.session.commit()
    who = casefile.rights(db.session, colleague, person)
    assert who.read and who.write and not who.cover
    page = casefile.timeline(db.session, person, colleague)
    assert page.events[0].kind == "cover" and page.events[0].worker == colleague.full_name
    assert "M-goal" in str([e.text for e in page.events])


def test_the_timeline_is_newest_first_and_paged(db):
    worker, person, agreement, tasks = _case()
    start = _now() - timedelta(days=60)
    for n in range(30):
        factories.make_visit(client=person, worker=worker, occurred_at=start + timedelta(days=n), minutes=n)
    db.session.commit()
    first = casefile.timeline(db.session, person, worker, page=1, page_size=10)
    assert first.total == 33 and first.pages == 4 and len(first.events) == 10  # 30 visits, the agreement, 2 tasks added
    everything = []
    for n in range(1, 5):
        everything += casefile.timeline(db.session, person, worker, page=n, page_size=10).events
    assert len(everything) == 33 and len({(e.kind, e.id) for e in everything}) == 33

    def key(e):
        at = e.at if isinstance(e.at, datetime) else datetime.combine(e.at, datetime.max.time(), tzinfo=timezone.utc)
        return at

    assert [key(e) for e in everything] == sorted((key(e) for e in everything), reverse=True)
    assert casefile.timeline(db.session, person, worker, page=99, page_size=10).page == 4  # clamped
    assert casefile.timeline(db.session, person, worker, page=-3, page_size=10).page == 1


def test_a_page_of_the_timeline_counts_events_not_their_topics(db):
    """The page's rows come with their topics in the same query; paging must still count events."""
    worker, person, _agreement, _tasks = _case()
    topics = [factories.make_topic() for _ in range(3)]
    start = _now() - timedelta(days=40)
    for n in range(12):
        visit = factories.make_visit(client=person, worker=worker, occurred_at=start + timedelta(days=n))
        visit.topics = topics[: 1 + n % 3]
    db.session.commit()
    db.session.expire_all()
    first = casefile.timeline(db.session, person, worker, page=1, page_size=5)
    assert first.total == 15 and len(first.events) == 5
    pages = [casefile.timeline(db.session, person, worker, page=n, page_size=5).events for n in (1, 2, 3)]
    visits = [e for page in pages for e in page if e.kind == "visit"]
    assert len(visits) == 12
    assert sorted(len(e.facts["topics"]) for e in visits) == [1] * 4 + [2] * 4 + [3] * 4


def test_open_case_file_answers_with_the_scoped_parts(db):
    worker, person, agreement, tasks = _case()
    reception = factories.make_worker(roles=[Role.RECEPTION])
    db.session.commit()
    full = casefile.open_case_file(db.session, person.id, worker)
    assert full.agreement is agreement and full.rights.read and full.rights.write
    assert {item["task"].id for group in full.roadmap.values() for item in group} == {t.id for t in tasks}
    skeleton = casefile.open_case_file(db.session, person.id, reception)
    assert skeleton.agreement is None and skeleton.intake is None and not skeleton.rights.read
    assert casefile.open_case_file(db.session, 10**9, worker) is None


def test_the_timeline_statement_built_once_serves_every_client_time_and_page_with_its_own_rows(db):
    """The timeline's statement is kept per viewer shape (casefile._statements) with the client, the time
    and the page as parameters: each client still gets exactly their own events, planned appointments
    appear once their time has passed, and pages do not overlap."""
    worker = factories.make_worker()
    first, second = factories.make_client(worker=worker), factories.make_client(worker=worker)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    mine = [factories.make_visit(client=first, worker=worker, occurred_at=start + timedelta(days=i)) for i in range(30)]
    theirs = [factories.make_visit(client=second, worker=worker, occurred_at=start + timedelta(days=i)) for i in range(3)]
    db.session.commit()
    casefile._STATEMENTS.clear()

    def ids(client, page=1):
        return [e.id for e in casefile.timeline(db.session, client, worker, page=page, page_size=25).events]

    assert set(ids(first)) | set(ids(first, 2)) == {v.id for v in mine}
    assert not set(ids(first)) & set(ids(first, 2)) and len(ids(first, 2)) == 5
    assert set(ids(second)) == {v.id for v in theirs}
    assert len(casefile._STATEMENTS) == 1  # one shape: the same worker, holding both clients
    manager = factories.make_worker(roles=(Role.MANAGER,))
    db.session.commit()
    assert set(casefile.timeline(db.session, second, manager).events[i].id for i in range(3)) == {v.id for v in theirs}
    assert len(casefile._STATEMENTS) == 2
