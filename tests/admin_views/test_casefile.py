"""The case-file pages over HTTP: a whole case run from the case file, the meeting form as one transaction,
what each viewer sees (and the audit of it), a bounded number of queries for long cases, the printable roadmap."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import Agreement, Appointment, AuditEvent, Intake, RoadmapTask, Visit
from models.enums import (
    AgreementStatus, AppointmentStatus, AuditAction, ClientStatus, IntakeEndReason, ReassignReason, Responsible, Role, TaskStatus,
)
from services import clients, cover
from services.timeutil import local_now
from tests import factories
from tests.conftest import count_rows


def _text(response):
    return response.get_data(as_text=True)


def _now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def _local(delta: timedelta) -> str:
    """A wall-clock time in the centre, as typed into a datetime-local field."""
    return (local_now() + delta).strftime("%Y-%m-%dT%H:%M")


def _day(days: int) -> str:
    return (local_now().date() + timedelta(days=days)).isoformat()


def case_url(person, **args) -> str:
    extra = "".join(f"&{k}={v}" for k, v in args.items())
    return f"/admin/client/case/?id={person.id}{extra}"


def _meeting(**fields):
    """A meeting form as the browser posts it (empty new-task rows and an unticked booking included)."""
    data = {
        "appointment": "new", "attendance": "attended", "held_at": "", "duration_minutes": "60", "place": "centre",
        "purpose": "consultation", "notes": "", "evaluation": "", "next_steps": "", "next_starts_at": "",
        "next_duration_minutes": "60", "next_worker": "", "next_other_worker_reason": "", "next_place": "centre",
        "next_office": "", "next_purpose": "consultation",
    }
    for n in range(3):
        data |= {f"new_tasks-{n}-description": "", f"new_tasks-{n}-responsible": "client", f"new_tasks-{n}-due_on": ""}
    data |= fields
    return data


# --- a whole case, from the case file alone --------------------------------------------------

def test_a_worker_runs_a_whole_case_from_the_case_file(client, db, login_as):
    me = login_as("worker")
    topic = factories.make_topic(label_cs="Pobyt", label_en="Residence")
    person = factories.make_client(status=ClientStatus.INTERESTED, first_name="Olena", last_name="Kovalenko")
    db.session.commit()
    base = f"/admin/client/case/%s?id={person.id}"

    page = _text(client.get(case_url(person)))
    assert base % "intake/" in page and base % "meeting/" not in page

    # the first conversation
    response = client.post(base % "intake/", data={"held_on": _day(0), "channel": "walk_in", "minutes": "40",
                                                  "issue": "Končí mi vízum.", "topics": [str(topic.id)]})
    assert response.status_code == 302 and response.headers["Location"].endswith(case_url(person))
    page = _text(client.get(case_url(person)))
    assert "Končí mi vízum." in page and base % "agreement/" in page and base % "end-intake/" in page

    # the agreement: refused without consent to the service, nothing typed is lost
    refused = client.post(base % "agreement/", data={"agreed_on": _day(0), "issue": "Končí mi vízum.",
                                                    "goal": "CÍL-PRODLOUŽIT-POBYT", "consent_data": "y"})
    assert refused.status_code == 200 and "CÍL-PRODLOUŽIT-POBYT" in _text(refused)
    assert count_rows(Agreement) == 0
    response = client.post(base % "agreement/", data={"agreed_on": _day(0), "issue": "Končí mi vízum.",
                                                     "goal": "CÍL-PRODLOUŽIT-POBYT", "consent_service": "y",
                                                     "consent_data": "y"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.status == ClientStatus.CLIENT and person.worker_id == me.id
    agreement = db.session.query(Agreement).one()
    assert agreement.consent_recorded_by_id == me.id and db.session.query(Intake).one().agreement_id == agreement.id

    # meeting 1: not planned; two new tasks; the next appointment with the same worker (preselected)
    form = _text(client.get(base % "meeting/"))
    assert re.search(rf'<option selected value="{me.id}">', form)
    next_at = _local(timedelta(days=7))
    response = client.post(base % "meeting/", data=_meeting(
        held_at=_local(timedelta(hours=-4)), notes="Poznámka 1", evaluation="Zhodnocení 1", next_steps="Kroky 1",
        **{"new_tasks-0-description": "ÚKOL-KLIENTA", "new_tasks-0-responsible": "client", "new_tasks-0-due_on": _day(5),
           "new_tasks-1-description": "ÚKOL-PRACOVNICE", "new_tasks-1-responsible": "worker", "new_tasks-1-due_on": _day(3)},
        book_next="y", next_starts_at=next_at, next_worker=str(me.id),
    ))
    assert response.status_code == 302, _text(response)
    tasks = {t.description: t for t in db.session.query(RoadmapTask)}
    assert set(tasks) == {"ÚKOL-KLIENTA", "ÚKOL-PRACOVNICE"}
    planned = db.session.query(Appointment).filter_by(status=AppointmentStatus.PLANNED).one()
    assert planned.worker_id == me.id
    page = _text(client.get(case_url(person)))
    assert "ÚKOL-KLIENTA" in page and "Zhodnocení 1" in page

    # meeting 2: the planned appointment (it has started); one task done, the other continues
    planned.starts_at = _now() - timedelta(hours=2)
    db.session.commit()
    form = _text(client.get(base % "meeting/"))
    assert re.search(rf'checked[^>]*value="{planned.id}"|value="{planned.id}"[^>]*checked', form)
    client_task, worker_task = tasks["ÚKOL-KLIENTA"], tasks["ÚKOL-PRACOVNICE"]
    response = client.post(base % "meeting/", data=_meeting(
        appointment=str(planned.id), evaluation="Zhodnocení 2", **{
            f"task_{client_task.id}_status": "done", f"task_{client_task.id}_outcome": "Doneseno",
            f"task_{worker_task.id}_status": "continue", f"task_{worker_task.id}_outcome": "Čeká se na úřad",
            "new_tasks-0-description": "ÚKOL-SPOLEČNÝ", "new_tasks-0-responsible": "both", "new_tasks-0-due_on": _day(9)},
    ))
    assert response.status_code == 302, _text(response)
    db.session.refresh(planned)
    assert planned.status == AppointmentStatus.ATTENDED and planned.evaluation == "Zhodnocení 2"
    db.session.refresh(client_task), db.session.refresh(worker_task)
    assert client_task.status == TaskStatus.DONE and worker_task.outcome == "Čeká se na úřad"

    # meeting 3: not planned again; the worker's task was not done, the joint one continues
    joint = db.session.query(RoadmapTask).filter_by(description="ÚKOL-SPOLEČNÝ").one()
    response = client.post(base % "meeting/", data=_meeting(
        held_at=_local(timedelta(minutes=-50)), duration_minutes="30", notes="Poznámka 3",
        **{f"task_{worker_task.id}_status": "not_done", f"task_{worker_task.id}_outcome": "Úřad neodpověděl",
           f"task_{joint.id}_status": "continue"},
    ))
    assert response.status_code == 302, _text(response)
    assert scheduling_counts(person) == {"attended": 3, "no_show": 0, "cancelled_in_advance": 0}
    page = _text(client.get(case_url(person)))
    assert "ÚKOL-SPOLEČNÝ" in page and "Poznámka 3" in page

    # the printable roadmap
    printout = client.get(base % "roadmap/" + "&lang=cs")
    assert printout.status_code == 200 and "CÍL-PRODLOUŽIT-POBYT" in _text(printout) and "ÚKOL-SPOLEČNÝ" in _text(printout)

    # closing, then a new agreement when the client comes back
    response = client.post(base % "close/", data={"status": "goal_achieved", "end_reason": "Pobyt prodloužen.",
                                                 "ended_on": _day(0)})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.status == ClientStatus.CLOSED
    page = _text(client.get(case_url(person)))
    assert base % "agreement/" in page and base % "meeting/" not in page and "Pobyt prodloužen." in page
    response = client.post(base % "agreement/", data={"agreed_on": _day(0), "goal": "NOVÝ-CÍL", "consent_service": "y",
                                                     "consent_data": "y"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.status == ClientStatus.CLIENT and count_rows(Agreement) == 2
    page = _text(client.get(case_url(person)))
    assert "NOVÝ-CÍL" in page and "Pobyt prodloužen." in page  # the history stays


def scheduling_counts(person):
    from extensions import db
    from services import scheduling

    return scheduling.attendance_counts(db.session, person.id)


def test_ending_an_intake_from_the_case_file(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(status=ClientStatus.INTERESTED)
    factories.make_intake(client=person, worker=me, issue="Jen překlad")
    db.session.commit()
    url = f"/admin/client/case/end-intake/?id={person.id}"
    assert client.post(url, data={"end_reason": "other", "ended_on": _day(0)}).status_code == 200  # a note is needed
    assert client.post(url, data={"end_reason": "translation", "ended_on": _day(0)}).status_code == 302
    intake = db.session.query(Intake).one()
    assert intake.end_reason.value == "translation" and intake.ended_on is not None
    page = _text(client.get(case_url(person)))
    assert f"/admin/client/case/intake/?id={person.id}" in page  # a new conversation when the person comes back


# --- one transaction: nothing saved, nothing typed lost ---------------------------------------

def _case_with_tasks(worker):
    person = factories.make_client(worker=worker)
    agreement = factories.make_agreement(client=person, worker=worker)
    tasks = [factories.make_task(agreement=agreement, description="První úkol"),
             factories.make_task(agreement=agreement, description="Druhý úkol", responsible=Responsible.WORKER)]
    planned = factories.make_appointment(client=person, worker=worker, starts_at=_now() - timedelta(minutes=50))
    return person, agreement, tasks, planned


def _snapshot():
    from extensions import db

    db.session.expire_all()
    return {
        "appointments": sorted((a.id, a.status.value, a.notes, a.evaluation, a.next_steps) for a in db.session.query(Appointment)),
        "tasks": sorted((t.id, t.status.value, t.outcome, t.description) for t in db.session.query(RoadmapTask)),
        "audit": count_rows(AuditEvent, AuditEvent.action != AuditAction.VIEW),
    }


@pytest.mark.parametrize("problem", ["overlap", "due_date_before_meeting", "malformed_due_date"])
def test_a_refused_meeting_saves_nothing_and_shows_what_was_typed(problem, client, db, login_as):
    me = login_as("worker", full_name="Jana Pracovnice")
    person, agreement, tasks, planned = _case_with_tasks(me)
    busy_local = (local_now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    factories.make_appointment(client=factories.make_client(worker=me), worker=me, starts_at=busy_local, duration_minutes=60)
    db.session.commit()
    before = _snapshot()
    data = _meeting(
        appointment=str(planned.id), notes="TYPED-NOTES-1", evaluation="TYPED-EVALUATION-2", next_steps="TYPED-NEXT-3",
        **{f"task_{tasks[0].id}_status": "done", f"task_{tasks[0].id}_outcome": "TYPED-OUTCOME-4",
           f"task_{tasks[1].id}_status": "not_done",
           "new_tasks-0-description": "TYPED-NEW-TASK-5", "new_tasks-0-responsible": "both", "new_tasks-0-due_on": _day(4)},
        book_next="y", next_starts_at=(busy_local + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), next_worker=str(me.id),
    )
    if problem == "overlap":
        data["next_starts_at"] = (busy_local + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        field = "next_starts_at"
    elif problem == "due_date_before_meeting":
        data["new_tasks-0-due_on"] = "2001-01-01"
        field = "new_tasks-0-due_on"
    else:
        data["new_tasks-0-due_on"] = "2026-13-45"
        field = "new_tasks-0-due_on"
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=data)
    assert response.status_code == 200
    page = _text(response)
    for typed in ("TYPED-NOTES-1", "TYPED-EVALUATION-2", "TYPED-NEXT-3", "TYPED-OUTCOME-4", "TYPED-NEW-TASK-5"):
        assert typed in page, typed
    assert re.search(rf'id="{field}"[^>]*is-invalid|is-invalid[^>]*id="{field}"', page) or \
        re.search(rf'class="form-control is-invalid" id="{field}"', page), field
    assert f'id="{field}-error"' in page
    assert re.search(rf'checked[^>]*id="task_{tasks[0].id}_status-1"|id="task_{tasks[0].id}_status-1"[^>]*checked', page)
    if problem == "overlap":
        assert "Jana Pracovnice" in page  # the clash names the worker
    assert _snapshot() == before


def test_the_meeting_form_needs_the_csrf_token(client, db, login_as, app, monkeypatch):
    me = login_as("worker")
    person, agreement, tasks, planned = _case_with_tasks(me)
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _snapshot()
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(
        appointment=str(planned.id), notes="BEZ TOKENU"))
    assert response.status_code == 400
    assert _snapshot() == before
    page = _text(client.get(f"/admin/client/case/meeting/?id={person.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(
        appointment=str(planned.id), notes="S TOKENEM", csrf_token=token))
    assert response.status_code == 302


# --- what each viewer sees, and the audit of it ----------------------------------------------

MARKERS = (
    "MARKER-notes", "MARKER-evaluation", "MARKER-next-steps", "MARKER-summary", "MARKER-agreement-issue",
    "MARKER-goal", "MARKER-end-reason", "MARKER-intake-issue", "MARKER-end-note", "MARKER-task", "MARKER-outcome",
    "MARKER-open-task", "MARKER-reassign-note", "MARKER-cover-reason",
)


def _marked_case(db, owner):
    """A client of ``owner`` with a marker in every confidential field and one of every event."""
    manager = factories.make_worker(roles=(Role.MANAGER,))
    person = factories.make_client(worker=owner)
    factories.make_intake(client=person, worker=owner, issue="MARKER-intake-issue", end_note="MARKER-end-note",
                          held_on=local_now().date() - timedelta(days=60), ended_on=local_now().date() - timedelta(days=59),
                          end_reason=IntakeEndReason.OTHER)
    old = factories.make_agreement(client=person, worker=owner, issue="MARKER-agreement-issue", goal="MARKER-goal",
                                   agreed_on=local_now().date() - timedelta(days=39), status=AgreementStatus.ENDED_BY_CLIENT,
                                   ended_on=local_now().date() - timedelta(days=20), end_reason="MARKER-end-reason")
    factories.make_task(agreement=old, description="MARKER-task", outcome="MARKER-outcome", status=TaskStatus.DONE,
                        completed_on=local_now().date() - timedelta(days=25))
    current = factories.make_agreement(client=person, worker=owner, goal="MARKER-goal")
    factories.make_task(agreement=current, description="MARKER-open-task")
    factories.make_visit(client=person, worker=owner, summary="MARKER-summary")
    factories.make_appointment(client=person, worker=owner, starts_at=_now() - timedelta(days=2),
                               status=AppointmentStatus.ATTENDED, notes="MARKER-notes", evaluation="MARKER-evaluation",
                               next_steps="MARKER-next-steps")
    other = factories.make_worker()
    db.session.flush()
    clients.reassign(db.session, person, other, ReassignReason.WORKLOAD, note="MARKER-reassign-note", by=manager)
    clients.reassign(db.session, person, owner, ReassignReason.CLIENT_REQUEST, by=manager)
    cover.grant_cover(db.session, other, person, "MARKER-cover-reason")
    return person


def _views():
    from extensions import db

    return [(e.actor_id, e.client_code, e.entity, (e.details or {}).get("confidential"))
            for e in db.session.query(AuditEvent).filter_by(action=AuditAction.VIEW).order_by(AuditEvent.id)]


def test_reception_gets_the_skeleton_and_no_confidential_content(client, db, login_as):
    me = login_as("reception")
    person = _marked_case(db, factories.make_worker())
    db.session.commit()
    page = _text(client.get(case_url(person)))
    assert person.code in page and person.display_name in page
    assert [m for m in MARKERS if m in page] == []
    assert "/case/meeting/" not in page and "/case/roadmap/" not in page
    assert 'class="border-bottom py-2 case-event case-event-visit"' in page  # the contacts are there
    assert "case-event-agreement" not in page and "case-event-reassignment" not in page
    assert _views() == [(me.id, person.code, "client", False)]
    for path in ("meeting", "close", "agreement", "intake", "end-intake", "roadmap"):
        assert client.get(f"/admin/client/case/{path}/?id={person.id}").status_code == 403


def test_a_worker_without_access_sees_the_skeleton_until_cover_access_and_then_it_is_audited(client, db, login_as):
    me = login_as("worker")
    owner = factories.make_worker()
    person = _marked_case(db, owner)
    db.session.commit()
    page = _text(client.get(case_url(person)))
    assert [m for m in MARKERS if m in page] == []
    assert f"/admin/client/cover/?id={person.id}" in page
    assert client.get(f"/admin/client/case/roadmap/?id={person.id}").status_code == 404
    assert client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(notes="x")).status_code == 403
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED) == 2

    granted = client.post(f"/admin/client/cover/?id={person.id}", data={"reason": "Klientka přišla naléhavě"})
    assert granted.status_code == 302 and granted.headers["Location"].endswith(case_url(person))  # lands on the case file
    page = _text(client.get(case_url(person)))
    for marker in MARKERS:
        if marker in ("MARKER-reassign-note", "MARKER-cover-reason"):
            assert marker not in page  # reassignments are the managers'; another worker's cover reason is theirs
        else:
            assert marker in page, marker
    assert "Klientka přišla naléhavě" in page  # the covering worker's own grant
    assert _views()[-1] == (me.id, person.code, "client", True)
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.COVER, AuditEvent.actor_id == me.id) == 1
    assert f"/admin/client/case/meeting/?id={person.id}" in page


def test_a_manager_reads_the_whole_case_audited_but_writes_nothing(client, db, login_as):
    me = login_as("manager")
    person = _marked_case(db, factories.make_worker())
    db.session.commit()
    page = _text(client.get(case_url(person)))
    assert [m for m in MARKERS if m not in page] == []
    assert _views() == [(me.id, person.code, "client", True)]
    assert "/case/meeting/" not in page and "/case/close/" not in page
    assert client.get(f"/admin/client/case/meeting/?id={person.id}").status_code == 403


def test_the_case_file_is_linked_from_the_client_list_and_details(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    db.session.commit()
    assert f'href="/admin/client/case/?id={person.id}"' in _text(client.get("/admin/client/"))
    assert f'href="/admin/client/case/?id={person.id}"' in _text(client.get(f"/admin/client/details/?id={person.id}"))


@pytest.mark.parametrize("query", ["?id=abc", "?id=", "?id=-1", "?id=99999999999999999999", ""])
def test_a_bad_id_is_a_404(query, client, db, login_as):
    login_as("worker")
    assert client.get(f"/admin/client/case/{query}").status_code == 404


def test_a_bad_page_number_is_harmless(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=me)
    db.session.commit()
    for page in ("abc", "-4", "0", "99999999999999999999999", "1e9"):
        assert client.get(case_url(person, page=page)).status_code == 200, page


# --- a long case stays fast ------------------------------------------------------------------

def _long_case(db, worker, n):
    """About 4·n events of every visible kind, interleaved in time."""
    person = factories.make_client(worker=worker)
    agreement = factories.make_agreement(client=person, worker=worker, agreed_on=local_now().date() - timedelta(days=n + 2))
    topic = factories.make_topic()
    start = _now() - timedelta(days=n + 1)
    rows = []
    for i in range(n):
        day = start + timedelta(days=i)
        visit = Visit(client=person, worker=worker, occurred_at=day, minutes=10, summary=f"S-{i}-S")
        visit.topics = [topic]
        rows += [
            visit,
            Appointment(client=person, worker=worker, starts_at=day + timedelta(hours=2), duration_minutes=30,
                        status=AppointmentStatus.ATTENDED, notes=f"N-{i}-N"),
            RoadmapTask(agreement=agreement, description=f"T{i}", status=TaskStatus.DONE, position=i,
                        created_at=day + timedelta(hours=1), completed_on=(day + timedelta(hours=3)).date()),
        ]
    db.session.add_all(rows)
    db.session.flush()
    return person


def _queries(client, db, url):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return response, len(statements)


def test_a_case_with_hundreds_of_events_renders_with_a_bounded_number_of_queries(client, db, login_as):
    me = login_as("worker")
    small = _long_case(db, me, 4)
    big = _long_case(db, me, 110)
    db.session.commit()
    _, small_queries = _queries(client, db, case_url(small))
    page1, big_queries = _queries(client, db, case_url(big))
    assert "441" in _text(page1)  # 110 × 4 events (a visit, an appointment, a task added and done) and the agreement
    deep, deep_queries = _queries(client, db, case_url(big, page=11))
    last, last_queries = _queries(client, db, case_url(big, page=18))
    # the count does not grow with the case: a long case needs no more queries than a short one, on any page
    assert big_queries == deep_queries <= small_queries <= 30, (small_queries, big_queries, deep_queries)
    assert last_queries <= small_queries, last_queries
    assert "N-109-N" in _text(page1) and "N-0-N" not in _text(page1) and "S-109-S" not in _text(deep)
    assert "S-0-S" in _text(last) and _text(last).count("case-event case-event-") == 441 - 17 * 25


# --- the printable roadmap -------------------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("cs", ('<html lang="cs">', "Co uděláte vy", "Co udělá Jana Nováková", "Co uděláme společně", "S vámi pracuje: Jana Nováková")),
    ("en", ('<html lang="en">', "What you will do", "What Jana Nováková will do", "What we will do together",
            "without an appointment", "in advance by phone or by email", "Your social worker: Jana Nováková")),
])
def test_the_printable_roadmap_in_czech_and_english_is_an_audited_export(lang, expected, client, db, login_as):
    me = login_as("worker", full_name="Jana Nováková")
    person = factories.make_client(worker=me)
    agreement = factories.make_agreement(client=person, worker=me, goal="CÍL-SPOLUPRÁCE")
    factories.make_task(agreement=agreement, description="ÚKOL-KLIENTA", responsible=Responsible.CLIENT)
    factories.make_task(agreement=agreement, description="ÚKOL-PRACOVNICE", responsible=Responsible.WORKER)
    factories.make_task(agreement=agreement, description="ÚKOL-OBOU", responsible=Responsible.BOTH)
    factories.make_task(agreement=agreement, description="HOTOVÝ-ÚKOL", status=TaskStatus.DONE)
    factories.make_appointment(client=person, worker=me, starts_at=_now() + timedelta(days=2))
    db.session.commit()
    response = client.get(f"/admin/client/case/roadmap/?id={person.id}&lang={lang}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = _text(response)
    for text in expected + ("CÍL-SPOLUPRÁCE", "ÚKOL-KLIENTA", "ÚKOL-PRACOVNICE", "ÚKOL-OBOU", "HOTOVÝ-ÚKOL"):
        assert text in page, text
    assert page.index("ÚKOL-KLIENTA") < page.index("ÚKOL-PRACOVNICE") < page.index("ÚKOL-OBOU")
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.EXPORT).one()
    assert (event.actor_id, event.client_code, event.details) == (me.id, person.code, {"format": "roadmap", "lang": lang})
    # the back office stays in the person's own language
    assert 'lang="cs"' in _text(client.get(case_url(person)))


def test_the_roadmap_of_a_case_without_agreement_is_a_404(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(status=ClientStatus.INTERESTED)
    factories.make_intake(client=person, worker=me)
    db.session.commit()
    assert client.get(f"/admin/client/case/roadmap/?id={person.id}").status_code == 404
    assert client.get(f"/admin/client/case/roadmap/?id={person.id}&lang=xx").status_code == 404


def test_dashboards_can_link_to_the_case_file(app):
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string("{{ case_file_url(5) }}|{{ case_file_url(c, page=2) }}", c=type("C", (), {"id": 7})) \
            == "/admin/client/case/?id=5|/admin/client/case/?id=7&amp;page=2"


def _noon_today():
    from services.timeutil import local_to_utc

    return local_to_utc(datetime.combine(local_now().date(), datetime.min.time()).replace(hour=12))


def test_the_workers_dashboard_links_each_client_to_the_case_file(client, db, login_as):
    me = login_as("worker")
    booked = factories.make_client(worker=me, status=ClientStatus.CLIENT)
    factories.make_appointment(client=booked, worker=me, starts_at=_noon_today())
    late = factories.make_client(worker=me, status=ClientStatus.CLIENT)
    agreement = factories.make_agreement(client=late, worker=me)
    factories.make_task(agreement=agreement, due_on=local_now().date() - timedelta(days=3))
    stale = factories.make_client(worker=me, status=ClientStatus.CLIENT)
    stale.created_at = _now() - timedelta(days=200)
    db.session.commit()
    page = _text(client.get("/admin/"))
    assert "/admin/client/case/?id=" in page
    for person in (booked, late, stale):  # today's appointment, an overdue task, no contact for long
        assert f'href="/admin/client/case/?id={person.id}"' in page
    assert "/admin/client/details/" not in page
    assert client.get(f"/admin/client/case/?id={booked.id}").status_code == 200


def test_the_reception_desk_links_to_the_case_file_and_keeps_the_personal_data(client, db, login_as):
    login_as("reception")
    worker = factories.make_worker()
    person = factories.make_client(worker=worker, status=ClientStatus.CLIENT, phone="+420 777 123 456")
    factories.make_appointment(client=person, worker=worker, starts_at=_noon_today())
    db.session.commit()
    page = _text(client.get("/admin/"))  # today's appointments
    assert f'href="/admin/client/case/?id={person.id}"' in page
    page = _text(client.get("/admin/?q=777%20123%20456"))  # a client found by phone
    assert page.count(f'href="/admin/client/case/?id={person.id}"') == 2
    assert f'href="/admin/client/details/?id={person.id}"' in page
    assert client.get(f"/admin/client/case/?id={person.id}").status_code == 200  # appointments and contacts only


def test_the_managers_dashboard_links_cover_access_to_the_case_file(client, db, login_as):
    login_as("manager")
    owner, colleague = factories.make_worker(), factories.make_worker()
    person = factories.make_client(worker=owner, status=ClientStatus.CLIENT)
    db.session.commit()
    cover.grant_cover(db.session, colleague, person, "Klient přišel naléhavě")
    db.session.commit()
    page = _text(client.get("/admin/"))
    assert f'href="/admin/client/case/?id={person.id}"' in page


def test_reception_marks_arrived_and_the_worker_records_that_meeting(client, db, login_as):
    """Issue 19: an arrived appointment is offered first under "Which meeting" and recorded, not refused."""
    me = login_as("worker")
    person = factories.make_client(worker=me, status=ClientStatus.CLIENT)
    factories.make_agreement(client=person, worker=me)
    earlier = factories.make_appointment(client=person, worker=me, starts_at=_now() - timedelta(days=2))
    today = factories.make_appointment(client=person, worker=me, starts_at=_now() - timedelta(minutes=15))
    db.session.commit()
    from services import scheduling

    scheduling.set_status(db.session, db.session.get(Appointment, today.id), AppointmentStatus.ATTENDED)  # the desk
    db.session.commit()
    start = _text(client.get("/admin/"))
    assert f"/admin/client/case/meeting/?id={person.id}&amp;appointment_id={today.id}" in start
    form = _text(client.get(f"/admin/client/case/meeting/?id={person.id}&appointment_id={today.id}"))
    options = re.findall(r'name="appointment"[^>]*value="([^"]+)"', form)
    assert options[:2] == [str(today.id), str(earlier.id)] and options[-1] == "new"
    assert re.search(rf'checked[^>]*value="{today.id}"|value="{today.id}"[^>]*checked', form)
    assert "příchod zapsán, schůzka zatím nezapsána" in form
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(
        appointment=str(today.id), notes="Klientka přišla, probrali jsme nájem."))
    assert response.status_code == 302, _text(response)
    recorded = db.session.get(Appointment, today.id)
    assert recorded.status == AppointmentStatus.ATTENDED and recorded.notes == "Klientka přišla, probrali jsme nájem."
    assert count_rows(Appointment) == 2
    # recording "a meeting that was not planned" at the real time of another arrival is not a double booking
    third = factories.make_appointment(client=person, worker=me, starts_at=_now() - timedelta(hours=3))
    db.session.commit()
    scheduling.set_status(db.session, db.session.get(Appointment, third.id), AppointmentStatus.ATTENDED)
    db.session.commit()
    response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=_meeting(
        held_at=(local_now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"), notes="Druhé setkání."))
    assert response.status_code == 302, _text(response)
    assert count_rows(Appointment) == 3 and db.session.get(Appointment, third.id).notes == "Druhé setkání."
