"""A tampered value in any enum select is a translated message at the field, never a 500, and keeps what was typed."""
from __future__ import annotations


import pytest
from wtforms.fields.core import UnboundField

from admin_views.base import SecureModelView
from admin_views.fields import EnumSelectField
from models import Agreement, Appointment, Client, DataRequest, Intake, RoadmapTask, Visit
from tests import factories
from tests.conftest import count_rows
from services.timeutil import local_now

TYPED = "TYPED-KEEP-ME"
MESSAGE = "Zvolte jednu z nabízených možností."
REQUIRED = "Toto pole je povinné."  # an empty answer where a required-input rule speaks first


def _enum_fields(form_class) -> list[tuple[str, bool]]:
    """(name, required) of each enum select of ``form_class``."""
    return sorted(
        (name, not getattr(form_class, name).kwargs.get("allow_blank", False)) for name in dir(form_class)
        if isinstance(getattr(form_class, name, None), UnboundField)
        and issubclass(getattr(form_class, name).field_class, EnumSelectField)
    )


def _views(app):
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, SecureModelView)]


def _world(me):
    person = factories.make_client(worker=me)
    agreement = factories.make_agreement(client=person, worker=me)
    return {
        "person": person, "agreement": agreement, "intake": factories.make_intake(client=person, worker=me),
        "task": factories.make_task(agreement=agreement),
        "appointment": factories.make_appointment(client=person, worker=me),
        "visit": factories.make_visit(client=person, worker=me),
        "data_request": factories.make_data_request(client=person),
        "client": person,
    }


def _valid_form(endpoint, me, world) -> dict:
    """A form for ``endpoint`` that would save; every enum field set to a valid value."""
    today = local_now().date().isoformat()
    person = world["person"]
    return {
        "client": {"status": "client", "first_name": "Olena", "last_name": TYPED, "citizenship": "UA", "sex": "female",
                   "residence_status": "visa", "worker": me.id},
        "intake": {"client": person.id, "worker": me.id, "held_on": today, "issue": TYPED, "end_reason": ""},
        "agreement": {"client": person.id, "worker": me.id, "agreed_on": today, "goal": TYPED, "consent_service": "y",
                      "status": "active"},
        "task": {"agreement": world["agreement"].id, "description": TYPED, "responsible": "client", "status": "open",
                 "due_on": today, "position": "1"},
        "appointment": {"client": person.id, "worker": me.id, "starts_at": factories.local_input(10), "duration_minutes": "60",
                        "format": "office", "place": "centre", "purpose": "consultation", "status": "planned",
                        "notes": TYPED},
        "visit": {"occurred_at": factories.today_input(), "channel": "walk_in", "client": person.id, "worker": me.id,
                  "minutes": "15", "summary": TYPED, "sex": "", "age_band": ""},
        "data_request": {"client": person.id, "type": "erasure", "received_on": today, "channel": "letter",
                         "status": "open", "note": TYPED},
    }[endpoint]


COUNTED = {"client": Client, "intake": Intake, "agreement": Agreement, "task": RoadmapTask, "appointment": Appointment,
           "visit": Visit, "data_request": DataRequest}


def _cases(app):
    cases = []
    for view in _views(app):
        if view.can_create:
            cases += [(view.endpoint, "new", name) for name in _enum_fields(view._create_form_class)]
        if view.can_edit:
            cases += [(view.endpoint, "edit", name) for name in _enum_fields(view._edit_form_class)]
    return cases


def test_every_form_with_an_enum_select_has_a_valid_form_written_here(app):
    """A new screen with an enum select fails here until its form is added to :func:`_valid_form`."""
    assert {endpoint for endpoint, _kind, _field in _cases(app)} == set(COUNTED)


@pytest.mark.parametrize("kind", ["new", "edit"])
@pytest.mark.parametrize("endpoint", sorted(COUNTED))
def test_a_bogus_value_in_every_enum_select_is_a_message_not_a_500(endpoint, kind, app, client, db, login_as):
    me = login_as("manager", "worker", "admin")
    world = _world(me)
    db.session.commit()
    fields = [field for e, k, field in _cases(app) if e == endpoint and k == kind]
    assert fields, (endpoint, kind)
    model = COUNTED[endpoint]
    # a value that is no choice at all, and nothing in a select that needs an answer
    tampered = [(name, "bogus") for name, _required in fields] + [(name, "") for name, required in fields if required]
    for name, value in tampered:
        before = count_rows(model)
        data = dict(_valid_form(endpoint, me, world), **{name: value})
        url = f"/admin/{endpoint}/new/" if kind == "new" else f"/admin/{endpoint}/edit/?id={world[endpoint].id}"
        response = client.post(url, data=_versioned(data, kind, world[endpoint]))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (endpoint, kind, name, value, response.status_code)
        assert MESSAGE in page or (value == "" and REQUIRED in page), (endpoint, kind, name, value)
        assert TYPED in page, (endpoint, kind, name, value)  # what was typed is still there
        assert count_rows(model) == before
    # the same form with valid values saves (so the refusal above was the enum's)
    url = f"/admin/{endpoint}/new/" if kind == "new" else f"/admin/{endpoint}/edit/?id={world[endpoint].id}"
    assert client.post(url, data=_versioned(_valid_form(endpoint, me, world), kind, world[endpoint])).status_code == 302


def _versioned(data: dict, kind: str, obj) -> dict:
    """An edit form sends the version its record was loaded at."""
    if kind == "edit" and hasattr(obj, "version"):
        return {**data, "version": obj.version}
    return data


def test_a_bogus_value_in_the_case_file_forms_is_a_message_not_a_500(client, db, login_as):
    me = login_as("worker")
    interested = factories.make_client(status="interested", worker=None)
    person = factories.make_client(worker=me)
    factories.make_agreement(client=person, worker=me)
    db.session.commit()
    for value in ("bogus", ""):
        response = client.post(f"/admin/client/case/intake/?id={interested.id}",
                               data={"held_on": local_now().date().isoformat(), "channel": value, "issue": TYPED})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and MESSAGE in page and TYPED in page, value
    assert count_rows(Intake) == 0
    meeting = {"appointment": "new", "attendance": "attended", "held_at": "2026-01-05T10:00", "duration_minutes": "60",
               "place": "centre", "purpose": "consultation", "notes": TYPED, "next_place": "centre",
               "next_purpose": "consultation", "new_tasks-0-responsible": "client"}
    for name in ("place", "purpose", "next_place", "next_purpose", "new_tasks-0-responsible"):
        for value in ("bogus", ""):
            response = client.post(f"/admin/client/case/meeting/?id={person.id}", data=dict(meeting, **{name: value}))
            page = response.get_data(as_text=True)
            assert response.status_code == 200, (name, value)
            assert MESSAGE in page and TYPED in page, (name, value)
    assert count_rows(Appointment) == 0
