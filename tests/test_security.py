"""Attacks on the sign-in: brute force per account and per address, lifting a lockout, telling
accounts apart, weak passwords; the headers of every page; error pages and logs."""
from __future__ import annotations

import base64
import hashlib
import logging
import re

import pytest

from models import AuditEvent, LoginFailure, Worker
from models.enums import AuditAction, Role
from services import users
from services.errors import ServiceError
from tests import factories
from tests.conftest import PASSWORD, count_rows
from tests.security_helpers import csp_directives, frozen_clock, inline_handlers, script_tags  # noqa: F401

WRONG = "not-the-password-at-all"


def _at(app, address):
    """A browser at ``address`` (the session is bound to it: Flask-Login's strong protection)."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def _login(client, email, password, address=None):
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post("/login", data={"email": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


# --- the same answer for every failure ---------------------------------------------------------

def test_unknown_email_and_wrong_password_get_the_same_answer(client, db):
    worker = factories.make_worker(email="jana@test.example", password=PASSWORD)
    db.session.commit()
    wrong = _login(client, "jana@test.example", WRONG)
    unknown = _login(client, "nikdo@test.example", WRONG)
    assert wrong.status_code == unknown.status_code == 200
    def strip(response, email):  # the form keeps what was typed; tokens are signed with the time
        page = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page)

    assert strip(wrong, "jana@test.example") == strip(unknown, "nikdo@test.example")
    assert "Nesprávný e-mail nebo heslo" in wrong.get_data(as_text=True) or "heslo" in wrong.get_data(as_text=True)
    events = db.session.query(AuditEvent).filter_by(action=AuditAction.FAILED_LOGIN).all()
    assert sorted((e.entity_id or 0) for e in events) == [0, worker.id]
    assert all(e.details == {"step": "password"} for e in events)
    # nothing typed is stored readable: only a keyed hash of the email and the address
    stored = " ".join(f"{f.account_key} {f.address} {f.kind}" for f in db.session.query(LoginFailure))
    assert "jana" not in stored and "nikdo" not in stored and WRONG not in stored


def test_unknown_emails_are_locked_exactly_like_real_accounts(client, db):
    factories.make_worker(email="jana@test.example", password=PASSWORD)
    db.session.commit()
    answers = {}
    for email in ("jana@test.example", "nikdo@test.example"):
        statuses = [_login(client, email, WRONG).status_code for _ in range(6)]
        answers[email] = statuses
    assert answers["jana@test.example"] == answers["nikdo@test.example"] == [200] * 5 + [429]


# --- per account -------------------------------------------------------------------------------

def test_five_failures_lock_the_account_even_for_the_right_password(client, app, db, frozen_clock):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    for _ in range(5):
        assert _login(client, worker.email, WRONG).status_code == 200
    locked = _login(client, worker.email, PASSWORD)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Příliš mnoho neúspěšných pokusů" in page or "Too many failed sign-in attempts" in page
    assert not _signed_in(client)
    # from another address too: the lock is on the account
    assert _login(_at(app, "10.9.9.9"), worker.email, PASSWORD).status_code == 429
    locked_events = db.session.query(AuditEvent).filter_by(action=AuditAction.LOCKED).all()
    assert [(e.entity_id, e.details) for e in locked_events] == [(worker.id, {"scope": "account"})]
    refused = db.session.query(AuditEvent).filter_by(action=AuditAction.FAILED_LOGIN).all()
    assert len(refused) == 7 and sum(1 for e in refused if (e.details or {}).get("refused") == "locked") == 2
    # the lock ends on its own once the failures are older than the window
    frozen_clock.shift(minutes=16)
    assert _login(client, worker.email, PASSWORD).status_code == 302
    assert _signed_in(client)
    # a complete sign-in forgets the account's failures
    assert count_rows(LoginFailure, LoginFailure.kind == "password") == 0


def test_failures_spread_over_time_do_not_lock(client, db, frozen_clock):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    for _ in range(8):
        _login(client, worker.email, WRONG)
        frozen_clock.shift(minutes=4)
    assert _login(client, worker.email, PASSWORD).status_code == 302


def test_a_manager_lifts_an_account_lockout_and_it_is_audited(app, client, db):
    victim = factories.make_worker(full_name="Zamčená Pracovnice", password=PASSWORD)
    db.session.commit()
    for _ in range(5):
        _login(client, victim.email, WRONG)
    assert _login(client, victim.email, PASSWORD).status_code == 429

    manager_client = _at(app, "10.0.0.2")
    manager = factories.make_worker(roles=[Role.MANAGER], password=PASSWORD)
    db.session.commit()
    assert _login(manager_client, manager.email, PASSWORD).status_code == 302
    page = manager_client.get("/admin/lockouts/").get_data(as_text=True)
    assert "Zamčená Pracovnice" in page and victim.email in page
    response = manager_client.post("/admin/lockouts/lift/", data={"worker_id": victim.id})
    assert response.status_code == 302
    assert victim.email not in manager_client.get("/admin/lockouts/").get_data(as_text=True)
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.UNLOCKED).one()
    assert (event.actor_id, event.entity_id, event.details["scope"]) == (manager.id, victim.id, "account")
    assert _login(client, victim.email, PASSWORD).status_code == 302


def test_an_admin_lifts_a_lockout_from_the_staff_screen(app, client, db, login_as):
    victim = factories.make_worker(password=PASSWORD)
    db.session.commit()
    attacker = _at(app, "10.6.6.6")
    for _ in range(5):
        _login(attacker, victim.email, WRONG)
    admin = login_as("admin")
    listing = client.get("/admin/worker/").get_data(as_text=True)
    assert "Zablokováno do" in listing
    response = client.post("/admin/worker/action/", data={"action": "lift_lockout", "rowid": [victim.id]})
    assert response.status_code == 302
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.UNLOCKED).one()
    assert (event.actor_id, event.entity_id) == (admin.id, victim.id)
    assert _login(attacker, victim.email, PASSWORD).status_code == 302


def test_reception_and_workers_cannot_lift_lockouts(client, db, login_as):
    victim = factories.make_worker(password=PASSWORD)
    db.session.commit()
    for _ in range(5):
        _login(client, victim.email, WRONG, address="10.3.3.3")
    login_as("reception", "worker")
    assert client.get("/admin/lockouts/").status_code == 403
    assert client.post("/admin/lockouts/lift/", data={"worker_id": victim.id}).status_code == 403
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.UNLOCKED) == 0


def test_the_lockout_ends_the_accounts_open_sessions(app, client, db, login_as):
    worker = login_as("worker")
    assert _signed_in(client)
    attacker = _at(app, "10.6.6.6")
    for _ in range(5):
        _login(attacker, worker.email, WRONG)
    assert client.get("/admin/").status_code == 302


# --- per address -------------------------------------------------------------------------------

def test_an_address_trying_many_accounts_is_locked_and_a_manager_lifts_it(app, client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    browser = _at(app, "203.0.113.7")
    for n in range(20):  # four tries at each of five accounts: no account reaches its own limit
        _login(browser, f"guess{n % 5}@test.example", WRONG)
    assert _login(browser, worker.email, PASSWORD).status_code == 429
    assert not _signed_in(browser)
    # another address is not affected
    assert _login(_at(app, "198.51.100.1"), worker.email, PASSWORD).status_code == 302
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.LOCKED).one()
    assert event.details == {"scope": "address"} and event.entity_id is None

    manager_client = _at(app, "10.0.0.2")
    manager = factories.make_worker(roles=[Role.MANAGER], password=PASSWORD)
    db.session.commit()
    _login(manager_client, manager.email, PASSWORD)
    assert "203.0.113.7" in manager_client.get("/admin/lockouts/").get_data(as_text=True)
    assert manager_client.post("/admin/lockouts/lift/", data={"address": "203.0.113.7"}).status_code == 302
    lifted = db.session.query(AuditEvent).filter_by(action=AuditAction.UNLOCKED).one()
    assert lifted.details["scope"] == "address" and "203.0.113.7" not in str(lifted.details)
    assert _login(browser, worker.email, PASSWORD).status_code == 302


def test_failures_are_counted_in_the_database_across_processes(app, db):
    """Two application instances (two gunicorn workers) share the counts through the database."""
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    for n in range(5):
        _login(first if n % 2 else second, worker.email, WRONG)
    assert count_rows(LoginFailure) == 5
    assert _login(first, worker.email, PASSWORD).status_code == 429


# --- passwords ---------------------------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "password1234", "Password2024!", "P@ssw0rd12345", "heslo12345678", "qwertyuiop123", "123456789012",
    "passwordpassword", "abcabcabcabc", "Poradna2025!!", "1q2w3e4r5t6y", "aaaaaaaaaaaaaaa",
])
def test_common_and_trivial_passwords_are_refused(password):
    with pytest.raises(ServiceError):
        users.check_password_rules(password, "jana.novakova@example.org", "Jana Nováková")


@pytest.mark.parametrize("password", ["jana.novakova@example.org", "jananovakova2024", "Jana Novakova", "short"])
def test_passwords_from_the_email_or_name_or_too_short_are_refused(password):
    with pytest.raises(ServiceError):
        users.check_password_rules(password, "jana.novakova@example.org", "Jana Novakova")


@pytest.mark.parametrize("password", ["correct horse battery staple", "Sluníčko v Brně ve tři", "kobliha-tramvaj-Vltava-42"])
def test_good_passwords_pass(password):
    users.check_password_rules(password, "jana.novakova@example.org", "Jana Nováková")


def test_the_shipped_list_is_a_real_list():
    common = users.common_passwords()
    assert len(common) > 3000
    assert {"password", "heslo", "qwerty", "123456789012"} <= common


def test_the_staff_screen_and_the_cli_use_the_same_rules(app, client, db, login_as):
    login_as("admin")
    other = factories.make_worker(email="petr@test.example", password=PASSWORD)
    db.session.commit()
    form = {"full_name": other.full_name, "email": other.email, "roles": ["worker"], "active": "y", "new_password": "Password2024!"}
    response = client.post(f"/admin/worker/edit/?id={other.id}", data=form)
    assert response.status_code == 200  # refused, the form is shown again
    db.session.refresh(other)
    assert other.check_password(PASSWORD)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-password", "petr@test.example", "--password-stdin"], input="qwertyuiop123\n")
    assert result.exit_code != 0
    result = runner.invoke(args=["users", "set-password", "petr@test.example", "--password-stdin"], input="petr@test.example\n")
    assert result.exit_code != 0
    result = runner.invoke(args=["users", "set-password", "petr@test.example", "--password-stdin"], input="tramvaj-kobliha-Vltava\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Worker, other.id).check_password("tramvaj-kobliha-Vltava")
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.PASSWORD_CHANGED) == 1


def test_cli_unlock_and_reset_two_factor(app, client, db):
    worker = factories.make_worker(email="eva@test.example", password=PASSWORD, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    db.session.commit()
    for _ in range(5):
        _login(client, worker.email, WRONG)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "unlock", "eva@test.example"]).exit_code == 0
    assert runner.invoke(args=["users", "reset-2fa", "eva@test.example"]).exit_code == 0
    assert runner.invoke(args=["users", "unlock", "nobody@test.example"]).exit_code != 0
    db.session.expire_all()
    assert db.session.get(Worker, worker.id).totp_secret is None
    assert _login(client, worker.email, PASSWORD).status_code == 302


# --- headers -----------------------------------------------------------------------------------

def _hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_csp_nonce_matches_every_script_and_no_inline_script_runs_without_it(client, db, login_as):
    login_as("manager", "worker")
    factories.make_client()
    db.session.commit()
    for url in ("/admin/client/", "/admin/", "/admin/appointment/new/", "/admin/account/two-factor/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = csp_directives(response.headers["Content-Security-Policy"])
        nonces = [w for w in policy["script-src"] if w.startswith("'nonce-")]
        assert len(nonces) == 1
        nonce = nonces[0][len("'nonce-"):-1]
        assert len(nonce) >= 16
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        page = response.get_data(as_text=True)
        tags = script_tags(page)
        assert tags, url
        assert all(f'nonce="{nonce}"' in tag for tag in tags), url
        # inline event handlers: only the few texts Flask-Admin writes, each allowed by its hash
        for handler in inline_handlers(page):
            assert _hash(handler) in policy["script-src"], (url, handler)
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    # the list page has actions with inline handlers: they are allowed, nothing else is
    page = client.get("/admin/client/").get_data(as_text=True)
    assert any("modelActions.execute" in h for h in inline_handlers(page))
    # a new nonce for every response
    first = client.get("/admin/").headers["Content-Security-Policy"]
    assert first != client.get("/admin/").headers["Content-Security-Policy"]


def test_security_headers_on_every_page(client, db, login_as, app):
    anonymous = [client.get(url) for url in ("/login", "/admin/", "/does-not-exist", "/login/code")]
    login_as("manager", "worker", "admin", "reception")
    pages = [client.get(url) for url in ("/admin/", "/admin/client/", "/admin/worker/", "/admin/account/",
                                          "/admin/lockouts/", "/admin/reports/", "/admin/audit/", "/admin/nothing-here/")]
    for response in anonymous + pages:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"
    static = client.get("/static/poradna.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"


def test_session_cookie_flags(app, client, db, monkeypatch):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = _login(client, worker.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client.post("/logout")
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = _login(client, worker.email, PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_session_and_csrf_token_are_renewed_at_login(csrf_app, client, db):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": worker.email, "password": PASSWORD, "csrf_token": before}).status_code == 302
    page = client.get("/admin/account/password/").get_data(as_text=True)
    after = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert before != after
    # the old token no longer works
    assert client.post("/locale", data={"locale": "en", "csrf_token": before}).status_code == 400


# --- errors and logs ---------------------------------------------------------------------------

@pytest.fixture()
def failing_app(monkeypatch):
    from app import create_app
    from config import TestConfig

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = "sqlite://"
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    application = create_app(config)
    application.config["PROPAGATE_EXCEPTIONS"] = False

    @application.route("/boom")
    def boom():
        raise RuntimeError("Olena Kovalenko, +420 777 123 456, poznámka: MARKER-SECRET")

    return application


def test_a_500_shows_no_traceback_and_logs_no_personal_data(failing_app, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(failing_app.logger, "disabled", False)  # Alembic's fileConfig (migration tests) disables it
    with failing_app.test_client() as c:
        response = c.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="cs">' in page
    for leak in ("Traceback", "RuntimeError", "MARKER-SECRET", "Kovalenko", "test_security.py"):
        assert leak not in page
    logged = caplog.text
    assert "RuntimeError" in logged  # the kind of error and where it happened stay
    for leak in ("MARKER-SECRET", "Kovalenko", "777", "Traceback"):
        assert leak not in logged
    assert all(record.exc_info is None for record in caplog.records)
    assert response.headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in response.headers


def test_error_pages_speak_the_users_language(client, db, login_as):
    login_as("reception")
    client.post("/locale", data={"locale": "en"})
    for url, status in (("/admin/nothing-here/", 404), ("/admin/audit/", 403)):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == status and '<html lang="en">' in page
        assert "Traceback" not in page and "werkzeug" not in page.lower()


def test_the_development_servers_request_lines_lose_their_query_string(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="werkzeug")
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", False)
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now",
                                       "GET /admin/client/?search=Kovalenko HTTP/1.1", "200", "-")
    assert "Kovalenko" not in caplog.text and "GET /admin/client/?" in caplog.text


# --- production settings -----------------------------------------------------------------------

def _production_app(monkeypatch, secret=None, debug=False):
    from app import create_app
    from config import Config

    monkeypatch.setenv("PORADNA_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    if debug:
        monkeypatch.setenv("FLASK_DEBUG", "1")
    else:
        monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = "sqlite://"
    return create_app(config)


def test_production_refuses_to_start_without_a_real_secret_key_or_with_debug(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _production_app(monkeypatch, secret=None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _production_app(monkeypatch, secret="changeme")
    with pytest.raises(RuntimeError, match="debug"):
        _production_app(monkeypatch, secret="a3f1c9e07b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d", debug=True)
    application = _production_app(monkeypatch, secret="a3f1c9e07b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d")
    assert application.config["PORADNA_ENV"] == "production"


def test_an_unexpected_error_while_saving_shows_no_internals(client, db, login_as, monkeypatch):
    from admin_views.staff import TopicView

    def explode(self, form, model, is_created):
        raise RuntimeError("SECRET-INTERNAL SELECT * FROM client WHERE last_name = 'Kovalenko'")

    monkeypatch.setattr(TopicView, "check_model", explode)
    login_as("admin")
    response = client.post("/admin/topic/new/", data={"code": "x1", "label_cs": "X", "label_en": "X", "active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "SECRET-INTERNAL" not in page and "Kovalenko" not in page and "RuntimeError" not in page


@pytest.mark.parametrize("url,expected", [
    ("https://www.mvcr.cz/", "https://www.mvcr.cz/"), ("http://example.org/a?b=c", "http://example.org/a?b=c"),
    ("mailto:jana@example.org", "mailto:jana@example.org"), ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None), ("vbscript:msgbox", None), ("//evil.example/", None),
    ("https:evil.example", None), ("java\tscript:alert(1)", None), ("", None), (None, None),
])
def test_links_built_from_data_allow_only_http_https_and_mailto(url, expected):
    from security import safe_link

    assert safe_link(url) == expected
