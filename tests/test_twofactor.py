"""Two-factor sign-in: enrolment with a QR code drawn by the app, sign-in with a code from the app or a
recovery code (once), no replay, throttling of codes, the requirement for managers and admins."""
from __future__ import annotations

import re

import pyotp
import pytest

from models import AuditEvent, RecoveryCode, Worker
from models.enums import AuditAction, Role
from services import clock
from tests import factories
from tests.conftest import PASSWORD, count_rows
from tests.security_helpers import frozen_clock  # noqa: F401


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now())


def _enrol(client, db, worker_id, frozen_clock):
    """Set up two-factor sign-in on the signed-in client; the recovery codes shown."""
    page = client.get("/admin/account/two-factor/").get_data(as_text=True)
    worker = db.session.get(Worker, worker_id)
    secret = worker.totp_secret
    assert secret and not worker.totp_enabled
    response = client.post("/admin/account/two-factor/", data={"code": _code(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code[^>]*>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))
    assert len(codes) == 10
    frozen_clock.shift(seconds=31)  # the next code belongs to the next time step
    return secret, codes, page


def _password_step(client, worker):
    return client.post("/login", data={"email": worker.email, "password": PASSWORD})


def test_enrolment_shows_a_qr_code_drawn_by_the_app_and_the_key(client, db, login_as, frozen_clock):
    me = login_as("worker")
    page = client.get("/admin/account/two-factor/").get_data(as_text=True)
    db.session.expire_all()
    secret = db.session.get(Worker, me.id).totp_secret
    assert re.search(r"<svg[^>]*class=\"totp-qr\"", page) and "<path" in page
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    assert "http" not in page.split('class="totp-qr"')[1].split("</svg>")[0]  # nothing fetched from elsewhere
    # reloading keeps the same key (a scanned code stays valid until confirmed)
    client.get("/admin/account/two-factor/")
    db.session.expire_all()
    assert db.session.get(Worker, me.id).totp_secret == secret
    assert not db.session.get(Worker, me.id).totp_enabled
    # a wrong code does not turn it on
    response = client.post("/admin/account/two-factor/", data={"code": "000000" if _code(secret) != "000000" else "111111"})
    assert response.status_code == 400
    db.session.expire_all()
    assert not db.session.get(Worker, me.id).totp_enabled


def test_enrolment_then_sign_in_with_a_code(app, client, db, login_as, frozen_clock):
    me = login_as("worker")
    secret, codes, _ = _enrol(client, db, me.id, frozen_clock)
    db.session.expire_all()
    worker = db.session.get(Worker, me.id)
    assert worker.totp_enabled
    # the codes are kept only as hashes
    stored = [row.code_hash for row in db.session.query(RecoveryCode).filter_by(worker_id=me.id)]
    assert len(stored) == 10 and not set(c.replace("-", "") for c in codes) & set(stored)
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.TWO_FACTOR_ON, entity_id=me.id).count() == 1
    assert client.get("/admin/").status_code == 200  # this session goes on
    client.post("/logout")

    # the password alone does not sign in
    response = _password_step(client, worker)
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/admin/").status_code == 302
    page = client.get("/login/code").get_data(as_text=True)
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    login = db.session.query(AuditEvent).filter_by(action=AuditAction.LOGIN, actor_id=me.id).order_by(AuditEvent.id.desc()).first()
    assert login.details == {"method": "totp"}


def test_a_code_works_only_once(app, client, db, login_as, frozen_clock):
    me = login_as("worker")
    secret, _, _ = _enrol(client, db, me.id, frozen_clock)
    client.post("/logout")
    worker = db.session.get(Worker, me.id)
    code = _code(secret)
    _password_step(client, worker)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    _password_step(client, worker)
    assert client.post("/login/code", data={"code": code}).status_code == 400  # replayed within its 30 seconds
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(app, client, db, login_as, frozen_clock):
    me = login_as("worker")
    _, codes, _ = _enrol(client, db, me.id, frozen_clock)
    client.post("/logout")
    worker = db.session.get(Worker, me.id)
    _password_step(client, worker)
    response = client.post("/login/code", data={"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert "9" in page  # how many are left is shown once
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.RECOVERY_CODE_USED, entity_id=me.id).count() == 1
    assert count_rows(RecoveryCode, RecoveryCode.used_at.is_not(None)) == 1
    client.post("/logout")
    _password_step(client, worker)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 400
    assert client.post("/login/code", data={"code": codes[4]}).status_code == 302


def test_wrong_codes_are_throttled(app, client, db, login_as, frozen_clock):
    me = login_as("worker")
    secret, _, _ = _enrol(client, db, me.id, frozen_clock)
    client.post("/logout")
    worker = db.session.get(Worker, me.id)
    _password_step(client, worker)
    wrong = "123456" if _code(secret) != "123456" else "654321"
    for _ in range(5):
        assert client.post("/login/code", data={"code": wrong}).status_code == 400
    # now locked: even the right code is refused and the sign-in starts over
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302
    assert _password_step(client, worker).status_code == 429
    failures = db.session.query(AuditEvent).filter_by(action=AuditAction.FAILED_LOGIN, entity_id=me.id).all()
    assert sum(1 for e in failures if e.details["step"] == "code") == 5  # the lock also ended the pending step


def test_the_second_step_expires(app, client, db, login_as, frozen_clock):
    me = login_as("worker")
    secret, _, _ = _enrol(client, db, me.id, frozen_clock)
    client.post("/logout")
    _password_step(client, db.session.get(Worker, me.id))
    frozen_clock.shift(minutes=6)
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302


def test_the_code_page_needs_the_password_first(client, db):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code == 302


@pytest.fixture()
def require_2fa(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", ["manager", "admin"])


def test_managers_without_two_factor_are_sent_to_enrolment(require_2fa, client, db, login_as, frozen_clock):
    me = login_as("manager")
    for url in ("/admin/", "/admin/client/", "/admin/account/password/", "/admin/reports/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/admin/account/two-factor/", url
    assert client.post("/admin/client/new/", data={"last_name": "X"}).status_code == 302
    page = client.get("/admin/account/two-factor/").get_data(as_text=True)
    assert "totp-qr" in page
    # switching the language and signing out still work
    assert client.post("/locale", data={"locale": "en", "next": "/admin/"}).status_code == 302
    secret, _, _ = _enrol(client, db, me.id, frozen_clock)
    assert client.get("/admin/").status_code == 200
    # a required second step cannot be turned off by its owner
    client.post("/admin/account/two-factor/off/", data={"current_password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(Worker, me.id).totp_enabled


def test_workers_are_not_required(require_2fa, client, db, login_as):
    login_as("worker", "reception")
    assert client.get("/admin/").status_code == 200


def test_an_admin_resets_a_lost_phone(require_2fa, app, client, db, login_as, frozen_clock):
    manager = factories.make_worker(roles=[Role.MANAGER], password=PASSWORD, totp_secret=pyotp.random_base32())
    manager.totp_enabled_at = clock.now()
    db.session.commit()
    other = app.test_client()
    _password_step(other, manager)
    assert other.post("/login/code", data={"code": _code(manager.totp_secret)}).status_code == 302
    assert other.get("/admin/").status_code == 200
    admin = login_as("admin")
    # the admin passes the requirement too: sent to enrolment first
    secret, _, _ = _enrol(client, db, admin.id, frozen_clock)
    response = client.post("/admin/worker/action/", data={"action": "reset_two_factor", "rowid": [manager.id]})
    assert response.status_code == 302
    db.session.expire_all()
    reset = db.session.get(Worker, manager.id)
    assert not reset.totp_enabled and reset.totp_secret is None
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.TWO_FACTOR_OFF, entity_id=manager.id).one()
    assert event.actor_id == admin.id and event.details == {"by": "admin"}
    # the manager's session ended; at the next sign-in they set it up again
    assert other.get("/admin/").status_code == 302
    assert _password_step(other, manager).headers["Location"] == "/admin/"
    assert other.get("/admin/").headers["Location"] == "/admin/account/two-factor/"


def test_optional_two_factor_can_be_turned_off_with_the_password(client, db, login_as, frozen_clock):
    me = login_as("worker")
    _enrol(client, db, me.id, frozen_clock)
    assert client.post("/admin/account/two-factor/off/", data={"current_password": "wrong-password-here"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Worker, me.id).totp_enabled
    assert client.post("/admin/account/two-factor/off/", data={"current_password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Worker, me.id).totp_enabled
    assert count_rows(RecoveryCode) == 0
    assert db.session.query(AuditEvent).filter_by(action=AuditAction.TWO_FACTOR_OFF).one().details == {"by": "self"}


def test_new_recovery_codes_replace_the_old_ones(client, db, login_as, frozen_clock):
    me = login_as("worker")
    _, old_codes, _ = _enrol(client, db, me.id, frozen_clock)
    assert client.get("/admin/account/recovery-codes/").status_code == 200
    response = client.post("/admin/account/recovery-codes/", data={"current_password": PASSWORD})
    new_codes = re.findall(r"<code[^>]*>([a-z0-9-]{19})</code>", response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert response.headers["Cache-Control"] == "no-store"
    client.post("/logout")
    _password_step(client, db.session.get(Worker, me.id))
    assert client.post("/login/code", data={"code": old_codes[0]}).status_code == 400
    assert client.post("/login/code", data={"code": new_codes[0]}).status_code == 302


def test_an_empty_require_2fa_roles_in_the_environment_turns_the_requirement_off(app, client, db, monkeypatch):
    """`REQUIRE_2FA_ROLES= make run` (the README's first look) really lets the demo manager in with a password."""
    from config import Config

    monkeypatch.delenv("REQUIRE_2FA_ROLES", raising=False)
    assert Config(generate_secret=False).REQUIRE_2FA_ROLES == ["manager", "admin"]
    monkeypatch.setenv("REQUIRE_2FA_ROLES", " Worker, manager ")
    assert Config(generate_secret=False).REQUIRE_2FA_ROLES == ["worker", "manager"]
    monkeypatch.setenv("REQUIRE_2FA_ROLES", "")
    assert Config(generate_secret=False).REQUIRE_2FA_ROLES == []
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", Config(generate_secret=False).REQUIRE_2FA_ROLES)
    manager = factories.make_worker(password=PASSWORD, roles=[Role.MANAGER, Role.ADMIN])
    db.session.commit()
    assert client.post("/login", data={"email": manager.email, "password": PASSWORD}).status_code == 302
    assert client.get("/admin/").status_code == 200  # not sent to set up two-factor sign-in
    # while the default sends the same account to enrolment first
    monkeypatch.delenv("REQUIRE_2FA_ROLES")
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", Config(generate_secret=False).REQUIRE_2FA_ROLES)
    assert client.get("/admin/").headers["Location"] == "/admin/account/two-factor/"


def test_turning_two_factor_off_on_my_account_ends_the_other_sessions(app, client, db, login_as, frozen_clock):
    """The same operation as the admin's reset and the command line's: every other session ends,
    this one goes on under a fresh session."""
    me = login_as("worker")
    _enrol(client, db, me.id, frozen_clock)
    laptop = app.test_client()
    secret = db.session.get(Worker, me.id).totp_secret
    _password_step(laptop, db.session.get(Worker, me.id))
    assert laptop.post("/login/code", data={"code": _code(secret)}).status_code == 302
    assert laptop.get("/admin/").status_code == 200
    assert client.post("/admin/account/two-factor/off/", data={"current_password": PASSWORD}).status_code == 302
    assert laptop.get("/admin/").status_code == 302  # signed out
    assert client.get("/admin/").status_code == 200  # this session goes on
    db.session.expire_all()
    assert not db.session.get(Worker, me.id).totp_enabled
