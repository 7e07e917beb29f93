"""The case file's operations ask one function, ``services.casefile.allowed``.

Two tests: every case-file route asks it for its operation (a route that decided on its own would pass
a refusal by), and the role × operation matrix over HTTP, written out here on purpose as the
specification the policy is checked against (like tests/admin_views/test_access.py, which covers the
roles that hold nothing; here also the client's own worker, a colleague with cover access and a
manager who is also the client's worker)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from models import AuditEvent, CoverGrant
from models.enums import AuditAction, ClientStatus, Role
from services import casefile
from tests import factories
from tests.conftest import PASSWORD

#: every case-file route that changes or prints the case, its address and the operation it must ask
ROUTES = {
    "client.case_intake_view": ("GET", "/admin/client/case/intake/?id={client}", "intake"),
    "client.case_agreement_view": ("GET", "/admin/client/case/agreement/?id={client}", "agreement"),
    "client.case_end_intake_view": ("GET", "/admin/client/case/end-intake/?id={client}", "end_intake"),
    "client.case_meeting_view": ("GET", "/admin/client/case/meeting/?id={client}", "meeting"),
    "client.case_close_view": ("GET", "/admin/client/case/close/?id={client}", "close"),
    "client.case_task_new_view": ("GET", "/admin/client/case/task/new/?id={client}", "task"),
    "client.case_task_edit_view": ("GET", "/admin/client/case/task/edit/?id={client}&task={task}", "task"),
    "client.case_task_done_view": ("GET", "/admin/client/case/task/done/?id={client}&task={task}", "task"),
    "client.case_task_move_view": ("POST", "/admin/client/case/task/move/?id={client}&task={task}", "task"),
    "client.case_roadmap_view": ("GET", "/admin/client/case/roadmap/?id={client}", "print_roadmap"),
}
#: the case file itself shows what the policy lets each person read (services.access.scope) and offers
#: the operations through the same table (CaseFile.can_*, Rights.allows): it is no operation of its own
READING = {"client.case_view"}

#: Who may run each operation on a client with an active agreement, held by their own social worker.
#: own: the client's social worker; cover: a colleague with cover access today; other: a social worker
#: who holds nothing of the client; manager: a manager only; manager_worker: a manager who is also the
#: client's social worker.
MAY = {
    "intake": {"own", "cover", "manager_worker"},
    "agreement": {"own", "cover", "manager_worker"},
    "end_intake": {"own", "cover", "manager_worker"},
    "meeting": {"own", "cover", "manager_worker"},
    "close": {"own", "cover", "manager_worker"},
    "task": {"own", "cover", "manager_worker"},
    "print_roadmap": {"own", "cover", "manager", "manager_worker"},
}
WHO = ("reception", "own", "cover", "other", "manager", "manager_worker", "admin")
#: what a refused person gets: reception and admins may not open the screen behind (agreements) at all,
#: the printed roadmap is a 404 to a social worker who may not read the case (it does not say it exists)
REFUSED = {("print_roadmap", "other"): 404}


def _person(who: str):
    roles = {"reception": [Role.RECEPTION], "admin": [Role.ADMIN], "manager": [Role.MANAGER],
             "manager_worker": [Role.MANAGER, Role.WORKER]}.get(who, [Role.WORKER])
    return factories.make_worker(roles=roles, password=PASSWORD)


def _world(db, who: str) -> tuple[dict, object]:
    """A client with an active agreement and an open task, and the person ``who`` relates to them."""
    person = _person(who)
    holder = person if who in ("own", "manager_worker") else factories.make_worker()
    client = factories.make_client(worker=holder, status=ClientStatus.CLIENT)
    agreement = factories.make_agreement(client=client, worker=holder)
    task = factories.make_task(agreement=agreement)
    if who == "cover":
        now = datetime.now(timezone.utc)
        db.session.add(CoverGrant(client=client, worker=person, reason="Kolegyně je nemocná", granted_at=now,
                                  expires_at=now + timedelta(hours=2)))
    db.session.commit()
    return {"client": client.id, "task": task.id}, person


def _sign_in(client, person):
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_routes_table_lists_every_case_file_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/client/case/")}
    assert routes == set(ROUTES) | READING


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_every_case_file_route_asks_casefile_allowed(endpoint, client, db, monkeypatch):
    """With ``allowed`` saying no, the client's own worker is refused (an audited 403) by every route, and
    each asked for its own operation."""
    ids, person = _world(db, "own")
    asked = []

    def refuse(session, user, case_client, operation):
        asked.append((case_client.id, operation))
        return False

    monkeypatch.setattr(casefile, "allowed", refuse)
    _sign_in(client, person)
    method, url, operation = ROUTES[endpoint]
    response = client.open(url.format(**ids), method=method)
    assert asked == [(ids["client"], operation)]
    assert response.status_code in (403, 404)
    denied = db.session.query(AuditEvent).filter_by(action=AuditAction.DENIED, actor_id=person.id).all()
    assert [e.details.get("screen") for e in denied] == [endpoint]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_who_may_run_each_case_file_operation(endpoint, who, client, db):
    ids, person = _world(db, who)
    _sign_in(client, person)
    method, url, operation = ROUTES[endpoint]
    response = client.open(url.format(**ids), method=method, data={"direction": "down"} if method == "POST" else None)
    if who in MAY[operation]:
        assert response.status_code == (302 if method == "POST" else 200), (endpoint, who)
    else:
        assert response.status_code == REFUSED.get((operation, who), 403), (endpoint, who)


def test_an_interested_person_nobody_holds_may_be_taken_in_by_any_social_worker(client, db):
    interested = factories.make_client(worker=None, status=ClientStatus.INTERESTED)
    worker = _person("other")
    db.session.commit()
    assert casefile.allowed(db.session, worker, interested, "intake")
    assert not casefile.allowed(db.session, worker, interested, "meeting")
    assert not casefile.allowed(db.session, worker, interested, "no such operation")  # unknown: refused
    _sign_in(client, worker)
    assert client.get(f"/admin/client/case/intake/?id={interested.id}").status_code == 200
