"""Booking from free slots: the booking page's picker, a slot's link filling the form, the calendar's free time."""
from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from models import Appointment
from services import slots
from services.timeutil import local_now, local_to_utc
from tests import factories


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def _next_monday():
    today = local_now().date()
    return today + timedelta(days=7 - today.weekday())


def _worker_with_hours(db, **fields):
    worker = factories.make_worker(**fields)
    for weekday in range(5):
        factories.make_working_hours(worker=worker, weekday=weekday, starts_at=time(9, 0), ends_at=time(12, 0))
    return worker


def _reception_books_for_a_client_of(db, login_as):
    """Reception signed in; a worker with hours (9:00–12:00 on weekdays) and a client of theirs; next Monday."""
    login_as("reception")
    own = _worker_with_hours(db)
    person = factories.make_client(worker=own)
    db.session.commit()
    return own, person, _next_monday()


def _booking(person, worker, starts_at: str) -> dict:
    """The booking form as a slot's link fills it in, 90 minutes in the centre."""
    return {"client": person.id, "worker": worker.id, "starts_at": starts_at, "duration_minutes": "90",
            "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"}


def _slot_links(page: str) -> list[str]:
    return re.findall(r'href="(/admin/appointment/new/\?[^"]*starts_at=[^"]*)"', page)


def test_the_booking_page_offers_the_clients_own_workers_free_slots_for_two_weeks(client, db, login_as):
    login_as("reception")
    own = _worker_with_hours(db, full_name="Vlastní Pracovnice")
    person = factories.make_client(worker=own)
    monday = _next_monday()
    factories.make_appointment(client=person, starts_at=local_to_utc(
        datetime.combine(monday, time(10, 0))), duration_minutes=60)
    db.session.commit()
    page = _text(client.get(f"/admin/appointment/new/?client_id={person.id}"))
    links = _slot_links(page)
    assert links and all(f"worker_id={own.id}" in link and f"client_id={person.id}" in link for link in links)
    starts = {re.search(r"starts_at=([0-9T:%A-F-]+)", link).group(1).replace("%3A", ":") for link in links}
    assert f"{monday.isoformat()}T09:00" in starts and f"{monday.isoformat()}T11:00" in starts
    assert f"{monday.isoformat()}T10:00" not in starts and f"{monday.isoformat()}T09:30" not in starts  # taken
    assert f"{(monday + timedelta(days=7)).isoformat()}T09:00" in starts or monday - local_now().date() > timedelta(days=6)
    # every slot lies within the next fourteen days
    last = local_now().date() + timedelta(days=slots.DAYS - 1)
    assert max(s[:10] for s in starts) <= last.isoformat()
    # the slot picker comes before the form
    assert page.index("starts_at=") < page.index('name="starts_at"')


def test_a_slot_link_fills_the_form_and_save_books_it(client, db, login_as):
    own, person, monday = _reception_books_for_a_client_of(db, login_as)
    url = (f"/admin/appointment/new/?client_id={person.id}&worker_id={own.id}&length=90"
           f"&starts_at={monday.isoformat()}T09:30")
    page = _text(client.get(url))
    assert f'value="{monday.isoformat()}T09:30"' in page
    assert re.search(r'id="duration_minutes"[^>]*value="90"', page) or 'value="90"' in page
    assert f'<option selected value="{own.id}">' in page
    assert 'aria-current="true"' in page  # the chosen slot is marked
    response = client.post(url, data=_booking(person, own, f"{monday.isoformat()}T09:30"))
    assert response.status_code == 302
    booked = db.session.query(Appointment).one()
    assert booked.duration_minutes == 90 and booked.worker_id == own.id
    # the slot is gone; the guard refuses it anyway when it is sent again
    page = _text(client.get(f"/admin/appointment/new/?client_id={person.id}&length=30"))
    assert f"starts_at={monday.isoformat()}T09%3A30" not in page and f"starts_at={monday.isoformat()}T09:30" not in page
    again = client.post(url, data=_booking(person, own, f"{monday.isoformat()}T09:30"))
    assert again.status_code == 200 and db.session.query(Appointment).count() == 1


def test_another_worker_length_and_week_change_the_slots(client, db, login_as):
    login_as("reception")
    own = _worker_with_hours(db)
    other = factories.make_worker(full_name="Bez Hodin")
    person = factories.make_client(worker=own)
    db.session.commit()
    base = f"/admin/appointment/new/?client_id={person.id}"
    ninety = _slot_links(_text(client.get(base + "&length=90")))
    thirty = _slot_links(_text(client.get(base + "&length=30")))
    assert len(thirty) > len(ninety) and all("length=90" in link for link in ninety)
    later = (local_now().date() + timedelta(days=21)).isoformat()
    shifted = _text(client.get(base + f"&week={later}"))
    assert f"starts_at={later}" in shifted or "starts_at=" in shifted
    assert all(link.split("starts_at=")[1][:10] >= later for link in _slot_links(shifted))
    page = _text(client.get(base + f"&worker_id={other.id}"))
    assert not _slot_links(page) and "Bez Hodin" in page
    # nonsense in the address: the defaults, never an error
    for query in ("&length=45&week=garbage&worker_id=abc", "&worker_id=99999999999&starts_at=tomorrow", "&week=1900-01-01"):
        assert client.get(base + query).status_code == 200


def test_an_unknown_client_gives_an_empty_booking_form(client, db, login_as):
    me = login_as("worker")
    for weekday in range(5):
        factories.make_working_hours(worker=me, weekday=weekday, starts_at=time(9, 0), ends_at=time(12, 0))
    db.session.commit()
    page = _text(client.get("/admin/appointment/new/?client_id=99999"))
    # no client; the worker's own free time is offered (a worker books for themselves)
    links = _slot_links(page)
    assert all(f"worker_id={me.id}" in link and "client_id" not in link for link in links)
    assert _slot_links(page)


def test_the_booking_page_reads_the_same_number_of_queries_however_many_appointments(client, db, login_as):
    _own, person, monday = _reception_books_for_a_client_of(db, login_as)
    url = f"/admin/appointment/new/?client_id={person.id}"
    counted = []

    def count(*args, **kwargs):
        counted.append(1)

    client.get(url)  # the staff and offices lists are kept after the first page
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get(url)
        few = len(counted)
        for day in range(5):
            for hour in (9, 11):
                factories.make_appointment(client=person, duration_minutes=30, starts_at=local_to_utc(
                    datetime.combine(monday + timedelta(days=day), time(hour, 0))))
        db.session.commit()
        counted.clear()
        client.get(url)
        many = len(counted)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert few == many
    # the user, the client, the workers (one list for the form's select and the picker), the offices, and
    # the free time: the worker's hours and appointments (two queries whatever the data)
    assert many <= 4 + 2, many


def test_the_calendar_shows_a_workers_free_time_and_a_click_books(client, db, login_as):
    own, person, monday = _reception_books_for_a_client_of(db, login_as)
    page = _text(client.get(f"/admin/calendar/?week={monday.isoformat()}&worker={own.id}&client_id={person.id}&length=30"))
    links = _slot_links(page)
    assert len(links) == 5 * 6  # 9:00–12:00 in half hours, Monday to Friday
    assert all(f"worker_id={own.id}" in link and f"client_id={person.id}" in link and "length=30" in link for link in links)
    form = _text(client.get(html.unescape(links[0])))
    assert f'value="{monday.isoformat()}T09:00"' in form and person.code in form
    # the whole centre: no free time (choose a worker)
    assert not _slot_links(_text(client.get(f"/admin/calendar/?week={monday.isoformat()}&worker=all")))


def test_the_laid_out_forms_keep_every_field_and_the_version(app, client, db, login_as):
    """Flask-Admin takes a field the rules leave out out of the form: an edit would save it empty, and
    without ``version`` an older form would overwrite a newer record."""
    from admin_views.form_rules import fields_of

    views = {view.endpoint: view for view in app.extensions["admin"][0]._views if hasattr(view, "form_edit_rules")}
    for endpoint in ("client", "appointment", "visit"):
        view = views[endpoint]
        laid_out = fields_of(view.form_edit_rules)
        assert set(view.form_columns) | {"version"} <= laid_out, endpoint
        assert fields_of(view.form_create_rules) >= set(view.form_columns)
    me = login_as("worker")
    person = factories.make_client(worker=me)
    appointment = factories.make_appointment(client=person)
    db.session.commit()
    for url in (f"/admin/client/edit/?id={person.id}", f"/admin/appointment/edit/?id={appointment.id}"):
        page = _text(client.get(url))
        assert 'name="version"' in page and 'name="notes"' in page or 'name="first_name"' in page, url


def test_the_booking_page_is_reached_from_the_desk_the_clients_details_and_the_case_file(client, db, login_as):
    login_as("reception")
    person = factories.make_client(worker=_worker_with_hours(db), last_name="Dosažitelná")
    db.session.commit()
    book = f"/admin/appointment/new/?client_id={person.id}"
    for page in (f"/admin/?q={person.last_name}", f"/admin/client/details/?id={person.id}",
                 f"/admin/client/case/?id={person.id}"):
        assert book in _text(client.get(page)), page
