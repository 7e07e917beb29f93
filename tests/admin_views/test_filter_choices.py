"""The lists' filters offer staff, offices and topics read from the database for each page: a change is
offered at once."""
from __future__ import annotations

import json
import re

from tests import factories


def _filter_choices(client, url="/admin/appointment/") -> dict[str, list]:
    html = client.get(url).get_data(as_text=True)
    data = json.loads(re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S).group(1))
    return {name: [label for entry in entries for _key, label in (entry["options"] or [])] for name, entries in data.items()}


def test_a_new_worker_office_or_topic_is_offered_at_once(client, db, login_as):
    login_as("manager", "worker")
    factories.make_worker(full_name="Alena Dvořáková")
    db.session.commit()
    staff = next(labels for labels in _filter_choices(client).values() if "Alena Dvořáková" in labels)
    factories.make_worker(full_name="Bohdana Černá")
    db.session.commit()
    assert "Bohdana Černá" not in staff
    assert any("Bohdana Černá" in labels for labels in _filter_choices(client).values())
    office = factories.make_office(name_cs="Úřad práce Kladno")
    db.session.commit()
    assert any("Úřad práce Kladno" in labels for labels in _filter_choices(client).values())
    office.name_cs = "Úřad práce Kladno-Kročehlavy"
    db.session.commit()
    assert any("Úřad práce Kladno-Kročehlavy" in labels for labels in _filter_choices(client).values())


