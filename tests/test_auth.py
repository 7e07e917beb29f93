"""Login, logout, the language switch, CSRF and where redirects may go."""
import re

import pytest

from auth import safe_next
from models import AuditEvent
from models.enums import AuditAction, Role
from tests import factories
from tests.conftest import PASSWORD


def test_admin_requires_login(client):
    for url in ("/admin/", "/admin/client/", "/admin/client/details/?id=1", "/admin/audit/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_root_goes_to_the_back_office(client):
    assert client.get("/").headers["Location"].endswith("/admin/")


def test_login_page_is_czech_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="cs">' in page
    assert "Přihlásit" in page
    assert 'name="email"' in page and 'name="password"' in page


def test_login_and_logout(client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": worker.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.LOGIN, actor_id=worker.id).count() == 1
    db.session.refresh(worker)
    assert worker.last_login_at is not None
    client.post("/logout")
    assert client.get("/admin/").status_code == 302


def test_failed_login_shows_one_message_and_is_audited(client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    wrong = client.post("/login", data={"email": worker.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@test.example", "password": "not the password"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Nesprávný e-mail nebo heslo" in response.get_data(as_text=True) or "heslo" in response.get_data(as_text=True)
    assert wrong.get_data(as_text=True).count("alert") == unknown.get_data(as_text=True).count("alert")
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.FAILED_LOGIN).all()
    assert len(events) == 2
    assert {e.entity_id for e in events} == {worker.id, None}
    # the typed email stays in the form
    assert worker.email in wrong.get_data(as_text=True)


def test_missing_fields_are_reported_and_typed_values_kept(client):
    response = client.post("/login", data={"email": "jana@test.example", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="jana@test.example"' in page
    assert "invalid-feedback" in page


def test_inactive_account_cannot_log_in(client, db):
    worker = factories.make_worker(password=PASSWORD, active=False)
    db.session.commit()
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_deactivated_account_loses_its_session(client, db, login_as):
    worker = login_as("worker")
    assert client.get("/admin/").status_code == 200
    worker.active = False
    db.session.commit()
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target,expected", [
    ("/admin/client/", "/admin/client/"),
    ("/admin/client/?page=2", "/admin/client/?page=2"),
    ("https://evil.example/", None),
    ("//evil.example/", None),
    ("/\\evil.example", None),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_next_only_redirects_inside_the_site(target, expected):
    assert safe_next(target) == expected


def test_login_follows_a_safe_next_and_ignores_an_unsafe_one(client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = client.post("/login?next=//evil.example/x", data={"email": worker.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"
    client.post("/logout")
    response = client.post("/login?next=/admin/visit/", data={"email": worker.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/visit/"


def test_locale_switch_is_remembered(client, login_as):
    login_as("worker")
    assert "Odhlásit" in client.get("/admin/").get_data(as_text=True)
    client.post("/locale", data={"locale": "en", "next": "/admin/"})
    page = client.get("/admin/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log out" in page
    client.post("/locale", data={"locale": "xx"})
    assert '<html lang="en">' in client.get("/admin/").get_data(as_text=True)


def test_account_without_roles_is_refused(client, db):
    worker = factories.make_worker(password=PASSWORD, roles=())
    db.session.commit()
    client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert client.get("/admin/").status_code in (302, 403)


# --- CSRF ------------------------------------------------------------------------------------

def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    return found.group(1) or found.group(2)


def test_login_without_csrf_token_is_refused(csrf_app, client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": worker.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_admin_forms_without_csrf_token_are_refused(csrf_app, client, db):
    worker = factories.make_worker(password=PASSWORD, roles=[Role.MANAGER, Role.WORKER, Role.ADMIN])
    appointment = factories.make_appointment(worker=worker)
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    before = db.session.query(AuditEvent).count()
    # create, delete and action forms of Flask-Admin all need the token
    assert client.post("/admin/topic/new/", data={"code": "x", "label_cs": "X", "label_en": "X"}).status_code == 400
    assert client.post("/admin/appointment/delete/", data={"id": appointment.id}).status_code == 400
    assert client.post("/admin/appointment/action/", data={"action": "delete", "rowid": [appointment.id]}).status_code == 400
    assert client.post("/logout").status_code == 400
    db.session.expire_all()
    assert db.session.get(type(appointment), appointment.id) is not None
    assert db.session.query(AuditEvent).count() == before
    # with the token from the page, the same form goes through
    page = client.get("/admin/topic/new/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/admin/topic/new/", data={"code": "x", "label_cs": "X", "label_en": "X", "active": "y", "csrf_token": token})
    assert response.status_code == 302


# --- logout only by POST with the token ------------------------------------------------------

def test_get_logout_only_asks_and_a_post_needs_the_token(csrf_app, client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": worker.email, "password": PASSWORD,
                                       "csrf_token": _token(page)}).status_code == 302
    # a link (or an <img> on another site) to /logout shows a question, and the session stays
    response = client.get("/logout")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Odhlásit se?" in page
    assert re.search(r'<form method="post" action="/logout">\s*<input type="hidden" name="csrf_token"', page)
    assert client.get("/admin/").status_code == 200
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.LOGOUT).count() == 0
    # a POST without the token or with a forged one is refused
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/admin/").status_code == 200
    # the button on the page signs out
    response = client.post("/logout", data={"csrf_token": _token(page)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/admin/").status_code == 302
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.LOGOUT).count() == 1


def test_get_logout_when_signed_out_goes_to_the_login_page(client):
    response = client.get("/logout")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_user_menu_logs_out_with_a_post_form(client, login_as):
    login_as("worker")
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token"', page)
    assert 'href="/logout"' not in page
