"""Attacks through the screens: stored script in text fields, SQL-shaped search and filter input,
CSRF on every POST endpoint, open redirects through ``next`` and Flask-Admin's ``url``."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from flask_admin.contrib.sqla import ModelView

from models import Client, CoverGrant, Worker
from tests import factories
from tests.conftest import PASSWORD, count_rows

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
RAW_MARKERS = ("<script>alert(", "<img src=x onerror")


def _no_raw_payload(url: str, page: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in page, f"unescaped payload on {url}"


def _stored_script_world(me):
    """One client of ``me`` with a payload in every text field of every record under it."""
    client = factories.make_client(
        worker=me, first_name=PAYLOAD[:100], last_name="Kovalenko" + IMG, alias=SCRIPT, municipality=PAYLOAD,
        district=IMG, legal_hold_reason=PAYLOAD,
    )
    agreement = factories.make_agreement(client=client, worker=me, issue=PAYLOAD, goal=PAYLOAD, end_reason=PAYLOAD)
    factories.make_task(agreement=agreement, description=PAYLOAD, outcome=PAYLOAD, due_on=date(2020, 1, 1))
    factories.make_intake(client=client, worker=me, issue=PAYLOAD, end_note=PAYLOAD)
    appointment = factories.make_appointment(client=client, worker=me, notes=PAYLOAD, evaluation=PAYLOAD,
                                             next_steps=PAYLOAD, place_note=PAYLOAD[:200])
    visit = factories.make_visit(client=client, worker=me, summary=PAYLOAD)
    request = factories.make_data_request(client=client, note=PAYLOAD)
    return {"client": client, "agreement": agreement, "appointment": appointment, "visit": visit, "data_request": request}


def test_stored_script_comes_out_escaped_everywhere(app, client, db, login_as):
    me = login_as("manager", "worker", full_name="Pracovnice " + IMG)
    world = _stored_script_world(me)
    colleague = factories.make_worker(full_name="Kolega" + SCRIPT)
    other = factories.make_client(worker=colleague)
    db.session.add(CoverGrant(client=other, worker=me, reason=PAYLOAD, expires_at=datetime(2999, 1, 1, tzinfo=timezone.utc)))
    db.session.commit()
    cid = world["client"].id
    urls = ["/admin/", f"/admin/client/?search=Kovalenko", f"/admin/client/details/?id={cid}", f"/admin/client/edit/?id={cid}",
            f"/admin/client/case/?id={cid}", f"/admin/client/accesses/?id={cid}", "/admin/calendar/", "/admin/reports/",
            "/admin/audit/"]
    for endpoint in ("client", "agreement", "task", "intake", "appointment", "visit", "data_request"):
        urls.append(f"/admin/{endpoint}/")
    for endpoint in ("agreement", "appointment", "visit", "data_request"):
        urls += [f"/admin/{endpoint}/details/?id={world[endpoint].id}", f"/admin/{endpoint}/edit/?id={world[endpoint].id}"]
    shown = 0
    for url in urls:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        _no_raw_payload(url, page)
        shown += "&lt;script&gt;alert(" in page or "&lt;img src=x onerror" in page
    assert shown >= 10  # the text is there, escaped
    # the printable record (the JSON export is data, not a page)
    export = client.post(f"/admin/client/export/?id={cid}", data={"format": "html", "lang": "cs"})
    assert export.status_code == 200
    _no_raw_payload("export", export.get_data(as_text=True))
    assert "&lt;script&gt;" in export.get_data(as_text=True)
    json_export = client.post(f"/admin/client/export/?id={cid}", data={"format": "json", "lang": "cs"})
    assert json_export.mimetype == "application/json"


def test_staff_names_and_code_lists_come_out_escaped_for_admins(client, db, login_as):
    login_as("admin")
    factories.make_worker(full_name="Jméno" + PAYLOAD)
    factories.make_topic(label_cs=PAYLOAD, label_en=PAYLOAD)
    factories.make_office(name_cs=PAYLOAD, name_en=PAYLOAD)
    db.session.commit()
    for url in ("/admin/worker/", "/admin/topic/", "/admin/office/", "/admin/working_hours/new/", "/admin/walkin_hours/new/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _no_raw_payload(url, response.get_data(as_text=True))


def test_pasted_html_is_stored_as_text_and_shown_as_text(client, db, login_as):
    me = login_as("worker")
    appointment = factories.make_appointment(worker=me, client=factories.make_client(worker=me))
    db.session.commit()
    form = {"client": appointment.client_id, "worker": me.id, "starts_at": factories.local_input(12), "duration_minutes": "60",
            "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
            "notes": "<b>tučně</b><iframe src=https://evil.example></iframe>" + SCRIPT,
            "version": appointment.version}
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}", data=form).status_code == 302
    page = client.get(f"/admin/appointment/details/?id={appointment.id}").get_data(as_text=True)
    assert "&lt;b&gt;tučně&lt;/b&gt;" in page and "<iframe" not in page
    _no_raw_payload("details", page)


# --- SQL-shaped input ------------------------------------------------------------------------

INJECTIONS = ["' OR '1'='1", "'; DROP TABLE client; --", "%' OR 1=1 --", "\\' UNION SELECT password_hash FROM worker --",
              "1) OR (1=1"]


def _model_views(app):
    admin = app.extensions["admin"][0]
    return [view for view in admin._views if isinstance(view, ModelView)]


def test_sql_shaped_searches_return_normal_results(app, client, db, login_as):
    me = login_as("reception", "worker", "manager", "admin")
    factories.make_client(worker=me, last_name="Zřetelná")
    db.session.commit()
    assert "Zřetelná" in client.get("/admin/client/?search=Zřetel").get_data(as_text=True)
    for view in _model_views(app):
        if not view.column_searchable_list:
            continue
        for text in INJECTIONS:
            response = client.get(f"/admin/{view.endpoint}/", query_string={"search": text})
            assert response.status_code == 200, (view.endpoint, text)
            assert "Zřetelná" not in response.get_data(as_text=True), (view.endpoint, text)
    assert count_rows(Client) == 1 and count_rows(Worker) >= 1


def test_sql_shaped_filter_values_never_fail(app, client, db, login_as):
    login_as("reception", "worker", "manager", "admin")
    factories.make_client()
    db.session.commit()
    for view in _model_views(app):
        for index, _flt in enumerate(view._filters or ()):
            for text in ("' OR '1'='1", "2025-13-45' --", "-1"):
                response = client.get(f"/admin/{view.endpoint}/", query_string={f"flt0_{index}": text})
                assert response.status_code == 200, (view.endpoint, index, text)


def test_bad_ids_and_page_numbers_are_not_errors(client, db, login_as):
    login_as("reception", "worker", "manager", "admin")
    for url in ("/admin/client/details/?id=1%27%20OR%201%3D1", "/admin/client/details/?id=99999999999999999999999",
                "/admin/client/?page=-1", "/admin/client/?page=abc", "/admin/client/?sort=999", "/admin/client/?page_size=100000"):
        assert client.get(url).status_code in (200, 302, 404), url


def test_ids_beyond_what_a_key_holds_are_not_errors(client, db, login_as):
    """An id past the 32-bit primary keys (PostgreSQL's INTEGER) is a record that does not exist,
    not the database's "integer out of range"."""
    login_as("reception", "worker", "manager", "admin")
    for big in (2**31, 10**12, 2**63 - 1):
        for url in (f"/admin/client/details/?id={big}", f"/admin/client/case/?id={big}", f"/admin/appointment/card/?id={big}",
                    f"/admin/client/case/roadmap/?id={big}", f"/admin/client/export/?id={big}", f"/admin/appointment/edit/?id={big}",
                    f"/admin/appointment/new/?client_id={big}", f"/admin/?worker={big}", f"/admin/calendar/?worker={big}"):
            assert client.get(url).status_code in (200, 404), url
        for path, data in (("/admin/calendar/status/", {"appointment_id": big, "status": "no_show"}),
                           ("/admin/calendar/walk-in/", {"client_id": big}), ("/admin/lockouts/lift/", {"worker_id": big})):
            assert client.post(path, data=data).status_code == 404, path


# --- CSRF on every POST endpoint -------------------------------------------------------------

def _post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and not rule.arguments:
            yield rule.rule


def test_every_post_endpoint_refuses_a_missing_or_wrong_csrf_token(csrf_app, client, db):
    me = factories.make_worker(password=PASSWORD, roles=["reception", "worker", "manager", "admin"])
    victim = factories.make_client(worker=me)
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": me.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    rules = sorted(_post_rules(csrf_app))
    assert len(rules) > 40
    for path in rules:
        url = path + f"?id={victim.id}"
        data = {"id": victim.id, "action": "delete", "rowid": [victim.id], "code": "123456", "locale": "en",
                "current_password": PASSWORD, "new_password": "x" * 20, "confirm_password": "x" * 20}
        missing = client.post(url, data=data)
        wrong = client.post(url, data={**data, "csrf_token": "forged"})
        assert missing.status_code == 400, path
        assert wrong.status_code == 400, path
    # nothing happened: the client exists, the session is alive, nothing was turned off
    assert count_rows(Client) == 1
    assert client.get("/admin/").status_code == 200


# --- open redirects --------------------------------------------------------------------------

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "\\\\evil.example",
        "https:evil.example", " //evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_login_next_stays_on_site(client, db, target):
    worker = factories.make_worker(password=PASSWORD)
    db.session.commit()
    response = client.post("/login", query_string={"next": target}, data={"email": worker.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"
    client.post("/logout")
    response = client.post("/locale", data={"locale": "en", "next": target})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", EVIL)
def test_flask_admin_url_parameter_stays_on_site(client, db, login_as, target):
    login_as("admin")
    topic = factories.make_topic()
    db.session.commit()
    response = client.post("/admin/topic/new/", query_string={"url": target},
                           data={"code": "t" + str(abs(hash(target)) % 10000), "label_cs": "T", "label_en": "T", "active": "y"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and not location.lower().startswith("javascript")
    page = client.get(f"/admin/topic/edit/", query_string={"id": topic.id, "url": target}).get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if "evil" in h or h.lower().startswith("javascript:alert")]


@pytest.mark.parametrize("target", EVIL + ["https://evil.example/admin/", "/\t/evil.example"])
def test_the_desk_forms_next_stays_on_site(client, db, login_as, target, not_at_midnight):
    """The desk's attendance buttons and walk-in form return to ``next`` after a POST with a valid token:
    only a path on this site, also after an invalid status or a refused change."""
    from datetime import timedelta

    from models.enums import AppointmentStatus

    login_as("reception")
    planned = factories.make_appointment()  # tomorrow
    started = factories.make_appointment(starts_at=datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=5))
    db.session.commit()
    posts = [
        {"appointment_id": planned.id, "status": "bogus"},  # not a status
        {"appointment_id": planned.id, "status": "attended"},  # refused: it has not started
        {"set": f"{started.id}:no_show"},  # done
        {"appointment_id": planned.id, "status": "cancelled_phone"},  # done
    ]
    for data in posts:
        response = client.post("/admin/calendar/status/", data={**data, "next": target})
        assert response.status_code == 302, data
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//") and "evil" not in location, (data, location)
    db.session.expire_all()
    assert db.session.get(type(started), started.id).status == AppointmentStatus.NO_SHOW
    for data in ({"minutes": "abc"}, {"citizenship": "UA"}):
        # a refused walk-in shows the desk again (issue 19: nothing typed is lost); none of its links or
        # forms leads off the site
        response = client.post("/admin/calendar/walk-in/", data={**data, "next": target})
        if response.status_code == 302:
            location = response.headers["Location"]
            assert location.startswith("/") and not location.startswith("//") and "evil" not in location, location
        else:
            assert response.status_code == 200
            assert "evil" not in response.get_data(as_text=True)


@pytest.mark.parametrize("target", EVIL + ["https://evil.example/admin/"])
def test_flask_admin_return_address_in_a_posted_form_stays_on_site(client, db, login_as, target):
    me = login_as("worker")
    visit = factories.make_visit(client=factories.make_client(worker=me), worker=me)
    db.session.commit()
    response = client.post("/admin/visit/delete/", data={"id": visit.id, "url": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and "evil" not in location and not location.startswith("//")
