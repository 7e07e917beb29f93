"""Czech on the desk and in its messages needs no declension of names and no gender (issue 19)."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from babel.messages.pofile import read_po

from services.timeutil import local_now
from tests import factories

CATALOG = Path(__file__).resolve().parents[2] / "translations" / "cs" / "LC_MESSAGES" / "messages.po"
#: a person's name after a declined noun ("pracovníkovi Petra Svobodová") cannot be right for everyone
DECLINED_BEFORE_NAME = re.compile(r"(pracovník(ovi|a|em|u)|pracovnic(i|e|í)|klient(ovi|a|em|ce|ky))\s+%\((name|worker|to|from)\)s")
#: verbs and adjectives with a gender about the client or the worker
GENDERED = re.compile(r"\b(přišel|přišla|dostavil(a)? se|nedostavil(a)? se|omluven[a]?|předán[a]? pracovní)\b", re.IGNORECASE)
#: what the desk, walk-ins, attendance and booking say
DESK_MESSAGES = [
    "Walk-in now", "Log the walk-in", "Arrived", "No-show", "Cancelled by phone", "Cancelled by email", "Attended",
    "Anonymous walk-in logged and handed to %(name)s.", "Walk-in of %(code)s logged and handed to %(name)s.",
    "Note: the appointment is outside %(name)s's working hours.", "%(code)s at %(time)s: %(status)s.",
    "Nobody is on duty: choose the social worker who takes the visit.", "The walk-in was not logged: %(errors)s",
    "%(name)s already has an appointment at that time (%(when)s).", "on duty: %(name)s",
    "The client %(code)s is now assigned to %(name)s.", "The agreement is made; %(code)s is a client of %(name)s.",
]


def _czech() -> dict[str, str]:
    with CATALOG.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale="cs") if isinstance(m.id, str) and m.id}


def test_no_name_is_declined_in_any_czech_message():
    offenders = {k: v for k, v in _czech().items() if DECLINED_BEFORE_NAME.search(v)}
    assert offenders == {}


def test_the_desk_messages_need_no_gender():
    catalog = _czech()
    offenders = {k: catalog[k] for k in DESK_MESSAGES if GENDERED.search(catalog[k]) or "(a)" in catalog[k]}
    assert offenders == {}


def test_a_walk_in_says_who_takes_it_without_declining_the_name(client, db, login_as, not_at_midnight):
    login_as("reception")
    duty = factories.make_worker(full_name="Petra Svobodová")
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=duty)
    person = factories.make_client(worker=None, status="interested", last_name="Melnyk")
    started = factories.make_appointment(starts_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    db.session.commit()
    page = client.post("/admin/calendar/walk-in/", data={"citizenship": "UA", "next": "/admin/"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Anonymní příchod zapsán — předáno: Petra Svobodová." in page
    page = client.post("/admin/calendar/walk-in/", data={"client_id": person.id, "next": "/admin/"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"Příchod zapsán ({person.code}) — předáno: Petra Svobodová." in page
    assert "pracovníkovi" not in page and "Přišel" not in page
    page = client.post("/admin/calendar/status/", data={"set": f"{started.id}:attended", "next": "/admin/"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{started.client.code}, " in page and ": Uskutečněno." in page
    assert "Dostavil" not in page and "Přišel" not in page
