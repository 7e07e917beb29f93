"""Each change of an account's security state is one operation of services.users: the change, its audit
entry and its side effects (the account's sessions end), flushed; the pages only commit (admin_views.saving).

Without HTTP first, then one request per changed page: My account's password, two-factor sign-in and
recovery codes, the staff screen's password and deactivation (one audit entry per change, none split
between the page and the service), and the lockouts page."""
from __future__ import annotations

import re

import pyotp
import pytest

from extensions import db
from models import AuditEvent, RecoveryCode, Worker
from models.enums import AuditAction
from services import clock, throttle, twofactor, users
from services.errors import ServiceError
from tests import factories
from tests.conftest import PASSWORD, count_rows
from tests.security_helpers import frozen_clock  # noqa: F401

NEW_PASSWORD = "tramvaj-kobliha-Vltava-7"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _entries(action, worker=None) -> list[AuditEvent]:
    query = db.session.query(AuditEvent).filter_by(action=action)
    if worker is not None:
        query = query.filter_by(entity="worker", entity_id=worker.id)
    return query.all()


# --- the operations, without HTTP ----------------------------------------------------------------

def test_turning_two_factor_on_with_a_wrong_code_is_refused_at_the_code_and_changes_nothing(db, frozen_clock):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    secret = twofactor.pending_secret(person)
    db.session.commit()
    version = person.session_version
    wrong = "000000" if pyotp.TOTP(secret).at(clock.now()) != "000000" else "111111"
    with pytest.raises(ServiceError) as refused:
        users.turn_on_two_factor(db.session, person, wrong)
    assert refused.value.field == "code"
    db.session.rollback()
    assert not person.totp_enabled and person.session_version == version and not _entries(AuditAction.TWO_FACTOR_ON)
    codes = users.turn_on_two_factor(db.session, person, pyotp.TOTP(secret).at(clock.now()))
    db.session.commit()
    assert len(codes) == 10 and person.totp_enabled and person.session_version == version + 1
    assert len(_entries(AuditAction.TWO_FACTOR_ON, person)) == 1
    with pytest.raises(ServiceError):  # already on: nothing to turn on
        users.turn_on_two_factor(db.session, person, pyotp.TOTP(secret).at(clock.now()))


def test_new_recovery_codes_are_one_audited_operation_and_only_while_two_factor_is_on(db):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    with pytest.raises(ServiceError):
        users.replace_recovery_codes(db.session, person)
    db.session.rollback()
    person.totp_secret, person.totp_enabled_at = SECRET, clock.now()
    first = twofactor.new_recovery_codes(db.session, person)
    db.session.commit()
    version = person.session_version
    codes = users.replace_recovery_codes(db.session, person)
    db.session.commit()
    assert len(codes) == 10 and not set(codes) & set(first)
    assert count_rows(RecoveryCode, RecoveryCode.worker_id == person.id) == 10
    assert not twofactor.use_recovery_code(db.session, person, first[0])  # the old ones are void
    assert len(_entries(AuditAction.RECOVERY_CODES, person)) == 1
    assert person.session_version == version  # nobody can sign in more easily: the sessions go on


def test_a_password_change_and_a_deactivation_end_the_sessions_once_and_are_audited_once(db):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    version = person.session_version
    with pytest.raises(ServiceError) as refused:  # the rules first: nothing changes
        users.change_password(db.session, person, "heslo123456", via="staff")
    assert refused.value.field == "password"
    db.session.rollback()
    assert person.session_version == version and not _entries(AuditAction.PASSWORD_CHANGED)
    users.change_password(db.session, person, NEW_PASSWORD, via="staff")
    db.session.commit()
    assert person.check_password(NEW_PASSWORD) and person.session_version == version + 1
    assert [e.details for e in _entries(AuditAction.PASSWORD_CHANGED, person)] == [{"via": "staff"}]
    assert users.set_active(db.session, person, False, via="staff") is True
    assert users.set_active(db.session, person, False, via="staff") is False  # already off: nothing more
    db.session.commit()
    assert not person.active and person.session_version == version + 2
    assert len(_entries(AuditAction.ACCOUNT_DISABLED, person)) == 1


def test_lifting_a_lockout_flushes_its_audit_entry(db):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    throttle.lift_account(db.session, person)
    assert not db.session.new  # flushed by the operation, committed by the caller
    assert len(_entries(AuditAction.UNLOCKED, person)) == 1


# --- the pages -----------------------------------------------------------------------------------

def test_my_password_a_refused_one_is_shown_at_its_field_and_nothing_is_kept(client, db, login_as):
    me = login_as("worker")
    response = client.post("/admin/account/password/", data={
        "current_password": PASSWORD, "new_password": "heslo123456", "confirm_password": "heslo123456"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    at_field = re.search(r'<div class="invalid-feedback" id="new_password-errors">([^<]+)</div>', page)
    assert at_field and "heslo" in at_field.group(1).lower()  # the service's message, in Czech, at the field
    db.session.expire_all()
    assert db.session.get(Worker, me.id).check_password(PASSWORD)
    assert not _entries(AuditAction.PASSWORD_CHANGED)
    response = client.post("/admin/account/password/", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this page goes on in a fresh session
    db.session.expire_all()
    assert db.session.get(Worker, me.id).check_password(NEW_PASSWORD)
    assert [e.details for e in _entries(AuditAction.PASSWORD_CHANGED, me)] == [{"via": "account"}]


def test_my_password_change_still_needs_the_csrf_token(app, client, db, login_as):
    me = login_as("worker")
    app.config["WTF_CSRF_ENABLED"] = True  # once signed in (the sign-in above posts no token)
    try:
        response = client.post("/admin/account/password/", data={
            "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Worker, me.id).check_password(PASSWORD)
    assert not _entries(AuditAction.PASSWORD_CHANGED)


def test_new_recovery_codes_on_my_account(client, db, login_as):
    me = login_as("worker")
    me.totp_secret, me.totp_enabled_at = SECRET, clock.now()  # on since this session began
    db.session.commit()
    response = client.post("/admin/account/recovery-codes/", data={"current_password": PASSWORD})
    assert response.status_code == 200
    codes = re.findall(r"<code[^>]*>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", response.get_data(as_text=True))
    assert len(codes) == 10
    assert len(_entries(AuditAction.RECOVERY_CODES, me)) == 1


def test_the_staff_screen_audits_each_security_change_once_by_its_operation(app, client, db, login_as):
    """A new password set by an admin is one PASSWORD_CHANGED entry (not also an update of the row); a
    deactivation with a changed name is ACCOUNT_DISABLED plus an update naming only the name."""
    person = factories.make_worker(password=PASSWORD, roles=["worker"], languages=["uk"])
    db.session.commit()
    theirs = app.test_client()
    assert theirs.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    login_as("admin")
    form = {"full_name": person.full_name, "email": person.email, "roles": ["worker"], "languages": ["uk"], "active": "y"}
    # a refused password: at the form's field, nothing kept
    response = client.post(f"/admin/worker/edit/?id={person.id}", data={**form, "new_password": "heslo123456"})
    assert response.status_code == 200
    assert re.search(r'id="new_password"', response.get_data(as_text=True))
    assert not _entries(AuditAction.PASSWORD_CHANGED) and not _entries(AuditAction.UPDATE, person)
    response = client.post(f"/admin/worker/edit/?id={person.id}", data={**form, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert theirs.get("/admin/").status_code == 302  # their session ended
    assert [e.details for e in _entries(AuditAction.PASSWORD_CHANGED, person)] == [{"via": "staff"}]
    assert not _entries(AuditAction.UPDATE, person)
    form.pop("active")
    response = client.post(f"/admin/worker/edit/?id={person.id}", data={**form, "full_name": "Jiné Jméno"})
    assert response.status_code == 302
    assert len(_entries(AuditAction.ACCOUNT_DISABLED, person)) == 1
    assert [e.details for e in _entries(AuditAction.UPDATE, person)] == [{"fields": ["full_name"]}]


def test_the_staff_screens_reset_of_two_factor_goes_through_the_operation(client, db, login_as):
    person = factories.make_worker(password=PASSWORD, totp_secret=SECRET, totp_enabled_at=clock.now())
    db.session.commit()
    version = person.session_version
    login_as("admin")
    response = client.post("/admin/worker/action/", data={"action": "reset_two_factor", "rowid": [str(person.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Worker, person.id)
    assert not person.totp_enabled and person.session_version == version + 1
    assert [e.details for e in _entries(AuditAction.TWO_FACTOR_OFF, person)] == [{"by": "admin"}]
