"""Who may see what: the role × endpoint matrix, id tampering, confidential text, cover access,
reassignment and the audit of every read."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, Client, CoverGrant, Intake, RoadmapTask, Visit
from models.enums import AuditAction, ClientStatus, Role
from tests import factories
from tests.conftest import PASSWORD, count_rows

ROLES = ("reception", "worker", "manager", "admin")

# --- the matrix ------------------------------------------------------------------------------
# Who may open each screen. Written out here on purpose: this table is the specification the
# policy in services/access.py is checked against.
SCREEN = {
    "admin": {"reception", "worker", "manager", "admin"},
    "client": {"reception", "worker", "manager"},
    "intake": {"worker", "manager"},
    "agreement": {"worker", "manager"},
    "task": {"worker", "manager"},
    "appointment": {"reception", "worker", "manager"},
    "visit": {"reception", "worker", "manager"},
    "worker": {"admin"},
    "topic": {"admin"},
    "office": {"admin"},
    "audit": {"manager"},
    "data_request": {"manager"},
    "walkin_hours": {"admin"},
    "working_hours": {"admin"},
}
#: Flask-Admin endpoints of each model screen and what an allowed role gets (None: see EXCEPTIONS).
KINDS = {
    "index_view": 200, "create_view": 200, "details_view": 200, "edit_view": 200, "delete_view": 404,
    "action_view": 302, "export": 302, "ajax_lookup": 404, "ajax_update": 404,
}
#: Outcomes for allowed roles that differ from KINDS.
EXCEPTIONS = {
    "audit.create_view": 302, "audit.edit_view": 302,  # read-only
    # no delete on these screens: the form redirects back (erasure and deactivation are separate operations)
    "audit.delete_view": 302, "client.delete_view": 302, "intake.delete_view": 302, "agreement.delete_view": 302,
    "worker.delete_view": 302, "data_request.delete_view": 302,
    "topic.details_view": 302, "office.details_view": 302,  # no details page
    "walkin_hours.details_view": 302, "working_hours.details_view": 302,
    "intake.ajax_lookup": 200, "agreement.ajax_lookup": 200, "task.ajax_lookup": 200,
    "appointment.ajax_lookup": 200, "visit.ajax_lookup": 200, "data_request.ajax_lookup": 200,
}
#: Custom pages: exact outcome per role.
CUSTOM = {
    "admin.index": {"reception": 200, "worker": 200, "manager": 200, "admin": 200},
    "client.reassign_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    "client.cover_view": {"reception": 403, "worker": 200, "manager": 403, "admin": 403},
    "client.accesses_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    "client.export_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    "client.anonymise_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    "client.delete_record_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    # the case file: everyone at the client screen opens it (the content follows the policy); writing is for the
    # client's own worker or cover (the worker here is not the client's: 403); the printable roadmap is case content
    "client.case_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    "client.case_intake_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_agreement_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_end_intake_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_meeting_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_close_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_roadmap_view": {"reception": 403, "worker": 404, "manager": 200, "admin": 403},
    "retention.index": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    # reports: managers every figure, social workers their own clients' figures
    "reports.index": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "reports.statement_view": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "reports.export_view": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "calendar.index": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    # the desk's quick actions: a POST for an appointment that does not exist is a 404 for those who may act
    "calendar.status": {"reception": 404, "worker": 404, "manager": 404, "admin": 403},
    "calendar.walk_in": {"reception": 302, "worker": 302, "manager": 302, "admin": 403},
    "calendar_link.index": {"reception": 403, "worker": 200, "manager": 403, "admin": 403},
    # my account: everyone's own; recovery codes and turning two-factor sign-in off lead back while it is off
    "account.index": {"reception": 200, "worker": 200, "manager": 200, "admin": 200},
    "account.password_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 200},
    "account.two_factor_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 200},
    "account.recovery_view": {"reception": 302, "worker": 302, "manager": 302, "admin": 302},
    "account.disable_view": {"reception": 302, "worker": 302, "manager": 302, "admin": 302},
    # sign-in lockouts: managers and admins see and lift them (an account that does not exist: 404)
    "lockouts.index": {"reception": 403, "worker": 403, "manager": 200, "admin": 200},
    "lockouts.lift_view": {"reception": 403, "worker": 403, "manager": 404, "admin": 404},
}
CUSTOM_PATHS = {
    "client.reassign_view": "/admin/client/reassign/?id={id}", "client.cover_view": "/admin/client/cover/?id={id}",
    "client.accesses_view": "/admin/client/accesses/?id={id}", "client.export_view": "/admin/client/export/?id={id}",
    "client.anonymise_view": "/admin/client/anonymise/?ids={id}", "client.delete_record_view": "/admin/client/delete-record/?id={id}",
    "client.case_view": "/admin/client/case/?id={id}", "client.case_intake_view": "/admin/client/case/intake/?id={id}",
    "client.case_agreement_view": "/admin/client/case/agreement/?id={id}",
    "client.case_end_intake_view": "/admin/client/case/end-intake/?id={id}",
    "client.case_meeting_view": "/admin/client/case/meeting/?id={id}", "client.case_close_view": "/admin/client/case/close/?id={id}",
    "client.case_roadmap_view": "/admin/client/case/roadmap/?id={id}",
    "retention.index": "/admin/retention/",
    "reports.index": "/admin/reports/", "reports.statement_view": "/admin/reports/statement/",
    "reports.export_view": "/admin/reports/export/csv/",
    "calendar.index": "/admin/calendar/",
    "calendar_link.index": "/admin/calendar-link/",
    "account.password_view": "/admin/account/password/", "account.two_factor_view": "/admin/account/two-factor/",
    "account.recovery_view": "/admin/account/recovery-codes/", "account.disable_view": "/admin/account/two-factor/off/",
    "account.index": "/admin/account/", "lockouts.index": "/admin/lockouts/",
}
#: Custom pages answering a POST: (path, form data)
CUSTOM_POSTS = {
    "calendar.status": ("/admin/calendar/status/", {"appointment_id": str(10**9), "status": "no_show"}),
    "calendar.walk_in": ("/admin/calendar/walk-in/", {"citizenship": "UA"}),
    "lockouts.lift_view": ("/admin/lockouts/lift/", {"worker_id": str(10**9)}),
}
AJAX_NAME = {"intake": "client", "agreement": "client", "task": "agreement", "appointment": "client", "visit": "client",
             "data_request": "client"}


def expected_status(endpoint: str, role: str) -> int:
    if endpoint in CUSTOM:
        return CUSTOM[endpoint][role]
    view, kind = endpoint.split(".")
    if role not in SCREEN[view]:
        return 403
    return EXCEPTIONS.get(endpoint, KINDS[kind])


def admin_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and not r.endpoint.endswith(".static")}


def test_every_admin_endpoint_is_in_the_matrix(app):
    """A new endpoint fails here until its access rule is written into this file."""
    known = set(CUSTOM) | {f"{view}.{kind}" for view in SCREEN if view != "admin" for kind in KINDS}
    assert set(CUSTOM_PATHS) | set(CUSTOM_POSTS) == set(CUSTOM) - {"admin.index"}
    assert admin_endpoints(app) == known


def _world(owner, other):
    """One of everything for ``owner``'s client and for ``other``'s client."""
    result = {}
    for who in (owner, other):
        client = factories.make_client(worker=who)
        agreement = factories.make_agreement(client=client, worker=who)
        result[who.id] = {
            "client": client, "agreement": agreement, "task": factories.make_task(agreement=agreement),
            "intake": factories.make_intake(client=client, worker=who),
            "appointment": factories.make_appointment(client=client, worker=who),
            "visit": factories.make_visit(client=client, worker=who),
        }
    return result


def _request(client, endpoint, objects, role_owner):
    view, _, kind = endpoint.partition(".")
    if endpoint == "admin.index":
        return client.get("/admin/")
    if endpoint in CUSTOM_PATHS:
        return client.get(CUSTOM_PATHS[endpoint].format(id=objects["client"].id))
    if endpoint in CUSTOM_POSTS:
        path, data = CUSTOM_POSTS[endpoint]
        return client.post(path, data=data)
    obj = objects.get(view)
    oid = obj.id if obj is not None else 1
    base = f"/admin/{view}"
    if kind == "index_view":
        return client.get(f"{base}/")
    if kind == "create_view":
        return client.get(f"{base}/new/")
    if kind == "details_view":
        return client.get(f"{base}/details/?id={oid}")
    if kind == "edit_view":
        return client.get(f"{base}/edit/?id={oid}")
    if kind == "delete_view":
        return client.post(f"{base}/delete/", data={"id": 10**9})
    if kind == "action_view":
        return client.post(f"{base}/action/", data={"action": "delete", "rowid": [10**9]})
    if kind == "export":
        return client.get(f"{base}/export/csv/")
    if kind == "ajax_lookup":
        return client.get(f"{base}/ajax/lookup/?name={AJAX_NAME.get(view, 'x')}&query=20")
    if kind == "ajax_update":
        return client.post(f"{base}/ajax/update/", data={"list_form_pk": oid})
    raise AssertionError(f"no request written for {endpoint}")


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, app, client, db, login_as):
    me = login_as(role)
    colleague = factories.make_worker(full_name="Kolegyně")
    world = _world(colleague, factories.make_worker())
    objects = dict(world[colleague.id])
    objects.update({"worker": me, "topic": factories.make_topic(), "office": factories.make_office(),
                    "audit": factories.make_audit_event(), "data_request": factories.make_data_request(),
                    "walkin_hours": factories.make_walk_in_hours(), "working_hours": factories.make_working_hours()})
    if role == "worker":
        # the worker's own client: full access; the colleague's client is the cover target
        own = _world(me, colleague)[me.id]
        objects.update({k: v for k, v in own.items() if k != "client"})
        objects["client"] = world[colleague.id]["client"]
    db.session.commit()
    outcomes = {}
    for endpoint in sorted(admin_endpoints(app)):
        response = _request(client, endpoint, objects, me)
        outcomes[endpoint] = response.status_code
    expected = {endpoint: expected_status(endpoint, role) for endpoint in outcomes}
    assert outcomes == expected


def test_denials_are_audited(client, db, login_as):
    me = login_as("reception")
    client.get("/admin/agreement/")
    denied = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED).one()
    assert denied.actor_id == me.id and denied.entity == "agreement"


def test_a_403_page_is_in_czech(client, login_as):
    login_as("reception")
    response = client.get("/admin/audit/")
    assert response.status_code == 403
    assert "nemáte přístup" in response.get_data(as_text=True).lower()


# --- id tampering ----------------------------------------------------------------------------

def test_a_worker_gets_nothing_of_another_workers_case_by_id(client, db, login_as):
    me = login_as("worker")
    other = factories.make_worker()
    theirs = _world(other, factories.make_worker())[other.id]
    theirs["appointment"].notes = "SECRET-NOTE"
    theirs["visit"].summary = "SECRET-SUMMARY"
    db.session.commit()
    for endpoint in ("agreement", "task", "intake"):
        obj = theirs[endpoint]
        assert client.get(f"/admin/{endpoint}/details/?id={obj.id}").status_code == 404
        assert client.get(f"/admin/{endpoint}/edit/?id={obj.id}").status_code == 404
        assert client.post(f"/admin/{endpoint}/edit/?id={obj.id}", data={"description": "x", "goal": "x"}).status_code == 404
        assert client.post(f"/admin/{endpoint}/delete/", data={"id": obj.id}).status_code in (302, 404)
        client.post(f"/admin/{endpoint}/action/", data={"action": "delete", "rowid": [obj.id]})
        assert f"id={obj.id}\"" not in client.get(f"/admin/{endpoint}/").get_data(as_text=True)
    assert count_rows(Agreement) == 2 and count_rows(RoadmapTask) == 2 and count_rows(Intake) == 2
    # appointments and visits: the appointment book is shared, the notes are not
    for endpoint, marker in (("appointment", "SECRET-NOTE"), ("visit", "SECRET-SUMMARY")):
        obj = theirs[endpoint]
        for path in ("details", "edit"):
            page = client.get(f"/admin/{endpoint}/{path}/?id={obj.id}").get_data(as_text=True)
            assert marker not in page
        client.post(f"/admin/{endpoint}/delete/", data={"id": obj.id})
        client.post(f"/admin/{endpoint}/action/", data={"action": "delete", "rowid": [obj.id]})
    assert count_rows(Appointment) == 2 and count_rows(Visit) == 2
    # the ajax lookup of agreements (task form) finds only the worker's own cases
    code = theirs["client"].code
    assert client.get(f"/admin/task/ajax/lookup/?name=agreement&query={code}").get_json() == []


def test_writing_notes_on_another_workers_appointment_is_refused(client, db, login_as):
    login_as("worker")
    appointment = factories.make_appointment()
    db.session.commit()
    form = {"client": appointment.client_id, "worker": appointment.worker_id,
            "starts_at": "2031-01-05T10:00", "duration_minutes": "60", "format": "office", "place": "centre",
            "purpose": "consultation", "status": "planned", "notes": "SNEAKY"}
    response = client.post(f"/admin/appointment/edit/?id={appointment.id}", data=form)
    assert response.status_code == 302  # saved without the field the worker may not write
    db.session.refresh(appointment)
    assert appointment.notes is None
    create = client.post("/admin/appointment/new/", data=form)
    assert create.status_code == 200
    assert count_rows(Appointment, Appointment.notes == "SNEAKY") == 0


def test_a_worker_cannot_create_a_case_record_for_another_workers_client(client, db, login_as):
    me = login_as("worker")
    theirs = factories.make_client()
    db.session.commit()
    response = client.post("/admin/agreement/new/", data={
        "client": theirs.id, "worker": me.id, "agreed_on": "2026-01-05", "goal": "Cíl", "consent_service": "y", "status": "active",
    })
    assert response.status_code == 200
    assert count_rows(Agreement) == 0


# --- nothing confidential reaches reception --------------------------------------------------

CONFIDENTIAL_MARKERS = {
    (Appointment, "notes"), (Appointment, "evaluation"), (Appointment, "next_steps"), (Visit, "summary"),
    (Agreement, "issue"), (Agreement, "goal"), (Agreement, "end_reason"), (Intake, "issue"), (Intake, "end_note"),
    (RoadmapTask, "description"), (RoadmapTask, "outcome"),
}


def _fill_markers(world):
    for data in world.values():
        for model, field in CONFIDENTIAL_MARKERS:
            key = {Appointment: "appointment", Visit: "visit", Agreement: "agreement", Intake: "intake", RoadmapTask: "task"}[model]
            setattr(data[key], field, f"MARKER-{model.__name__}-{field}")


def _crawl(client, world, screens):
    pages = ["/admin/"]
    for endpoint in screens:
        pages += [f"/admin/{endpoint}/", f"/admin/{endpoint}/new/"]
        for data in world.values():
            if endpoint in data:
                pages += [f"/admin/{endpoint}/details/?id={data[endpoint].id}", f"/admin/{endpoint}/edit/?id={data[endpoint].id}"]
    for data in world.values():
        for name in ("client", "agreement"):
            for endpoint in ("appointment", "visit", "task"):
                pages.append(f"/admin/{endpoint}/ajax/lookup/?name={name}&query={data['client'].code}")
        pages.append(f"/admin/client/?search={data['client'].code}")
    texts = {}
    for url in pages:
        response = client.get(url)
        texts[url] = (response.status_code, response.get_data(as_text=True))
    return texts


def test_reception_pages_never_contain_confidential_text(client, db, login_as):
    login_as("reception")
    a, b = factories.make_worker(), factories.make_worker()
    world = _world(a, b)
    _fill_markers(world)
    db.session.commit()
    texts = _crawl(client, world, ["client", "appointment", "visit", "intake", "agreement", "task", "audit"])
    assert sum(1 for status, _ in texts.values() if status == 200) > 15
    leaks = [url for url, (_, text) in texts.items() if "MARKER-" in text]
    assert leaks == []


def test_a_worker_sees_no_confidential_text_of_other_workers_clients(client, db, login_as):
    me = login_as("worker")
    other = factories.make_worker()
    world = _world(other, factories.make_worker())
    _fill_markers(world)
    mine = _world(me, other)[me.id]
    mine["appointment"].notes = "MY-OWN-NOTE"
    db.session.commit()
    texts = _crawl(client, world, ["client", "appointment", "visit", "intake", "agreement", "task"])
    assert [url for url, (_, text) in texts.items() if "MARKER-" in text] == []
    own = client.get(f"/admin/appointment/details/?id={mine['appointment'].id}").get_data(as_text=True)
    assert "MY-OWN-NOTE" in own


# --- managers read everything, audited -------------------------------------------------------

def test_manager_reads_confidential_content_and_each_read_is_audited(client, db, login_as):
    me = login_as("manager")
    appointment = factories.make_appointment(notes="Důvěrná poznámka")
    db.session.commit()
    page = client.get(f"/admin/appointment/details/?id={appointment.id}").get_data(as_text=True)
    assert "Důvěrná poznámka" in page
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.VIEW).one()
    assert (event.actor_id, event.entity, event.entity_id, event.client_code) == (me.id, "appointment", appointment.id, appointment.client.code)
    assert "Důvěrná" not in str(event.details)
    # the manager's edit form has no confidential fields (only the client's own worker writes them)
    edit = client.get(f"/admin/appointment/edit/?id={appointment.id}").get_data(as_text=True)
    assert 'name="notes"' not in edit


def test_reception_opening_appointment_details_reads_nothing_confidential_and_is_not_a_confidential_view(client, db, login_as):
    login_as("reception")
    appointment = factories.make_appointment(notes="Důvěrná poznámka")
    db.session.commit()
    page = client.get(f"/admin/appointment/details/?id={appointment.id}").get_data(as_text=True)
    assert "Důvěrná poznámka" not in page and appointment.client.code in page
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.VIEW) == 0


def test_opening_a_clients_details_is_audited_once(client, db, login_as):
    me = login_as("reception")
    person = factories.make_client()
    db.session.commit()
    client.get(f"/admin/client/details/?id={person.id}")
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.VIEW).all()
    assert [(e.actor_id, e.client_code, e.entity) for e in events] == [(me.id, person.code, "client")]


# --- reassignment ----------------------------------------------------------------------------

def test_only_a_manager_reassigns_and_it_is_audited_with_the_reason(client, db, login_as):
    me = login_as("manager")
    old, new = factories.make_worker(), factories.make_worker(full_name="Nový Pracovník")
    person = factories.make_client(worker=old)
    db.session.commit()
    edit = client.get(f"/admin/client/edit/?id={person.id}").get_data(as_text=True)
    assert 'name="worker"' not in edit
    page = client.get(f"/admin/client/reassign/?id={person.id}").get_data(as_text=True)
    assert "Nový Pracovník" in page
    refused = client.post(f"/admin/client/reassign/?id={person.id}", data={"to_worker": new.id})
    assert refused.status_code == 200
    response = client.post(f"/admin/client/reassign/?id={person.id}", data={"to_worker": new.id, "reason": "absent", "note": "Dlouhodobá nemoc"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.worker_id == new.id
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.REASSIGN).one()
    assert event.actor_id == me.id and event.client_code == person.code
    assert event.details == {"from": old.id, "to": new.id, "reason": "absent"}


def test_editing_a_client_cannot_change_the_worker(client, db, login_as):
    login_as("worker")
    other, me_other = factories.make_worker(), factories.make_worker()
    person = factories.make_client(worker=other)
    db.session.commit()
    client.post(f"/admin/client/edit/?id={person.id}", data={"status": "client", "worker": me_other.id, "last_name": "X"})
    db.session.refresh(person)
    assert person.worker_id == other.id


# --- cover access ----------------------------------------------------------------------------

def test_cover_access_opens_the_case_until_it_expires_and_shows_on_dashboards(client, app, db, login_as):
    me = login_as("worker")
    away = factories.make_worker(full_name="Nepřítomná Kolegyně", password=PASSWORD)
    case = _world(away, factories.make_worker())[away.id]
    case["agreement"].goal = "CÍL-KLIENTA"
    db.session.commit()
    assert client.get(f"/admin/agreement/details/?id={case['agreement'].id}").status_code == 404
    assert client.post(f"/admin/client/cover/?id={case['client'].id}", data={"reason": "ab"}).status_code == 200
    response = client.post(f"/admin/client/cover/?id={case['client'].id}", data={"reason": "Urgentní, kolegyně na dovolené"})
    assert response.status_code == 302
    page = client.get(f"/admin/agreement/details/?id={case['agreement'].id}").get_data(as_text=True)
    assert "CÍL-KLIENTA" in page
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.COVER).one()
    assert event.actor_id == me.id and event.client_code == case["client"].code
    assert "dovolené" not in str(event.details)
    # the assigned worker sees it on their start page
    other = app.test_client()
    other.post("/login", data={"email": away.email, "password": PASSWORD})
    assert "Urgentní, kolegyně na dovolené" in other.get("/admin/").get_data(as_text=True)
    # the grant expires
    grant = db.session.query(CoverGrant).one()
    grant.expires_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/admin/agreement/details/?id={case['agreement'].id}").status_code == 404


def test_cover_access_shows_on_the_managers_dashboard(client, app, db, login_as):
    from services import cover

    manager = login_as("manager")
    covering = factories.make_worker(full_name="Zástup")
    person = factories.make_client()
    cover.grant_cover(db.session, covering, person, "Klient přišel naléhavě")
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    assert "Zástup" in page and person.code in page and manager.full_name in page


def test_cover_is_refused_for_own_clients_and_for_non_workers(client, db, login_as):
    me = login_as("worker")
    own = factories.make_client(worker=me)
    db.session.commit()
    client.post(f"/admin/client/cover/?id={own.id}", data={"reason": "Nějaký důvod"})
    assert count_rows(CoverGrant) == 0
