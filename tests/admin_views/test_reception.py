"""The reception desk, the calendar and the private calendar link over HTTP."""
from datetime import datetime, time, timedelta, timezone

from models import Appointment, AuditEvent, Client, Visit
from models.enums import AppointmentStatus, AuditAction
from services.timeutil import local_day_bounds, local_now
from tests import factories
from tests.conftest import count_rows


def _text(response):
    return response.get_data(as_text=True)


def test_reception_start_page_has_the_desk(client, db, login_as, not_at_midnight):
    login_as("reception")
    worker = factories.make_worker(full_name="Petra Svobodová")
    person = factories.make_client(worker=worker, last_name="Bondarenko", phone="+420 777 123 456")
    now = datetime.now(timezone.utc)
    day_end = local_day_bounds(local_now().date())[1]
    # on today's desk: half an hour from now, or half an hour ago in the last half hour of the local day
    starts_at = now + timedelta(minutes=30) if now + timedelta(minutes=30) < day_end else now - timedelta(minutes=30)
    factories.make_appointment(client=person, worker=worker, starts_at=starts_at)
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=worker)
    db.session.commit()
    page = _text(client.get("/admin/"))
    assert "Petra Svobodová" in page and person.code in page
    assert 'action="/admin/calendar/walk-in/"' in page and 'name="citizenship"' in page
    found = _text(client.get("/admin/?q=777 123"))
    assert person.code in found and f"client_id={person.id}" in found


def test_quick_buttons_mark_attendance_and_cancellations(client, db, login_as):
    login_as("reception")
    past = factories.make_appointment(starts_at=datetime.now(timezone.utc) - timedelta(minutes=20))
    future = factories.make_appointment(starts_at=datetime.now(timezone.utc) + timedelta(hours=3))
    db.session.commit()
    assert client.post("/admin/calendar/status/", data={"appointment_id": past.id, "status": "no_show", "next": "/admin/"}).status_code == 302
    refused = client.post("/admin/calendar/status/", data={"appointment_id": future.id, "status": "no_show", "next": "/admin/"})
    assert refused.status_code == 302
    client.post("/admin/calendar/status/", data={"appointment_id": future.id, "status": "cancelled_phone", "next": "/admin/"})
    db.session.refresh(past)
    db.session.refresh(future)
    assert past.status == AppointmentStatus.NO_SHOW and future.status == AppointmentStatus.CANCELLED_PHONE
    assert count_rows(AuditEvent, AuditEvent.action == AuditAction.UPDATE) == 2


def test_reception_logs_an_anonymous_walk_in_and_a_clients_walk_in(client, db, login_as, not_at_midnight):
    login_as("reception")
    duty = factories.make_worker()
    person = factories.make_client()
    topic = factories.make_topic()
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=duty)
    db.session.commit()
    response = client.post("/admin/calendar/walk-in/", data={
        "citizenship": "VN", "language": "vi", "sex": "male", "age_band": "27-64", "topics": [topic.id], "urgent": "y",
        "next": "/admin/",
    })
    assert response.status_code == 302
    walk_in = db.session.query(Visit).filter(Visit.client_id.is_(None)).one()
    assert walk_in.citizenship == "VN" and walk_in.urgent and walk_in.worker_id == duty.id
    assert count_rows(Client) == 1
    client.post("/admin/calendar/walk-in/", data={"client_id": person.id, "next": "/admin/"})
    assert count_rows(Visit, Visit.client_id == person.id) == 1
    assert client.post("/admin/calendar/walk-in/", data={"client_id": "999999"}).status_code == 404


def test_book_button_preselects_the_clients_own_worker_and_warns_outside_hours(client, db, login_as):
    login_as("reception")
    own = factories.make_worker(full_name="Vlastní Pracovnice")
    factories.make_worker(full_name="Aaron Abel")
    person = factories.make_client(worker=own)
    factories.make_working_hours(worker=own, weekday=0, starts_at=time(8, 0), ends_at=time(12, 0))
    db.session.commit()
    form = _text(client.get(f"/admin/appointment/new/?client_id={person.id}"))
    assert f'<option selected value="{own.id}">' in form and person.code in form
    monday = local_now().date() + timedelta(days=7 - local_now().weekday())  # next Monday; hours end at 12:00
    response = client.post("/admin/appointment/new/", data={
        "client": person.id, "worker": own.id, "starts_at": f"{monday.isoformat()}T15:00", "duration_minutes": "60",
        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
    }, follow_redirects=True)
    assert "pracovní dobu" in _text(response) or "working hours" in _text(response)
    assert count_rows(Appointment) == 1


def test_booking_another_worker_needs_a_reason_in_the_form(client, db, login_as):
    login_as("reception")
    own, other = factories.make_worker(), factories.make_worker()
    person = factories.make_client(worker=own)
    db.session.commit()
    data = {"client": person.id, "worker": other.id, "starts_at": factories.local_input(5), "duration_minutes": "60",
            "format": "office", "place": "centre", "purpose": "consultation", "status": "planned"}
    assert client.post("/admin/appointment/new/", data=data).status_code == 200
    assert count_rows(Appointment) == 0
    data["other_worker_reason"] = "Vlastní pracovnice je na dovolené"
    assert client.post("/admin/appointment/new/", data=data).status_code == 302
    assert db.session.query(Appointment).one().other_worker_reason == "Vlastní pracovnice je na dovolené"


def test_calendar_week_view(client, db, login_as):
    me = login_as("worker")
    factories.make_appointment(worker=me, starts_at=datetime(2030, 3, 5, 9, 0, tzinfo=timezone.utc))
    db.session.commit()
    page = _text(client.get("/admin/calendar/?week=2030-W10"))
    assert "10:00" in page and "Ambulantní" in page or "office" in page
    assert client.get("/admin/calendar/?week=garbage&worker=abc").status_code == 200


def test_private_calendar_link_issue_use_and_revoke(client, app, db, login_as):
    me = login_as("worker")
    factories.make_appointment(worker=me, starts_at=datetime.now(timezone.utc) + timedelta(days=1))
    db.session.commit()
    page = _text(client.post("/admin/calendar-link/", data={"do": "issue"}))
    link = page.split('id="ics-link" class="form-control" readonly value="')[1].split('"')[0]
    path = "/" + link.split("/", 3)[3]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in feed.get_data(as_text=True)
    client.post("/admin/calendar-link/", data={"do": "revoke"})
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_client_details_show_attendance_counts(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    past = datetime.now(timezone.utc) - timedelta(days=3)
    factories.make_appointment(client=person, starts_at=past, status=AppointmentStatus.NO_SHOW)
    factories.make_appointment(client=person, starts_at=past + timedelta(hours=2), status=AppointmentStatus.ATTENDED)
    factories.make_appointment(client=person, starts_at=past + timedelta(hours=4), status=AppointmentStatus.CANCELLED_EMAIL)
    db.session.commit()
    page = _text(client.get(f"/admin/client/details/?id={person.id}"))
    assert "1 uskutečněné, 1 nedostavení, 1 zrušené předem" in page


def _appointment_form(appointment, **changes):
    from services.timeutil import to_local

    data = {"client": appointment.client_id, "worker": appointment.worker_id,
            "starts_at": to_local(appointment.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": str(appointment.duration_minutes), "format": "office", "place": "centre",
            "purpose": "consultation", "status": appointment.status.value, "notes": appointment.notes or "",
            "version": appointment.version}
    data.update(changes)
    return data


def test_the_appointment_form_refuses_a_future_no_show_and_keeps_the_input(client, db, login_as):
    login_as("reception")
    person = factories.make_client()
    future = factories.make_appointment(client=person, starts_at=datetime.now(timezone.utc) + timedelta(days=2))
    db.session.commit()
    data = _appointment_form(future, status="no_show", duration_minutes="45", place_note="Vchod ze dvora")
    edit = client.post(f"/admin/appointment/edit/?id={future.id}", data=data)
    page = _text(edit)
    assert edit.status_code == 200 and "Nedostavení lze zaznamenat až poté, co čas schůzky nastal." in page
    assert 'value="45"' in page and "Vchod ze dvora" in page  # the input is kept
    db.session.refresh(future)
    assert future.status == AppointmentStatus.PLANNED and future.duration_minutes == 60 and future.place_note is None
    create = client.post("/admin/appointment/new/", data=dict(data, starts_at=factories.local_input(5)))
    assert create.status_code == 200 and "Nedostavení lze zaznamenat" in _text(create)
    assert count_rows(Appointment) == 1


def test_the_appointment_form_refuses_a_cancellation_in_advance_after_the_start(client, db, login_as):
    login_as("reception")
    begun = factories.make_appointment(starts_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    ahead = factories.make_appointment(starts_at=datetime.now(timezone.utc) + timedelta(hours=5))
    db.session.commit()
    refused = client.post(f"/admin/appointment/edit/?id={begun.id}", data=_appointment_form(begun, status="cancelled_phone"))
    assert refused.status_code == 200 and "Zrušení předem lze zaznamenat jen u plánované schůzky" in _text(refused)
    assert client.post(f"/admin/appointment/edit/?id={ahead.id}",
                       data=_appointment_form(ahead, status="cancelled_email")).status_code == 302
    db.session.refresh(begun)
    db.session.refresh(ahead)
    assert begun.status == AppointmentStatus.PLANNED and ahead.status == AppointmentStatus.CANCELLED_EMAIL


def test_moving_an_appointment_to_another_worker_in_the_form_needs_a_reason(client, db, login_as):
    login_as("reception")
    own, other = factories.make_worker(), factories.make_worker()
    person = factories.make_client(worker=own)
    appointment = factories.make_appointment(client=person, worker=own, starts_at=datetime(2030, 3, 5, 9, tzinfo=timezone.utc))
    db.session.commit()
    data = _appointment_form(appointment, worker=other.id)
    refused = client.post(f"/admin/appointment/edit/?id={appointment.id}", data=data)
    assert refused.status_code == 200 and "Uveďte důvod" in _text(refused)
    db.session.refresh(appointment)
    assert appointment.worker_id == own.id
    data["other_worker_reason"] = "Vlastní pracovnice je na školení"
    data["version"] = appointment.version
    assert client.post(f"/admin/appointment/edit/?id={appointment.id}", data=data).status_code == 302
    db.session.refresh(appointment)
    assert appointment.worker_id == other.id and appointment.other_worker_reason == "Vlastní pracovnice je na školení"


def test_the_desk_offers_arrival_after_the_start_cancellation_before_it_and_a_move_link(client, db, login_as, monkeypatch):
    import re
    from types import SimpleNamespace

    from services import dashboard

    now = datetime(2030, 3, 6, 9, 0, tzinfo=timezone.utc)  # 10:00 in Prague
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: now))  # the page's clock only, not the session's
    login_as("reception")
    worker = factories.make_worker(full_name="Dana Desková")
    begun = factories.make_appointment(worker=worker, starts_at=now - timedelta(minutes=30))
    ahead = factories.make_appointment(worker=worker, starts_at=now + timedelta(hours=2))
    cancelled = factories.make_appointment(worker=worker, starts_at=now + timedelta(hours=4), status=AppointmentStatus.CANCELLED_EMAIL)
    db.session.commit()
    page = _text(client.get("/admin/"))

    def row(appointment):
        rows = re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S)
        return next(r for r in rows if f'value="{appointment.id}:' in r or f"&amp;id={appointment.id}\"" in r
                    or f"{appointment.client.code}</a>" in r)

    begun_row, ahead_row, cancelled_row = row(begun), row(ahead), row(cancelled)
    assert f'value="{begun.id}:attended"' in begun_row and f'value="{begun.id}:no_show"' in begun_row
    assert "cancelled_phone" not in begun_row and "cancelled_email" not in begun_row
    assert f'value="{ahead.id}:cancelled_phone"' in ahead_row and "cancelled_email" in ahead_row and "no_show" not in ahead_row
    assert cancelled_row.startswith('<tr class="text-muted">') and "Zrušeno předem e-mailem" in cancelled_row
    assert "<button" not in cancelled_row and "Přesunout" not in cancelled_row  # nothing left to do with it
    for appointment, html in ((begun, begun_row), (ahead, ahead_row)):
        assert re.search(rf'href="/admin/appointment/edit/\?url=[^"&]*/admin/[^"&]*&amp;id={appointment.id}"', html)
        assert "Přesunout" in html
    # one form per worker's table, one token: the pressed button says which appointment and what happened
    response = client.post("/admin/calendar/status/", data={"next": "/admin/", "set": f"{ahead.id}:cancelled_phone"})
    assert response.status_code == 302
    db.session.refresh(ahead)
    assert ahead.status == AppointmentStatus.CANCELLED_PHONE


def test_the_desk_shows_one_workers_day_on_request_and_says_when_the_day_is_cut(client, db, login_as, monkeypatch):
    from types import SimpleNamespace

    from services import dashboard

    now = datetime(2030, 3, 6, 9, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: now))
    monkeypatch.setattr(dashboard, "DESK_LIMIT", 2)
    login_as("reception")
    anna, boris = factories.make_worker(full_name="Anna Ranní"), factories.make_worker(full_name="Boris Polední")
    mine = [factories.make_appointment(worker=anna, starts_at=now + timedelta(hours=h)) for h in (1, 2)]
    theirs = factories.make_appointment(worker=boris, starts_at=now + timedelta(hours=3))
    db.session.commit()
    everyone = _text(client.get("/admin/"))
    assert "Zobrazeno je jen prvních 2 schůzek dne" in everyone
    one = _text(client.get(f"/admin/?worker={boris.id}"))
    assert theirs.client.code in one and all(a.client.code not in one for a in mine)
    assert f'<option value="{boris.id}" selected>' in one
    assert client.get("/admin/?worker=abc").status_code == 200  # a bad value shows every worker


def test_the_calendar_offers_a_cancellation_in_advance_only_before_the_start(client, db, login_as, monkeypatch):
    from services import clock
    from services.timeutil import to_local

    now = datetime.now(timezone.utc).replace(microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: now)  # pinned close to the real time: the session stays valid
    login_as("reception")
    worker = factories.make_worker()
    begun = factories.make_appointment(worker=worker, starts_at=now - timedelta(minutes=1))
    ahead = factories.make_appointment(worker=worker, starts_at=now + timedelta(minutes=1))
    db.session.commit()

    def card(appointment):
        year, week, _ = to_local(appointment.starts_at).isocalendar()
        page = _text(client.get(f"/admin/calendar/?week={year}-W{week:02d}&worker={worker.id}"))
        start = page.index(f"edit/?id={appointment.id}&")
        return page[start:page.index("</div>\n    </div>", start)]

    assert "cancelled_phone" not in card(begun)
    assert "cancelled_phone" in card(ahead) and "cancelled_email" in card(ahead)


def test_a_full_desk_stays_under_the_page_size_budget(client, db, login_as, not_at_midnight):
    """The desk lists up to DESK_LIMIT of today's appointments a page: a full page stays under 300 KB
    of HTML (the performance budget), projected from the size each row adds."""
    from services.dashboard import DESK_LIMIT

    login_as("reception")
    worker = factories.make_worker(full_name="Alexandra Nováková-Dvořáková")
    later = min(datetime.now(timezone.utc) + timedelta(minutes=10), local_day_bounds(local_now().date())[1] - timedelta(minutes=1))

    def desk_with(n):
        for _ in range(n):  # still to come today: the wider pair of buttons (cancelled by phone, by e-mail)
            person = factories.make_client(worker=worker, first_name="Maryna Oleksandrivna", last_name="Shevchenko-Kovalenko")
            factories.make_appointment(client=person, worker=worker, starts_at=later)
        db.session.commit()
        return len(client.get("/admin/").data)

    few = desk_with(5)
    more = desk_with(20)
    per_row = (more - few) / 20
    assert per_row > 200  # the rows are really on the page
    # 50 KB of the 300 KB are left for the heading and table head of each worker's day (a dozen workers)
    assert few + (DESK_LIMIT - 5) * per_row < 250_000, (few, per_row)


def test_the_desk_shows_who_is_waiting_late_or_next_and_the_whole_day_on_request(client, db, login_as, monkeypatch):
    """By default the desk leaves out what was dealt with over an hour ago (arrived, no-show, cancelled):
    still planned appointments that began (waiting or late) stay, whenever they began; the whole day
    is one link away."""
    from types import SimpleNamespace

    from services import dashboard

    now = datetime(2030, 3, 6, 12, 0, tzinfo=timezone.utc)  # 13:00 in Prague
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: now))
    login_as("reception")
    worker = factories.make_worker(full_name="Dana Desková")
    done = factories.make_appointment(worker=worker, starts_at=now - timedelta(hours=3), status=AppointmentStatus.ATTENDED)
    cancelled = factories.make_appointment(worker=worker, starts_at=now - timedelta(hours=2), status=AppointmentStatus.CANCELLED_PHONE)
    late = factories.make_appointment(worker=worker, starts_at=now - timedelta(hours=4))  # still planned: nobody marked it
    just_came = factories.make_appointment(worker=worker, starts_at=now - timedelta(minutes=30), status=AppointmentStatus.ATTENDED)
    ahead = factories.make_appointment(worker=worker, starts_at=now + timedelta(hours=1))
    db.session.commit()
    page = _text(client.get("/admin/"))
    for shown in (late, just_came, ahead):
        assert f"{shown.client.code}</a>" in page
    assert f'value="{late.id}:attended"' in page and f'value="{late.id}:no_show"' in page
    assert f"{done.client.code}</a>" not in page and f"{cancelled.client.code}</a>" not in page
    assert "Zobrazeno: čekající, opožděné a nadcházející schůzky" in page
    assert 'href="/admin/?day=all">Zobrazit celý den</a>' in page
    whole = _text(client.get("/admin/?day=all"))
    assert all(f"{a.client.code}</a>" in whole for a in (done, cancelled, late, just_came, ahead))
    assert "Zobrazen je celý den." in whole and 'href="/admin/">' in whole
    # the day's order is the clock's: the late one first, the one to come last
    assert whole.index(f"{late.client.code}</a>") < whole.index(f"{done.client.code}</a>") < whole.index(f"{ahead.client.code}</a>")


def test_a_desk_with_everything_dealt_with_says_so_instead_of_showing_the_next_day(client, db, login_as, monkeypatch):
    from types import SimpleNamespace

    from services import dashboard

    now = datetime(2030, 3, 6, 15, 0, tzinfo=timezone.utc)  # a Wednesday, 16:00 in Prague
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: now))
    login_as("reception")
    morning = factories.make_appointment(starts_at=now - timedelta(hours=6), status=AppointmentStatus.NO_SHOW)
    tomorrow = factories.make_appointment(starts_at=now + timedelta(days=1))
    db.session.commit()
    desk = _text(client.get("/admin/"))
    assert "Všechny dnešní schůzky jsou vyřízené." in desk and "Dnes nejsou žádné schůzky." not in desk
    assert f"{morning.client.code}</a>" not in desk and f"{tomorrow.client.code}</a>" not in desk
    assert f"{morning.client.code}</a>" in _text(client.get("/admin/?day=all"))


def test_a_long_day_goes_on_over_pages_in_time_order_across_workers(client, db, login_as, monkeypatch):
    from types import SimpleNamespace

    from services import dashboard

    now = datetime(2030, 3, 6, 7, 0, tzinfo=timezone.utc)  # 8:00 in Prague
    monkeypatch.setattr(dashboard, "clock", SimpleNamespace(now=lambda: now))
    monkeypatch.setattr(dashboard, "DESK_LIMIT", 2)
    login_as("reception")
    anna, boris = factories.make_worker(full_name="Anna Ranní"), factories.make_worker(full_name="Boris Polední")
    first = factories.make_appointment(worker=boris, starts_at=now + timedelta(hours=1))
    second = factories.make_appointment(worker=anna, starts_at=now + timedelta(hours=2))
    third = factories.make_appointment(worker=boris, starts_at=now + timedelta(hours=3))
    db.session.commit()
    page_one = _text(client.get(f"/admin/?worker=&day=all"))
    assert f"{first.client.code}</a>" in page_one and f"{second.client.code}</a>" in page_one
    assert f"{third.client.code}</a>" not in page_one
    assert 'rel="next" href="/admin/?day=all&amp;page=2">Pozdější schůzky</a>' in page_one and 'rel="prev"' not in page_one
    page_two = _text(client.get("/admin/?day=all&page=2"))
    assert f"{third.client.code}</a>" in page_two and f"{first.client.code}</a>" not in page_two
    assert 'rel="prev" href="/admin/?day=all&amp;page=1">Dřívější schůzky</a>' in page_two and 'rel="next"' not in page_two
    assert client.get("/admin/?page=abc").status_code == 200 and client.get("/admin/?page=0").status_code == 200
