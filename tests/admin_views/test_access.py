"""Who may see what: the role × endpoint matrix, id tampering, confidential text, cover access,
reassignment and the audit of every read."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import Agreement, Appointment, AuditEvent, Client, CoverGrant, Intake, RoadmapTask, Visit
from models.enums import AuditAction, ClientStatus, Role
from tests import factories
from tests.conftest import PASSWORD, count_rows
from services.timeutil import local_now

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
#: Who may create, edit and delete on a screen where that is fewer than who may open it: managers read
#: case content but do not write it (only the client's own social worker does).
WRITE = {"intake": {"worker"}, "agreement": {"worker"}, "task": {"worker"}}
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
    "client.merge_view": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    # the case file: everyone at the client screen opens it (the content follows the policy); writing is for the
    # client's own worker or cover (the worker here is not the client's: 403); the printable roadmap is case content
    "client.case_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    "client.case_intake_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_agreement_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_end_intake_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_meeting_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_close_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_roadmap_view": {"reception": 403, "worker": 404, "manager": 200, "admin": 403},
    # the roadmap's task operations in the case file: the client's own worker or cover (not this worker: 403)
    "client.case_task_new_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_task_edit_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    "client.case_task_done_view": {"reception": 403, "worker": 403, "manager": 403, "admin": 403},
    # (a POST without a client: 404 for those who may open clients)
    "client.case_task_move_view": {"reception": 404, "worker": 404, "manager": 404, "admin": 403},
    # the papers a client takes home: the rules (no personal data) and the appointment card (whoever sees the
    # appointment: reception books, so reception prints cards)
    "client.rules_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    "appointment.card_view": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    # the centre profile printed on those papers: admins
    "centre.index": {"reception": 403, "worker": 403, "manager": 403, "admin": 200},
    "retention.index": {"reception": 403, "worker": 403, "manager": 200, "admin": 403},
    # reports: managers every figure, social workers their own clients' figures
    "reports.index": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "reports.statement_view": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "reports.export_view": {"reception": 403, "worker": 200, "manager": 200, "admin": 403},
    "calendar.index": {"reception": 200, "worker": 200, "manager": 200, "admin": 403},
    # the desk's quick actions: a POST for an appointment that does not exist is a 404 for those who may act
    "calendar.status": {"reception": 404, "worker": 404, "manager": 404, "admin": 403},
    # a walk-in: logged (302) by a social worker; reception and a manager with nobody on duty get the desk
    # back with the form filled in (200)
    "calendar.walk_in": {"reception": 200, "worker": 302, "manager": 200, "admin": 403},
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
    "client.merge_view": "/admin/client/merge/?id={id}",
    "client.case_view": "/admin/client/case/?id={id}", "client.case_intake_view": "/admin/client/case/intake/?id={id}",
    "client.case_agreement_view": "/admin/client/case/agreement/?id={id}",
    "client.case_end_intake_view": "/admin/client/case/end-intake/?id={id}",
    "client.case_meeting_view": "/admin/client/case/meeting/?id={id}", "client.case_close_view": "/admin/client/case/close/?id={id}",
    "client.case_roadmap_view": "/admin/client/case/roadmap/?id={id}",
    "client.case_task_new_view": "/admin/client/case/task/new/?id={id}",
    "client.case_task_edit_view": "/admin/client/case/task/edit/?id={id}&task=1",
    "client.case_task_done_view": "/admin/client/case/task/done/?id={id}&task=1",
    "client.rules_view": "/admin/client/rules/?lang=uk", "appointment.card_view": "/admin/appointment/card/?id={appointment}",
    "centre.index": "/admin/centre/",
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
    "client.case_task_move_view": ("/admin/client/case/task/move/", {"task": "1", "direction": "up"}),
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
    if kind in ("create_view", "edit_view", "delete_view") and endpoint not in EXCEPTIONS \
            and role not in WRITE.get(view, SCREEN[view]):
        return 403  # may read, may not write
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
        return client.get(CUSTOM_PATHS[endpoint].format(id=objects["client"].id, appointment=objects["appointment"].id))
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
    if kind == "action_view":  # an action that does not exist; every real one: test_every_action_per_role
        return client.post(f"{base}/action/", data={"action": "no-such-action", "rowid": [oid]})
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


# --- every action and every write, per role, on real records ----------------------------------

#: Every action of every model screen (Flask-Admin's ``_actions``) and the roles that may run it on the
#: records of test_every_action_per_role (a worker: their own client's; everyone else: a colleague's).
#: Everyone else gets an audited 403 and the record stays as it was. A new action fails until added here.
ACTIONS = {
    ("client", "delete"): set(), ("client", "export"): {"manager"}, ("client", "anonymise"): {"manager"},
    ("intake", "delete"): set(), ("agreement", "delete"): set(), ("task", "delete"): {"worker"},
    ("appointment", "delete"): {"worker"}, ("visit", "delete"): {"worker"},
    ("worker", "delete"): set(), ("worker", "lift_lockout"): {"admin"}, ("worker", "reset_two_factor"): {"admin"},
    ("topic", "delete"): {"admin"}, ("office", "delete"): {"admin"}, ("walkin_hours", "delete"): {"admin"},
    ("working_hours", "delete"): {"admin"}, ("audit", "delete"): set(), ("data_request", "delete"): set(),
}


def _model_views(app):
    from admin_views.base import SecureModelView

    return {v.endpoint: v for v in app.extensions["admin"][0]._views if isinstance(v, SecureModelView)}


def test_every_action_of_every_screen_is_in_the_action_matrix(app):
    actions = {(endpoint, name) for endpoint, view in _model_views(app).items() for name, _label in view._actions}
    assert actions == set(ACTIONS)


def _records(role, me, db):
    """The real records each action and write is tried on."""
    from services import throttle

    colleague = factories.make_worker(full_name="Kolegyně")
    world = _world(colleague, factories.make_worker())
    objects = dict(world[colleague.id])
    if role == "worker":
        objects.update({k: v for k, v in _world(me, colleague)[me.id].items()})
    victim = factories.make_worker(totp_secret="JBSWY3DPEHPK3PXP")
    victim.totp_enabled_at = datetime.now(timezone.utc)
    for _ in range(10):
        throttle.record_failure(db.session, victim.email, "10.9.9.9", "password")
    objects.update({"worker": victim, "topic": factories.make_topic(), "office": factories.make_office(),
                    "audit": factories.make_audit_event(), "data_request": factories.make_data_request(client=objects["client"]),
                    "walkin_hours": factories.make_walk_in_hours(), "working_hours": factories.make_working_hours()})
    db.session.commit()
    return objects


def _state(db, endpoint, model, obj_id):
    """What an action changes, to tell a refused action from a performed one."""
    from services import throttle

    db.session.expire_all()
    current = db.session.get(model, obj_id)
    if current is None:
        return "gone"
    if endpoint == "worker":
        return (throttle.is_worker_locked(db.session, current), current.totp_enabled)
    if endpoint == "client":
        return (current.anonymised_at, current.last_name)
    return "there"


@pytest.mark.parametrize("role", ROLES)
def test_every_action_per_role(role, app, client, db, login_as):
    me = login_as(role)
    objects = _records(role, me, db)
    views = _model_views(app)
    outcomes, expected = {}, {}
    targets = {endpoint: (type(obj), obj.id) for endpoint, obj in objects.items()}
    for (endpoint, name), allowed in sorted(ACTIONS.items()):
        model, obj_id = targets[endpoint]
        before = _state(db, endpoint, model, obj_id)
        denied_before = count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED)
        response = client.post(f"/admin/{endpoint}/action/", data={"action": name, "rowid": [obj_id]})
        after = _state(db, endpoint, model, obj_id)
        denied = count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED) - denied_before
        if response.status_code == 403:
            outcomes[endpoint, name] = ("refused", after == before, denied)
        else:
            location = response.headers.get("Location", "")
            # export and anonymise lead to their confirmation pages; the others change the record at once
            performed = (f"/admin/client/{name}/" in location) if name in ("export", "anonymise") else after != before
            outcomes[endpoint, name] = (response.status_code, performed)
        expected[endpoint, name] = (302, True) if role in allowed else ("refused", True, 1)
    assert outcomes == expected
    assert views  # every screen was tried


#: What each role gets when it POSTs a new record, an edit of a real record and a delete of it:
#: "done" (302, and the record is created, changed or gone), "refused" (200 with the reason, nothing
#: changed), 302 (the screen offers no such thing, nothing changed), 403 (audited, nothing changed).
WRITES = {
    "client": {"new": {"reception": "done", "worker": "done", "manager": "done"},
               "edit": {"reception": "done", "worker": "done", "manager": "done"},
               "delete": {"reception": 302, "worker": 302, "manager": 302}},
    "intake": {"new": {"worker": "done"}, "edit": {"worker": "done"}, "delete": {"worker": 302, "manager": 302}},
    "agreement": {"new": {"worker": "done"}, "edit": {"worker": "done"}, "delete": {"worker": 302, "manager": 302}},
    "task": {"new": {"worker": "done"}, "edit": {"worker": "done"}, "delete": {"worker": "done"}},
    # the appointment book is shared: reception and managers book and move; deleting is the client's worker's
    "appointment": {"new": {"reception": "done", "worker": "done", "manager": "done"},
                    "edit": {"reception": "done", "worker": "done", "manager": "done"},
                    "delete": {"worker": "done"}},
    "visit": {"new": {"reception": "done", "worker": "done", "manager": "done"},
              "edit": {"reception": "done", "worker": "done", "manager": "done"},
              "delete": {"worker": "done"}},
    "worker": {"new": {"admin": "done"}, "edit": {"admin": "done"}, "delete": {"admin": 302}},
    "topic": {"new": {"admin": "done"}, "edit": {"admin": "done"}, "delete": {"admin": "done"}},
    "office": {"new": {"admin": "done"}, "edit": {"admin": "done"}, "delete": {"admin": "done"}},
    "walkin_hours": {"new": {"admin": "done"}, "edit": {"admin": "done"}, "delete": {"admin": "done"}},
    "working_hours": {"new": {"admin": "done"}, "edit": {"admin": "done"}, "delete": {"admin": "done"}},
    "data_request": {"new": {"manager": "done"}, "edit": {"manager": "done"}, "delete": {"manager": 302}},
    "audit": {"new": {"manager": 302}, "edit": {"manager": 302}, "delete": {"manager": 302}},
}


def _write_forms(endpoint, objects, me):
    """(form for a new record, form for an edit of objects[endpoint], the column the edit changes)."""
    today = local_now().date().isoformat()
    client = objects["client"]
    worker_id = client.worker_id
    forms = {
        "client": ({"status": "interested", "first_name": "Nová", "last_name": "Osoba"},
                   {"status": "client", "first_name": "Olena", "last_name": "Upravená", "citizenship": "UA"}, "last_name"),
        "intake": ({"client": client.id, "worker": worker_id, "held_on": today, "issue": "Nový příběh"},
                   {"client": client.id, "worker": worker_id, "held_on": today, "issue": "Upravený příběh"}, "issue"),
        "agreement": ({"client": client.id, "worker": worker_id, "agreed_on": today, "goal": "Nový cíl",
                       "consent_service": "y", "status": "active"},
                      {"client": client.id, "worker": worker_id, "agreed_on": today, "goal": "Upravený cíl",
                       "consent_service": "y", "status": "active"}, "goal"),
        "task": ({"agreement": objects["agreement"].id, "description": "Nový úkol", "responsible": "client",
                  "status": "open", "position": "1"},
                 {"agreement": objects["agreement"].id, "description": "Upravený úkol", "responsible": "both",
                  "status": "open", "position": "1"}, "responsible"),
        "appointment": ({"client": client.id, "worker": worker_id, "starts_at": factories.local_input(10),
                         "duration_minutes": "60", "format": "office", "place": "centre", "purpose": "consultation",
                         "status": "planned"},
                        {"client": client.id, "worker": worker_id, "starts_at": factories.local_input(11),
                         "duration_minutes": "45", "format": "office", "place": "centre", "purpose": "consultation",
                         "status": "planned"}, "duration_minutes"),
        "visit": ({"occurred_at": factories.today_input(), "channel": "phone", "client": client.id, "worker": worker_id,
                   "minutes": "10"},
                  {"occurred_at": factories.today_input(), "channel": "phone", "client": client.id, "worker": worker_id,
                   "minutes": "25"}, "minutes"),
        "worker": ({"full_name": "Nový Kolega", "email": "novy@test.example", "roles": ["reception"], "active": "y",
                    "new_password": "a long enough password"},
                   {"full_name": "Upravený Kolega", "email": objects["worker"].email, "roles": ["worker"], "active": "y"},
                   "full_name"),
        "topic": ({"code": "new-topic", "label_cs": "Nové", "label_en": "New", "active": "y"},
                  {"code": objects["topic"].code, "label_cs": "Upravené", "label_en": "Changed", "active": "y"}, "label_cs"),
        "office": ({"code": "new-office", "name_cs": "Nový", "name_en": "New", "active": "y"},
                   {"code": objects["office"].code, "name_cs": "Upravený", "name_en": "Changed", "active": "y"}, "name_cs"),
        "walkin_hours": ({"weekday": "2", "opens_at": "13:00", "closes_at": "15:00"},
                         {"weekday": "0", "opens_at": "08:00", "closes_at": "12:00"}, "opens_at"),
        "working_hours": ({"worker": worker_id, "weekday": "3", "starts_at": "08:00", "ends_at": "12:00"},
                          {"worker": objects["working_hours"].worker_id, "weekday": "0", "starts_at": "07:00",
                           "ends_at": "16:30"}, "starts_at"),
        "data_request": ({"client": client.id, "type": "access", "received_on": today, "channel": "letter",
                          "status": "open"},
                         {"client": client.id, "type": "access", "received_on": today, "channel": "email",
                          "status": "open"}, "channel"),
        "audit": ({"action": "view"}, {"action": "export"}, "action"),
    }
    return forms[endpoint]


@pytest.mark.parametrize("role", ROLES)
def test_new_edit_and_delete_per_role_on_real_records(role, app, client, db, login_as):
    me = login_as(role)
    objects = _records(role, me, db)
    assert set(WRITES) == set(_model_views(app))
    outcomes, expected = {}, {}
    forms = {endpoint: _write_forms(endpoint, objects, me) for endpoint in WRITES}
    targets = {endpoint: (type(obj), obj.id) for endpoint, obj in objects.items()}

    def count_rows_of(model):  # the denials themselves are audit entries
        return count_rows(model, AuditEvent.action != AuditAction.DENIED) if model is AuditEvent else count_rows(model)

    for endpoint in sorted(WRITES):
        model, obj_id = targets[endpoint]
        new_form, edit_form, column = forms[endpoint]
        for kind in ("new", "edit", "delete"):
            if role not in SCREEN[endpoint]:
                want = 403
            else:
                want = WRITES[endpoint][kind].get(role, 403)
            before_count = count_rows_of(model)
            current = db.session.get(model, obj_id)
            before_value = getattr(current, column) if current is not None else None
            if kind == "new":
                response = client.post(f"/admin/{endpoint}/new/", data=new_form)
            elif kind == "edit":  # with the version the form was loaded at, as every edit form sends it
                version = {"version": current.version} if hasattr(current, "version") else {}
                response = client.post(f"/admin/{endpoint}/edit/?id={obj_id}", data={**edit_form, **version})
            else:
                response = client.post(f"/admin/{endpoint}/delete/", data={"id": obj_id})
            db.session.expire_all()
            current = db.session.get(model, obj_id)
            changed = {"new": count_rows_of(model) == before_count + 1,
                       "edit": current is not None and getattr(current, column) != before_value,
                       "delete": current is None}[kind]
            unchanged = count_rows_of(model) == before_count and current is not None \
                and getattr(current, column) == before_value
            if response.status_code == 302 and changed:
                outcomes[endpoint, kind] = "done"
            elif response.status_code == 200 and unchanged:
                outcomes[endpoint, kind] = "refused"
            elif response.status_code in (302, 403, 404) and unchanged:
                outcomes[endpoint, kind] = response.status_code
            else:
                outcomes[endpoint, kind] = ("unexpected", response.status_code, changed, unchanged)
            expected[endpoint, kind] = want
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
            "starts_at": factories.local_input(12), "duration_minutes": "60", "format": "office", "place": "centre",
            "purpose": "consultation", "status": "planned", "notes": "SNEAKY"}
    response = client.post(f"/admin/appointment/edit/?id={appointment.id}", data={**form, "version": appointment.version})
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
        person = data["client"]
        # the desk's search on the start page, the calendar (whole centre and one worker), the case file,
        # and every custom page of a client
        pages += [f"/admin/?q={person.code}", f"/admin/?q={person.last_name}", f"/admin/client/?search={person.last_name}"]
        week = data["appointment"].starts_at.date().isoformat()
        pages += [f"/admin/calendar/?week={week}", f"/admin/calendar/?week={week}&worker={person.worker_id}"]
        pages += [path.format(id=person.id, appointment=data["appointment"].id) for path in CUSTOM_PATHS.values() if "{" in path]
    pages += [path for path in CUSTOM_PATHS.values() if "{" not in path]
    texts = {}
    for url in dict.fromkeys(pages):
        response = client.get(url)
        texts[url] = (response.status_code, response.get_data(as_text=True))
    return texts


def _endpoint_of(app, url):
    from urllib.parse import urlsplit

    return app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")[0]


def test_reception_pages_never_contain_confidential_text(app, client, db, login_as):
    login_as("reception")
    a, b = factories.make_worker(), factories.make_worker()
    world = _world(a, b)
    _fill_markers(world)
    db.session.commit()
    from services import cover

    a_client = world[a.id]["client"]
    cover.grant_cover(db.session, b, a_client, "MARKER-cover-reason")
    factories.make_data_request(client=a_client, note="MARKER-data-request-note")
    db.session.commit()
    screens = [view for view in SCREEN if view != "admin"]
    texts = _crawl(client, world, screens)
    reached = {_endpoint_of(app, url) for url, (status, _) in texts.items() if status == 200}
    # every page reception may open (by the matrix) was walked, the desk, the calendar and the case file included
    may_open = {endpoint for endpoint in admin_endpoints(app)
                if expected_status(endpoint, "reception") == 200 and _is_get(app, endpoint)}
    assert may_open <= reached, may_open - reached
    assert {"admin.index", "calendar.index", "account.index", "client.case_view"} <= reached
    leaks = [url for url, (_, text) in texts.items() if "MARKER-" in text]
    assert leaks == []


def _is_get(app, endpoint):
    return any("GET" in rule.methods for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


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


# --- managers read case content, they do not write or delete it --------------------------------

def test_a_manager_reads_but_neither_edits_nor_deletes_case_content(client, db, login_as):
    me = login_as("manager")
    colleague = factories.make_worker()
    case = _world(colleague, factories.make_worker())[colleague.id]
    db.session.commit()
    task, agreement, appointment = case["task"], case["agreement"], case["appointment"]
    assert client.get(f"/admin/task/details/?id={task.id}").status_code == 200
    details = client.get(f"/admin/agreement/details/?id={agreement.id}").get_data(as_text=True)
    assert agreement.goal in details and "/admin/agreement/edit/" not in details and "/admin/agreement/new/" not in details
    listing = client.get("/admin/task/").get_data(as_text=True)
    assert "/admin/task/edit/" not in listing and "/admin/task/delete/" not in listing and 'value="delete"' not in listing
    denied = count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED)
    assert client.post("/admin/task/delete/", data={"id": task.id}).status_code == 403
    assert client.post("/admin/task/action/", data={"action": "delete", "rowid": [task.id]}).status_code == 403
    assert client.post(f"/admin/agreement/edit/?id={agreement.id}", data={"goal": "Přepsáno"}).status_code == 403
    assert client.post("/admin/appointment/delete/", data={"id": appointment.id}).status_code == 403
    assert client.post("/admin/appointment/action/", data={"action": "delete", "rowid": [appointment.id]}).status_code == 403
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.DENIED) == denied + 5
    assert count_rows(RoadmapTask) == 2 and count_rows(Appointment) == 2  # the two workers' cases, untouched
    db.session.refresh(agreement)
    assert agreement.goal != "Přepsáno"


def test_a_manager_who_is_also_the_clients_worker_edits_and_deletes(client, db, login_as):
    me = login_as("manager", "worker")
    case = _world(me, factories.make_worker())[me.id]
    db.session.commit()
    task_id = case["task"].id
    assert client.post("/admin/task/delete/", data={"id": task_id}).status_code == 302
    assert count_rows(RoadmapTask, RoadmapTask.id == task_id) == 0
    # but not the case of a colleague's client, even though the manager reads it
    theirs = _world(factories.make_worker(), factories.make_worker())
    db.session.commit()
    other_task = next(iter(theirs.values()))["task"]
    assert client.post("/admin/task/delete/", data={"id": other_task.id}).status_code == 403
    assert client.post("/admin/task/action/", data={"action": "delete", "rowid": [other_task.id]}).status_code == 403
    assert count_rows(RoadmapTask, RoadmapTask.id == other_task.id) == 1


def test_a_worker_cannot_delete_a_colleagues_appointment_or_visit(client, db, login_as):
    login_as("worker")
    case = _world(factories.make_worker(), factories.make_worker())
    db.session.commit()
    for data in case.values():
        for endpoint in ("appointment", "visit"):
            assert client.post(f"/admin/{endpoint}/delete/", data={"id": data[endpoint].id}).status_code == 403
            response = client.post(f"/admin/{endpoint}/action/", data={"action": "delete", "rowid": [data[endpoint].id]})
            assert response.status_code == 403
    assert count_rows(Appointment) == 2 and count_rows(Visit) == 2


def test_the_start_page_refused_is_audited(app, client, db):
    """An account without any role may sign in to nothing: the start page refuses it, audited."""
    from flask_login import login_user

    from admin_views.dashboard import DashboardView

    nobody = factories.make_worker(roles=[])
    db.session.commit()
    view = next(v for v in app.extensions["admin"][0]._views if isinstance(v, DashboardView))
    with app.test_request_context("/admin/"):
        login_user(nobody)
        with pytest.raises(Exception) as refused:
            view.inaccessible_callback("index")
        assert getattr(refused.value, "code", None) == 403
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED).one()
    assert (event.actor_id, event.entity) == (nobody.id, "admin")
