"""Sessions end: after inactivity, after their maximum length, at logout (for good), when the password
changes, when the account is disabled or locked."""
from __future__ import annotations

from models import AuditEvent, Worker
from models.enums import AuditAction
from tests import factories
from tests.conftest import PASSWORD, count_rows
from tests.security_helpers import frozen_clock  # noqa: F401

NEW_PASSWORD = "tramvaj-kobliha-Vltava-7"


def test_signed_out_after_30_minutes_without_activity(client, db, login_as, frozen_clock):
    me = login_as("worker")
    frozen_clock.shift(minutes=29)
    assert client.get("/admin/").status_code == 200
    frozen_clock.shift(minutes=29)  # activity restarted the count
    assert client.get("/admin/client/").status_code == 200
    frozen_clock.shift(minutes=31)
    response = client.get("/admin/client/?page=2")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/admin/client/?page%3D2"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "30" in page  # the reason is shown on the sign-in page
    assert client.get("/admin/").status_code == 302
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.SESSION_ENDED).one()
    assert (event.actor_id, event.details) == (me.id, {"reason": "idle"})


def test_the_session_cookie_is_sent_again_only_when_its_last_request_time_moves(client, db, login_as, frozen_clock):
    """Within SEEN_RESOLUTION seconds of the last update a page view leaves the session as it is (no
    cookie signed and sent again); later it moves the last request time on, so activity keeps it."""
    from security import SEEN_RESOLUTION

    login_as("worker")
    frozen_clock.shift(seconds=SEEN_RESOLUTION + 1)
    assert "session=" in client.get("/admin/").headers.get("Set-Cookie", "")
    frozen_clock.shift(seconds=SEEN_RESOLUTION - 5)
    response = client.get("/admin/client/")
    assert response.status_code == 200 and "session=" not in response.headers.get("Set-Cookie", "")
    for _ in range(4):  # 4 × 20 minutes of work, each view within the idle time of the one before
        frozen_clock.shift(minutes=20)
        assert client.get("/admin/client/").status_code == 200


def test_the_idle_time_is_configurable(app, client, db, login_as, frozen_clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    login_as("worker")
    frozen_clock.shift(minutes=6)
    assert client.get("/admin/").status_code == 302


def test_signed_out_after_the_maximum_session_length_even_when_active(client, db, login_as, frozen_clock):
    me = login_as("worker")
    for _ in range(35):  # 11 h 40 min of steady work
        frozen_clock.shift(minutes=20)
        assert client.get("/admin/").status_code == 200
    frozen_clock.shift(minutes=21)
    assert client.get("/admin/").status_code == 302
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.SESSION_ENDED).one()
    assert (event.actor_id, event.details) == (me.id, {"reason": "lifetime"})


def test_logout_ends_the_session_even_where_its_cookie_was_copied(app, client, db, login_as):
    login_as("worker")
    stolen = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/admin/").status_code == 302


def test_a_password_change_ends_the_other_sessions(app, client, db, login_as):
    me = login_as("worker")
    laptop = app.test_client()
    assert laptop.post("/login", data={"email": me.email, "password": PASSWORD}).status_code == 302
    assert laptop.get("/admin/").status_code == 200
    # refused: wrong current password, different new passwords, a common password
    wrong = client.post("/admin/account/password/", data={
        "current_password": "not-my-password-at-all", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 400
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.FAILED_LOGIN) == 1
    differ = client.post("/admin/account/password/", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"})
    assert differ.status_code == 400
    common = client.post("/admin/account/password/", data={
        "current_password": PASSWORD, "new_password": "Password2024!", "confirm_password": "Password2024!"})
    assert common.status_code == 400
    assert laptop.get("/admin/").status_code == 200
    # accepted
    response = client.post("/admin/account/password/", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # this session goes on
    assert laptop.get("/admin/").status_code == 302  # the other one ended
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.PASSWORD_CHANGED).one()
    assert (event.actor_id, event.entity_id) == (me.id, me.id)
    db.session.expire_all()
    assert db.session.get(Worker, me.id).check_password(NEW_PASSWORD)


def test_an_admin_setting_a_password_ends_the_persons_sessions(app, client, db, login_as):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/login", data={"email": person.email, "password": PASSWORD})
    assert theirs.get("/admin/").status_code == 200
    login_as("admin")
    response = client.post(f"/admin/worker/edit/?id={person.id}", data={
        "full_name": person.full_name, "email": person.email, "roles": ["worker"], "active": "y", "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert theirs.get("/admin/").status_code == 302


def test_disabling_ends_the_sessions_for_good(app, client, db, login_as):
    person = factories.make_worker(password=PASSWORD)
    db.session.commit()
    theirs = app.test_client()
    theirs.post("/login", data={"email": person.email, "password": PASSWORD})
    login_as("admin")
    form = {"full_name": person.full_name, "email": person.email, "roles": ["worker"]}
    assert client.post(f"/admin/worker/edit/?id={person.id}", data=form).status_code == 302  # active unticked
    assert theirs.get("/admin/").status_code == 302
    # enabling the account again does not bring the old session back
    assert client.post(f"/admin/worker/edit/?id={person.id}", data={**form, "active": "y"}).status_code == 302
    assert theirs.get("/admin/").status_code == 302


def test_a_session_from_before_this_version_is_not_accepted(app, client, db, login_as):
    """Sessions hold "<id>:<version>"; a bare id (or a forged one) signs nobody in."""
    me = login_as("worker")
    with client.session_transaction() as session:
        session["_user_id"] = str(me.id)
    assert client.get("/admin/").status_code == 302


def _signed_in(app, worker):
    other = app.test_client()
    assert other.post("/login", data={"email": worker.email, "password": PASSWORD}).status_code == 302
    assert other.get("/admin/").status_code == 200
    return other


def test_a_role_change_or_deactivation_on_the_staff_screen_ends_the_persons_sessions(app, client, db, login_as):
    person = factories.make_worker(password=PASSWORD, roles=["worker"])
    db.session.commit()
    theirs = _signed_in(app, person)
    admin = login_as("admin")
    form = {"full_name": person.full_name, "email": person.email, "roles": ["worker", "reception"], "active": "y"}
    assert client.post(f"/admin/worker/edit/?id={person.id}", data=form).status_code == 302
    assert theirs.get("/admin/").status_code == 302  # signed out: what they may open changed
    event = db.session.query(AuditEvent).filter_by(action=AuditAction.ROLES_CHANGED).one()
    assert (event.actor_id, event.entity_id) == (admin.id, person.id)
    assert event.details == {"from": ["worker"], "to": ["reception", "worker"], "via": "staff"}
    theirs = _signed_in(app, person)
    form.pop("active")  # unticked: deactivated
    assert client.post(f"/admin/worker/edit/?id={person.id}", data=form).status_code == 302
    assert theirs.get("/admin/").status_code == 302
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.ACCOUNT_DISABLED) == 1
    # saving the form without a change of roles or state ends nothing
    form["active"] = "y"
    assert client.post(f"/admin/worker/edit/?id={person.id}", data=form).status_code == 302
    theirs = _signed_in(app, person)
    assert client.post(f"/admin/worker/edit/?id={person.id}", data={**form, "full_name": "Jiné Jméno"}).status_code == 302
    assert theirs.get("/admin/").status_code == 200
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.ROLES_CHANGED) == 1


def test_each_change_of_security_state_is_one_operation_that_ends_the_accounts_sessions(app, db):
    """services.users: the operations My account, the staff screen and the command line share."""
    from services import users

    person = factories.make_worker(password=PASSWORD, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", roles=["worker"])
    db.session.commit()
    steps = [
        (lambda: users.change_password(db.session, person, NEW_PASSWORD, via="cli"), AuditAction.PASSWORD_CHANGED),
        (lambda: users.turn_off_two_factor(db.session, person, via="staff"), AuditAction.TWO_FACTOR_OFF),
        (lambda: users.set_roles(db.session, person, ["worker", "manager"], via="staff"), AuditAction.ROLES_CHANGED),
        (lambda: users.set_active(db.session, person, False, via="staff"), AuditAction.ACCOUNT_DISABLED),
    ]
    for step, action in steps:
        version = person.session_version
        assert step() in (None, True)
        db.session.commit()
        assert person.session_version == version + 1, action
        assert count_rows(AuditEvent, AuditEvent.action == action) == 1, action
    # nothing to change: no session ends, nothing is recorded
    version = person.session_version
    assert users.set_roles(db.session, person, ["manager", "worker"], via="staff") is False
    assert users.set_active(db.session, person, False, via="staff") is False
    assert users.turn_off_two_factor(db.session, person, via="cli") is False
    db.session.commit()
    assert person.session_version == version
