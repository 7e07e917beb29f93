"""Enum titles (models/enums.py): translated once per request and language, never kept across requests."""
from __future__ import annotations

from flask import g
from flask_babel import force_locale

from models.enums import AppointmentPlace, AppointmentStatus, ClientStatus, ResidenceStatus


def test_a_title_follows_the_language_within_one_request(app):
    with app.test_request_context("/admin/"):
        assert ClientStatus.CLIENT.title == "Klient"
        with force_locale("en"):
            assert ClientStatus.CLIENT.title == "Client"
            assert str(ClientStatus.CLIENT) == "Client"
        assert ClientStatus.CLIENT.title == "Klient"
        assert ("client", "Klient") in ClientStatus.choices()


def test_the_titles_a_request_translated_end_with_it(app):
    with app.test_request_context("/admin/"), force_locale("en"):
        assert AppointmentStatus.PLANNED.title == "Planned"
        assert g.enum_titles  # kept for the rest of this request
    with app.test_request_context("/admin/"):
        assert "enum_titles" not in g
        assert AppointmentStatus.PLANNED.title == "Naplánováno"


def test_outside_an_application_a_title_is_its_label():
    assert AppointmentStatus.PLANNED.title == "Planned"


def test_members_of_two_enums_with_the_same_value_keep_their_own_titles(app):
    """``AppointmentPlace.OTHER`` and ``ResidenceStatus.OTHER`` are both the string "other" (equal and hashed alike)."""
    with app.test_request_context("/admin/"):
        assert AppointmentPlace.OTHER == ResidenceStatus.OTHER
        assert AppointmentPlace.OTHER.title == "Jiné místo" and ResidenceStatus.OTHER.title == "Jiný / neznámý"
        assert ResidenceStatus.OTHER.title == "Jiný / neznámý" and AppointmentPlace.OTHER.title == "Jiné místo"
