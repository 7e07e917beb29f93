"""The small demo seed also leaves the centre's activity: audit entries, cover access, reassignments and
data requests, made through the real services, the same for the same seed."""
from __future__ import annotations

from models import AuditEvent, Client, CoverGrant, DataRequest, Reassignment
from models.enums import AuditAction, DataRequestStatus
from services import clients, cover, data_requests, demo
from tests.conftest import count_rows


def _activity(db):
    return {
        "audit": sorted((e.action.value, e.client_code or "", e.entity or "") for e in db.session.query(AuditEvent)),
        "cover": sorted((g.client.code, g.worker.email, g.reason) for g in db.session.query(CoverGrant)),
        "reassign": sorted((r.client.code, r.reason.value) for r in db.session.query(Reassignment)),
        "requests": sorted((r.client_code, r.type.value, r.status.value) for r in db.session.query(DataRequest)),
    }


def _empty(db):
    from models import Base

    db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_the_demo_seed_leaves_activity_to_look_at(client, db, login_as):
    result = demo.seed(db.session, clients=40, seed=7)
    db.session.commit()
    assert result["counts"]["cover_grants"] == count_rows(CoverGrant) == 2
    assert result["counts"]["reassignments"] == count_rows(Reassignment) == 2
    assert result["counts"]["data_requests"] == count_rows(DataRequest) == 3
    actions = {e.action for e in db.session.query(AuditEvent)}
    assert {AuditAction.LOGIN, AuditAction.VIEW, AuditAction.EXPORT, AuditAction.COVER, AuditAction.REASSIGN} <= actions
    assert result["counts"]["audit_events"] == count_rows(AuditEvent)
    # what the screens show: the open requests (one overdue), today's cover, a record's "who accessed"
    assert len(data_requests.open_requests(db.session)) == 2
    assert len(cover.active_grants(db.session)) == 2
    viewed = db.session.query(Client).filter_by(code=db.session.query(AuditEvent.client_code).filter(
        AuditEvent.action == AuditAction.EXPORT).scalar()).one()
    assert {e.action for e in clients.accesses(db.session, viewed)} >= {AuditAction.VIEW, AuditAction.EXPORT}
    assert all(r.status != DataRequestStatus.COMPLETED or r.completed_by_id for r in db.session.query(DataRequest))
    login_as("manager")
    page = client.get("/admin/").get_data(as_text=True)
    assert any(grant.reason in page for grant in db.session.query(CoverGrant))


def test_the_demo_activity_is_the_same_for_the_same_seed(db):
    demo.seed(db.session, clients=25, seed=3)
    db.session.commit()
    first = _activity(db)
    _empty(db)
    demo.seed(db.session, clients=25, seed=3)
    db.session.commit()
    assert _activity(db) == first


# --- the demo as a centre uses it (issue 19) ------------------------------------------------------

def _local(moment):
    from services.timeutil import to_local

    return to_local(moment)


def _themes_by_issue():
    return {text: theme for theme in demo.THEMES for text in theme.issue.values()}


def test_the_demo_has_working_hours_walk_in_hours_and_contacts_while_the_centre_is_open(db):
    from datetime import time

    from models import Appointment, Visit, WalkInHours, Worker, WorkingHours
    from models.enums import Role
    from services import scheduling

    demo.seed(db.session, clients=60, seed=11)
    db.session.commit()
    workers = [w for w in db.session.query(Worker) if Role.WORKER in w.role_set]
    with_hours = {h.worker_id for h in db.session.query(WorkingHours)}
    assert workers and {w.id for w in workers} <= with_hours
    walk_in = db.session.query(WalkInHours).all()
    assert walk_in and all(i.duty_worker is not None for i in walk_in)
    for interval in walk_in:  # the worker on duty is at work then
        assert not scheduling.outside_working_hours(
            db.session, interval.duty_worker_id, scheduling_start(interval), 60)
    for appointment in db.session.query(Appointment):
        start = _local(appointment.starts_at)
        assert start.weekday() < 5 and time(8, 0) <= start.time(), appointment.starts_at
        assert not scheduling.outside_working_hours(db.session, appointment.worker_id, appointment.starts_at,
                                                    appointment.duration_minutes), start
    for moment in [v.occurred_at for v in db.session.query(Visit)] + [c.created_at for c in db.session.query(Client)]:
        local = _local(moment)
        assert local.weekday() < 5 and time(8, 0) <= local.time() < time(16, 30), local
    days = [(a.client_id, _local(a.starts_at).date()) for a in db.session.query(Appointment)]
    assert len(days) == len(set(days))  # one meeting a day with a client
    from datetime import timedelta

    from services.timeutil import local_now

    ahead = [_local(a.starts_at).date() for a in db.session.query(Appointment) if _local(a.starts_at) > local_now()]
    assert ahead and max(ahead) <= local_now().date() + timedelta(days=24)  # the next appointments, weeks ahead
    anonymous = db.session.query(Visit).filter(Visit.client_id.is_(None)).all()
    assert anonymous and all(scheduling.walk_in_status(db.session, v.occurred_at)["open"] for v in anonymous)


def scheduling_start(interval):
    from datetime import date, datetime, timedelta

    from services.timeutil import local_to_utc

    monday = date(2030, 3, 4)
    return local_to_utc(datetime.combine(monday + timedelta(days=interval.weekday), interval.opens_at))


def test_goals_tasks_and_issues_fit_the_client_and_their_grammatical_gender(db):
    from models import Agreement, Intake
    from models.enums import Sex

    demo.seed(db.session, clients=120, seed=12)
    db.session.commit()
    themes = _themes_by_issue()
    seen = set()
    for agreement in db.session.query(Agreement):
        sex = agreement.client.sex
        goal = agreement.goal
        theme = themes[agreement.issue]
        form = demo.gender(sex)
        seen.add(form)
        assert goal == theme.goal[form]  # the goal of the client's own situation, in their gender
        assert {t.description for t in agreement.tasks} <= {text for _who, text in theme.tasks}
        if sex == Sex.MALE:
            assert "Klientka" not in goal and "klientky" not in goal
        elif sex == Sex.FEMALE:
            assert not goal.startswith("Klient ") and "klienta" not in goal
        else:
            assert "Klient" not in goal and "klient" not in goal
    assert seen == {"f", "m", "x"}
    for intake in db.session.query(Intake):
        sex = intake.client.sex
        if sex != Sex.FEMALE:
            assert "Ztratila" not in intake.issue
        if sex != Sex.MALE:
            assert "Ztratil jsem" not in intake.issue
    for client in db.session.query(Client).filter(Client.alias.is_not(None)):
        assert client.alias in demo.ALIASES[demo.gender(client.sex)]


def test_the_bulk_demo_keeps_to_opening_and_working_hours(db):
    from datetime import time

    from models import Agreement, Appointment, Visit, WorkingHours
    from services import demo_bulk

    demo_bulk.seed_bulk(db.session, clients=250, seed=5)
    db.session.commit()
    assert db.session.query(WorkingHours).count() > 0
    for appointment in db.session.query(Appointment).limit(2000):
        start, end = _local(appointment.starts_at), _local(appointment.ends_at)
        assert start.weekday() < 5 and start.time() >= time(8, 0) and end.time() <= time(16, 30), start
    for visit in db.session.query(Visit).limit(2000):
        local = _local(visit.occurred_at)
        assert local.weekday() < 5 and time(8, 0) <= local.time() < time(17, 0), local
    themes = _themes_by_issue()
    for agreement in db.session.query(Agreement).limit(500):
        assert agreement.goal == themes[agreement.issue].goal[demo.gender(agreement.client.sex)]
