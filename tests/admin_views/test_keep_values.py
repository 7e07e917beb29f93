"""A refused form keeps every value that was typed or chosen, and number ranges read naturally (issue 19)."""
from __future__ import annotations

import ast
import re
from datetime import time, timedelta
from pathlib import Path

from models import Visit
from services.timeutil import local_now
from tests import factories
from tests.conftest import count_rows

ROOT = Path(__file__).resolve().parents[2]


def _text(response):
    return response.get_data(as_text=True)


def _selected(html: str, name: str) -> list[str]:
    """The values of the selected options of the select ``name``."""
    start = html.index(f'name="{name}"')
    select = html[start:html.index("</select>", start)]
    return re.findall(r'<option (?:selected )?value="([^"]*)"(?: selected)?', select) and [
        m.group(2) for m in re.finditer(r'<option ([^>]*?)value="([^"]*)"([^>]*)>', select)
        if "selected" in m.group(1) + m.group(3)]


def _checked(html: str, name: str) -> list[str]:
    """The values of the ticked checkboxes named ``name``."""
    tags = [tag for tag in re.findall(r"<input\b[^>]*>", html) if f'name="{name}"' in tag and re.search(r"\schecked\b", tag)]
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags]


def _walk_in_data(topic_ids, **extra):
    return {"citizenship": "UA", "language": "uk", "sex": "female", "age_band": "27-64", "topics": topic_ids,
            "minutes": "25", "urgent": "y", "worker": "", "next": "/admin/?q=Bondarenko"} | extra


def test_an_anonymous_walk_in_nobody_takes_comes_back_with_every_value(client, db, login_as):
    login_as("reception")  # no walk-in hours: nobody is on duty, and reception does not take visits
    person = factories.make_client(last_name="Bondarenko")
    housing, work = factories.make_topic(label_cs="Bydlení"), factories.make_topic(label_cs="Práce")
    factories.make_topic(label_cs="Zdraví")
    db.session.commit()
    response = client.post("/admin/calendar/walk-in/", data=_walk_in_data([housing.id, work.id]))
    assert response.status_code == 200
    page = _text(response)
    assert count_rows(Visit) == 0
    assert "Nikdo nemá službu" in page  # the reason, at the top and at the worker's field
    assert 'id="worker-errors"' in page and 'aria-invalid="true"' in page
    assert _selected(page, "citizenship") == ["UA"]
    assert _selected(page, "language") == ["uk"]
    assert _selected(page, "sex") == ["female"]
    assert _selected(page, "age_band") == ["27-64"]
    assert sorted(_checked(page, "topics")) == sorted([str(housing.id), str(work.id)])  # a checkbox each
    assert re.search(r'name="minutes"[^>]*value="25"', page)
    assert re.search(r'<input[^>]*checked[^>]*name="urgent"|<input[^>]*name="urgent"[^>]*checked', page)
    # the desk is as it was: the search that was on the page, its results, the way back to it
    assert person.code in page and 'value="/admin/?q=Bondarenko"' in page
    assert 'action="/admin/"' in page  # searching again from here goes to the desk


def test_a_minutes_value_out_of_range_reads_naturally_and_keeps_the_rest(client, db, login_as, not_at_midnight):
    login_as("reception")
    duty = factories.make_worker()
    factories.make_walk_in_hours(weekday=local_now().weekday(), opens_at=time(0, 0), closes_at=time(23, 59), duty_worker=duty)
    topic = factories.make_topic()
    db.session.commit()
    page = _text(client.post("/admin/calendar/walk-in/", data=_walk_in_data([topic.id], minutes="2000", worker=str(duty.id))))
    assert count_rows(Visit) == 0
    assert "Zadejte číslo od 0 do 1440." in page
    assert "0 and 1440" not in page and "mezi 0" not in page
    assert re.search(r'name="minutes"[^>]*value="2000"', page)
    assert _selected(page, "worker") == [str(duty.id)] and _selected(page, "citizenship") == ["UA"]
    # the same in English
    client.post("/locale", data={"locale": "en"})
    page = _text(client.post("/admin/calendar/walk-in/", data=_walk_in_data([topic.id], minutes="-1")))
    assert "Enter a number from 0 to 1440." in page


def test_a_known_clients_walk_in_refused_shows_the_desk_with_the_search(client, db, login_as):
    login_as("reception")
    person = factories.make_client(worker=None, status="interested", last_name="Bondarenko")  # nobody's yet
    db.session.commit()
    response = client.post("/admin/calendar/walk-in/", data={"client_id": person.id, "next": "/admin/?q=Bondarenko"})
    page = _text(response)
    assert response.status_code == 200 and person.code in page and "Nikdo nemá službu" in page
    assert count_rows(Visit) == 0
    assert _selected(page, "citizenship") in ([], [""])  # the anonymous form is not the client's


def test_every_number_field_uses_the_translated_range():
    """No form of the application uses WTForms' NumberRange directly (its Czech text has an English "and")."""
    offenders = []
    for path in list((ROOT / "admin_views").glob("*.py")) + [ROOT / "auth.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "wtforms.validators" \
                    and any(alias.name == "NumberRange" for alias in node.names):
                offenders.append(path.name)
            if isinstance(node, ast.Attribute) and node.attr == "NumberRange" and path.name != "validators.py":
                offenders.append(path.name)
    assert offenders == []


# --- the case file's forms ---------------------------------------------------------------------

def test_case_file_forms_keep_values_on_a_refusal(client, db, login_as):
    me = login_as("worker")
    person = factories.make_client(worker=None, status="interested")
    topic = factories.make_topic(label_cs="Bydlení")
    db.session.commit()
    tomorrow = (local_now().date() + timedelta(days=1)).isoformat()
    page = _text(client.post(f"/admin/client/case/intake/?id={person.id}", data={
        "held_on": tomorrow, "channel": "phone", "issue": "Hledá bydlení pro rodinu", "topics": [topic.id], "minutes": "35"}))
    assert "Hledá bydlení pro rodinu" in page and f'value="{tomorrow}"' in page
    assert re.search(r'name="minutes"[^>]*value="35"', page) and _selected(page, "channel") == ["phone"]
    assert re.search(rf'checked[^>]*value="{topic.id}"|value="{topic.id}"[^>]*checked', page)
    page = _text(client.post(f"/admin/client/case/intake/?id={person.id}", data={
        "held_on": local_now().date().isoformat(), "issue": "Hledá bydlení", "minutes": "5000"}))
    assert "Zadejte číslo od 0 do 1440." in page and re.search(r'name="minutes"[^>]*value="5000"', page)
    assert me is not None


def test_the_report_form_keeps_a_refused_range(client, db, login_as):
    login_as("manager")
    page = _text(client.get("/admin/reports/?period=custom&date_from=2025-03-31&date_to=2025-03-01&unit=30"))
    assert 'value="2025-03-31"' in page and 'value="2025-03-01"' in page and _selected(page, "period") == ["custom"]
